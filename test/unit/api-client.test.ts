/**
 * The CLI's API client: SigV4 signing with fixed credentials and clock, checked against an
 * independent implementation of the algorithm as AWS documents it (canonical request, string
 * to sign, derived key); the region and mode choices; the one-line errors people read.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, errorOf, regionOfUrl, rfc3986, signedHeaders } from '../../cli/api-client.ts';
import { clientOf } from '../../cli/api-options.ts';

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
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const names = Object.keys(headers)
    .filter((h) => h === 'host' || h.startsWith('x-amz-'))
    .sort();
  const canonicalHeaders = names.map((h) => `${h}:${headers[h].trim()}\n`).join('');
  const canonicalRequest = [
    'GET',
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    names.join(';'),
    sha(''),
  ].join('\n');
  const date = headers['x-amz-date'];
  const scope = `${date.slice(0, 8)}/${region}/execute-api/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${CREDENTIALS.secretAccessKey}`, date.slice(0, 8));
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
        headers.authorization,
      );
    expect(auth).not.toBeNull();
    expect(auth![1]).toBe('AKIDEXAMPLE/20261125/eu-west-1/execute-api/aws4_request');
    expect(auth![2]).toBe('host;x-amz-date;x-amz-security-token');
    expect(auth![3]).toBe(expectedSignature(url, 'eu-west-1', headers));
  });

  it('the same request, credentials and clock sign the same; anything else does not', async () => {
    const url = new URL(cases[0]);
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
    await expect(c.get('/clusters')).rejects.toThrow(
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
