/**
 * The CLI's API client: SigV4 signing with fixed credentials and clock, checked against an
 * independent implementation of the algorithm as AWS documents it (canonical request, string
 * to sign, derived key); the region and mode choices; the one-line errors people read.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiError, errorOf, regionOfUrl, rfc3986, signedHeaders } from '../../cli/api-client.ts';
import { clientOf } from '../../cli/api-options.ts';
import { crashloopsCommand } from '../../cli/crashloops.ts';
import { historyCommand } from '../../cli/history.ts';
import { pendingCommand } from '../../cli/pending.ts';
import { statsCommand } from '../../cli/stats.ts';
import { ClustersResponse } from '../../model/api-schemas.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-example',
};
const NOW = new Date('2026-11-25T12:34:56Z');

/** SigV4 for a GET without body, straight from the AWS documentation. */
function expectedSignature(url: URL, region: string, headers: Record<string, string>): string {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();
  // Every service but S3: each segment of the (already encoded) path is encoded once more.
  const canonicalUri = url.pathname
    .split('/')
    .map((seg) => rfc3986(seg))
    .join('/');
  const canonicalQuery = [...url.searchParams]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([a, x], [b, y]) => (a! < b! ? -1 : a! > b! ? 1 : x! < y! ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const names = Object.keys(headers)
    .filter((h) => h === 'host' || h.startsWith('x-amz-'))
    .sort();
  const canonicalHeaders = names.map((h) => `${h}:${headers[h]!.trim()}\n`).join('');
  const canonicalRequest = [
    'GET',
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    names.join(';'),
    sha(''),
  ].join('\n');
  const date = headers['x-amz-date'];
  const scope = `${date!.slice(0, 8)}/${region}/execute-api/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${CREDENTIALS.secretAccessKey}`, date!.slice(0, 8));
  for (const part of [region, 'execute-api', 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('SigV4 signing (service execute-api)', () => {
  const cases = [
    'https://abc123.execute-api.eu-west-1.amazonaws.com/pending?cluster=prod&olderThan=5m&namespace=web',
    'https://abc123.execute-api.eu-west-1.amazonaws.com/pods/by-uid/prod/synthetic%3Aweb%2Fa%402026-11-02T08%3A00%3A00Z',
    'https://abc123.execute-api.eu-west-1.amazonaws.com/stats?since=2026-11-01T00%3A00%3A00Z&owner=Deployment%2Fapi&cluster=my%20cluster&namespace=web',
    'http://127.0.0.1:4000/clusters',
  ];
  it.each(cases)('%s: signature headers present, host right, signature as documented', async (raw) => {
    const url = new URL(raw);
    const headers = await signedHeaders({ url, region: 'eu-west-1', credentials: CREDENTIALS, now: NOW });
    expect(headers.host).toBe(url.host);
    expect(headers['x-amz-date']).toBe('20261125T123456Z');
    expect(headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
    const auth =
      /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
        headers.authorization!,
      );
    expect(auth).not.toBeNull();
    expect(auth![1]).toBe('AKIDEXAMPLE/20261125/eu-west-1/execute-api/aws4_request');
    expect(auth![2]).toBe('host;x-amz-date;x-amz-security-token');
    expect(auth![3]).toBe(expectedSignature(url, 'eu-west-1', headers));
  });

  it('the same request, credentials and clock sign the same; anything else does not', async () => {
    const url = new URL(cases[0]!);
    const a = await signedHeaders({ url, region: 'eu-west-1', credentials: CREDENTIALS, now: NOW });
    const b = await signedHeaders({ url, region: 'eu-west-1', credentials: CREDENTIALS, now: NOW });
    const later = await signedHeaders({
      url,
      region: 'eu-west-1',
      credentials: CREDENTIALS,
      now: new Date(NOW.getTime() + 1000),
    });
    const other = await signedHeaders({ url, region: 'us-east-1', credentials: CREDENTIALS, now: NOW });
    expect(a.authorization).toBe(b.authorization);
    expect(later.authorization).not.toBe(a.authorization);
    expect(other.authorization).toMatch(/\/us-east-1\/execute-api\//);
  });
});

describe('the client', () => {
  it('region from the URL, else AWS_REGION; URLs with RFC 3986-encoded values', () => {
    expect(regionOfUrl('https://abc.execute-api.ap-southeast-2.amazonaws.com')).toBe('ap-southeast-2');
    expect(regionOfUrl('https://podlife.example.com')).toBeUndefined();
    const c = new ApiClient({
      baseUrl: 'https://podlife.example.com/v1',
      mode: 'aws',
      env: { AWS_REGION: 'eu-central-1' },
    });
    expect(
      c.urlOf('/stats', { cluster: 'my cluster', owner: 'Deployment/api', since: undefined }).toString(),
    ).toBe('https://podlife.example.com/v1/stats?cluster=my%20cluster&owner=Deployment%2Fapi');
  });

  it('no region at all: one line saying what to set', async () => {
    const c = new ApiClient({
      baseUrl: 'https://podlife.example.com',
      mode: 'aws',
      env: {},
      credentials: async () => CREDENTIALS,
    });
    await expect(c.get('/clusters', ClustersResponse)).rejects.toThrow(
      "cannot tell the API's region from its URL: set --region or AWS_REGION",
    );
  });

  it('mode: --api signs, --local does not; PODLIFE_API_URL on http loopback is local mode', () => {
    expect(clientOf({ api: 'https://abc.execute-api.eu-west-1.amazonaws.com' }, {}).opts.mode).toBe('aws');
    expect(clientOf({ local: 'http://127.0.0.1:4000' }, {}).opts.mode).toBe('local');
    expect(clientOf({}, { PODLIFE_API_URL: 'http://127.0.0.1:4000' }).opts.mode).toBe('local');
    expect(
      clientOf({}, { PODLIFE_API_URL: 'https://abc.execute-api.eu-west-1.amazonaws.com' }).opts.mode,
    ).toBe('aws');
    expect(() => clientOf({ api: 'http://api.example.com' }, {})).toThrow(/the deployed API is https/);
    expect(() => clientOf({}, {})).toThrow(/which API\?/);
  });

  it('answers people read: 403, 400, 404, 5xx', () => {
    expect(errorOf(403, '{"message":"Forbidden"}').message).toBe(
      'the API refused the request (403: Forbidden): check your AWS credentials / IAM policy (execute-api:Invoke)',
    );
    expect(
      errorOf(400, '{"error":"bad parameter","parameter":"limit","reason":"at most 1000"}').message,
    ).toBe('bad parameter limit: at most 1000');
    expect(errorOf(404, '{"error":"no pod default/x in cluster prod"}').message).toBe(
      'no pod default/x in cluster prod',
    );
    expect(errorOf(503, '{"error":"the table is busy: retry shortly"}').message).toBe(
      'the API answered 503: the table is busy: retry shortly',
    );
    expect(errorOf(502, '<html>Bad gateway</html>')).toBeInstanceOf(ApiError);
  });
});

describe('answers that do not match the contract (a fake API server)', () => {
  const pendingPod = {
    cluster: 'c1',
    namespace: 'default',
    name: 'web-1',
    uid: 'u1',
    owner: null,
    node: null,
    phase: 'Pending',
    createdAt: '2026-11-02T08:00:00Z',
    ageSeconds: 60,
    waitingReason: null,
    unschedulableMessage: null,
    statusReason: null,
    thresholdSeconds: 300,
    stuck: false,
  };
  const stats = { pods: 0, restarts: 0, terminationsByReason: {} } as Record<string, unknown>;
  for (const f of [
    'scheduledAfterSeconds',
    'pendingSeconds',
    'timeToReadySeconds',
    'crashLoopBackOffSeconds',
  ])
    stats[f] = { count: 0, p50: null, p90: null, p99: null, max: null };
  /** Path → the body the fake API answers (200). */
  let answers: Record<string, unknown> = {};
  let server: Server;
  let url = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const body = Object.hasOwn(answers, path) ? answers[path] : { error: 'no such route' };
      res.writeHead(Object.hasOwn(answers, path) ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  async function run(command: (argv: string[], io: never) => Promise<number>, argv: string[]) {
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (c) => (stdout += c));
    err.on('data', (c) => (stderr += c));
    const code = await command([...argv, '--local', url], { out, err, env: {} } as never);
    return { code, stdout, stderr };
  }
  const clusters = { clusters: [{ name: 'c1', lastSeenAt: '2026-11-02T08:00:00Z' }] };

  it('a well-formed answer is printed', async () => {
    answers = {
      '/api/clusters': clusters,
      '/api/pending': { cluster: 'c1', now: '2026-11-02T08:01:00Z', olderThanSeconds: 0, pods: [pendingPod] },
    };
    const r = await run(pendingCommand, ['-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([pendingPod]);
  });

  it.each([
    [
      'a mistyped field',
      pendingCommand,
      [],
      {
        '/api/pending': {
          cluster: 'c1',
          now: '2026-11-02T08:01:00Z',
          olderThanSeconds: 0,
          pods: [{ ...pendingPod, stuck: 'yes' }],
        },
      },
      "podlife pending: the API's answer to /api/pending does not match podlife's contract: field pods[0].stuck: Invalid input: expected boolean, received string (is the API another podlife version?)",
    ],
    [
      'a missing field',
      statsCommand,
      [],
      { '/api/stats': { cluster: 'c1', since: '2026-11-01T08:00:00Z', stats } },
      "podlife stats: the API's answer to /api/stats does not match podlife's contract: field until: missing (is the API another podlife version?)",
    ],
    [
      'a list that is not one',
      historyCommand,
      ['default/web-1'],
      { '/api/clusters': { clusters: 'c1' } },
      "podlife history: the API's answer to /api/clusters does not match podlife's contract: field clusters: Invalid input: expected array, received string (is the API another podlife version?)",
    ],
  ] as const)('%s: one line naming the field, exit 1', async (_, command, argv, answer, line) => {
    answers = { '/api/clusters': clusters, ...answer };
    const r = await run(command as never, [...argv]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.code).toBe(1);
  });

  describe('an answer from a newer API (fields this CLI does not know)', () => {
    it('drops the unknown fields, at any depth, and prints the answer', async () => {
      answers = {
        // Unknown at the top and inside a list's object (a newer API's per-cluster field).
        '/api/clusters': {
          clusters: [{ name: 'c1', lastSeenAt: '2026-11-02T08:00:00Z', zone: 'eu-west-1a' }],
          '\u001b[2J': 1,
        },
        '/api/crashloops': {
          cluster: 'c1',
          now: '2026-11-02T08:01:00Z',
          windowSeconds: 3600,
          minRestarts: 0,
          pods: [],
          debug: 'x',
        },
      };
      const r = await run(crashloopsCommand as never, []);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain('debug');
      expect(r.stdout).not.toContain('\u001b');
    });
  });
});
