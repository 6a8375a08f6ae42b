/**
 * A canary secret in a pod's env, args, command, annotations (last-applied-configuration),
 * labels and managedFields must never leave the forwarder: not in any PutEvents payload, not
 * in any log line (Powertools Logger at DEBUG, stdout and stderr captured), not in /metrics,
 * and not even in what the informers keep in memory. The pod goes through every path that
 * sends or logs: list, watch update, label-only update, a dropped watch, a 410 relist, an
 * entry the bus fails, an invalid sibling pod, events, deletion and shutdown.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PodFactsDetail, wireFactsOf } from '../../core/pod-facts.ts';
import type { Forwarder } from '../../forwarder/forwarder.ts';
import { createProbeServer, listen } from '../../forwarder/server.ts';
import { EventBridgeSink } from '../../forwarder/sinks.ts';
import { FakeApiServer, type Obj } from '../../testkit/fake-apiserver.ts';
import { fixtureObjects, forwarderOn, waitFor, withRestarts } from './helpers.ts';

const CANARY = 'canary-s3cr3t-XYZ';

/** A real pod (k9s fixture) carrying the canary everywhere a secret could hide. */
function canaryPod(): Obj {
  const p = structuredClone(fixtureObjects('k9s__po-running.json')[0]);
  const c = p.spec.containers[0];
  c.env = [
    { name: 'DB_PASSWORD', value: CANARY },
    { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: `s-${CANARY}`, key: 'k' } } },
  ];
  c.envFrom = [{ secretRef: { name: `ef-${CANARY}` } }];
  c.args = ['--password', CANARY];
  c.command = ['/bin/sh', '-c', `echo ${CANARY}`];
  p.metadata.labels = { app: 'canary', leaked: CANARY };
  p.metadata.annotations = {
    'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
      spec: {
        containers: [
          { name: 'nginx', env: [{ name: 'DB_PASSWORD', value: CANARY }], args: ['--password', CANARY] },
        ],
      },
    }),
    note: CANARY,
  };
  p.metadata.managedFields = [
    { manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { [`f:${CANARY}`]: {} } },
  ];
  return p;
}

const ebMock = mockClient(EventBridgeClient);
const output: string[] = [];
let server: FakeApiServer;
let fwd: Forwarder;
let metricsBody = '';
const probeBodies: string[] = [];
let cachedWhileLive = '';

beforeAll(async () => {
  const capture = (chunk: unknown) => {
    output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as never);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture as never);

  let call = 0;
  ebMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
    // The first call: one entry fails, with the bus's message (logged by the sender).
    const failFirst = call++ === 0;
    return {
      FailedEntryCount: failFirst ? 1 : 0,
      Entries: input.Entries!.map((_, i) =>
        failFirst && i === 0
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal error' }
          : { EventId: `e${i}` },
      ),
    };
  });

  server = await new FakeApiServer().start();
  const pod = canaryPod();
  server.add('pods', pod);
  // A sibling that fails validation (and carries the canary too): exercises the skip-and-log path.
  const invalid = canaryPod();
  invalid.metadata.name = 'invalid';
  invalid.metadata.uid = 'uid-invalid';
  invalid.status.phase = 'NotAPhase';
  server.add('pods', invalid);
  server.add('events', {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name: 'nginx.1', namespace: 'default', uid: 'ev-1' },
    involvedObject: { kind: 'Pod', name: 'nginx', namespace: 'default', uid: pod.metadata.uid },
    reason: 'BackOff',
    message: 'Back-off restarting failed container nginx in pod nginx_default',
    type: 'Warning',
    count: 3,
    firstTimestamp: '2019-08-09T05:12:30Z',
    lastTimestamp: '2019-08-09T05:13:30Z',
    source: { component: 'kubelet' },
  });

  const logger = new Logger({ serviceName: 'podlife-forwarder', logLevel: 'DEBUG' });
  const client = new EventBridgeClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' },
  });
  fwd = forwarderOn(
    server,
    new EventBridgeSink({ client }),
    { events: true, bus: 'podlife', selector: 'app=canary' },
    { logger },
  );
  const probe = createProbeServer({ metrics: fwd.metrics, isReady: () => fwd.ready });
  const port = await listen(probe, 0, '127.0.0.1');
  await fwd.start();
  // Waits on what reached the bus, not on entry counts: the pod's facts and its Event may
  // travel in one entry (the linger, or a retry's wait, merges them).
  const sent = (text: string) => readablePayloads().some((p) => p.includes(text));
  await waitFor(
    () => server.openWatches === 2 && fwd.sender.idle && sent('"pod":{') && sent('"reason":"BackOff"'),
    'initial sync',
  );

  server.modify('pods', withRestarts(server.get('pods', 'default', 'nginx'), 4));
  const labelOnly = server.get('pods', 'default', 'nginx');
  labelOnly.metadata.labels.other = `x-${CANARY}`;
  server.modify('pods', labelOnly);
  await waitFor(() => sent('"restarts":4') && fwd.sender.idle, 'the update');
  server.dropWatches();
  await waitFor(() => server.openWatches === 2, 'the watches back');
  server.expire();
  await waitFor(() => server.lists('pods') >= 2 && server.openWatches === 2, 'the relist');
  cachedWhileLive = JSON.stringify(fwd.cachedObjects());
  server.remove('pods', 'default', 'nginx');
  await waitFor(() => sent('"deleted":true') && fwd.sender.idle, 'the deletion');

  for (const path of ['/metrics', '/healthz', '/readyz', '/nope']) {
    probeBodies.push(await (await fetch(`http://127.0.0.1:${port}${path}`)).text());
  }
  metricsBody = probeBodies[0]!;
  await fwd.stop();
  await new Promise<void>((r) => probe.close(() => r()));
  await server.close();
  vi.restoreAllMocks();
});

afterAll(() => {
  ebMock.restore();
  if (process.env.SHOW_LOGS) console.log(output.join(''));
});

/**
 * Every PutEvents call as text, with compressed facts (the default payload) inflated: a secret
 * must not hide in a DEFLATE stream either.
 */
function readablePayloads(): string[] {
  return ebMock.commandCalls(PutEventsCommand).map((c) => {
    const input = c.args[0].input as PutEventsCommandInput;
    const entries = input.Entries!.map((e) => {
      const d = JSON.parse(e.Detail!);
      if (d.factsDeflate) d.facts = wireFactsOf(PodFactsDetail.parse(d));
      return { ...e, Detail: d };
    });
    return JSON.stringify({ ...input, Entries: entries });
  });
}

describe('a canary secret in the pod never leaves the forwarder', () => {
  it('the test really exercised the paths (positive control)', () => {
    const details = readablePayloads().flatMap((p) =>
      JSON.parse(p).Entries.map((e: { Detail: unknown }) => e.Detail),
    );
    const nginx = details.filter((d) => d.name === 'nginx');
    // The first delta with the pod's identity, then the restart, then the deletion.
    expect(nginx[0].facts.pod).toBeDefined();
    expect(nginx.some((d) => d.facts.containers?.some((c: { restarts?: number }) => c.restarts === 4))).toBe(
      true,
    );
    expect(nginx.some((d) => d.facts.deleted === true)).toBe(true);
    expect(
      details.some((d) => d.facts?.events?.some((e: { reason: string }) => e.reason === 'BackOff')),
    ).toBe(true);
    // The default payload is readable as sent (compressed only past 64 KB): what is checked
    // below is what the bus gets, not an inflated copy.
    const raw = ebMock.commandCalls(PutEventsCommand).map((c) => JSON.stringify(c.args[0].input));
    expect(raw.some((r) => r.includes('factsDeflate'))).toBe(false);
    expect(raw.some((r) => r.includes('\\"facts\\":{'))).toBe(true);
    expect(fwd.metrics.skippedInvalid.get({ resource: 'pods' })).toBe(1);
    expect(fwd.metrics.skippedNoop.get({ resource: 'pods' })).toBeGreaterThanOrEqual(1);
    expect(fwd.metrics.retried.total()).toBeGreaterThanOrEqual(1);
    const logs = output.join('');
    for (const msg of ['listed', 'watch failed', 'some entries failed', 'skipped', 'forwarder stopped']) {
      expect(logs).toContain(msg);
    }
    expect(metricsBody).toContain('podlife_forwarder_forwarded_total');
  });

  it('is in no PutEvents payload', () => {
    const payloads = readablePayloads();
    expect(payloads.length).toBeGreaterThan(0);
    for (const p of payloads) expect(p).not.toContain(CANARY);
    // Nor anything else of the spec or metadata that the contract leaves out.
    for (const p of payloads) {
      for (const word of [
        'DB_PASSWORD',
        'last-applied-configuration',
        'managedFields',
        'envFrom',
        '--password',
      ]) {
        expect(p).not.toContain(word);
      }
    }
  });

  it('is in no log line', () => {
    const logs = output.join('');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(CANARY);
    expect(logs).not.toContain('DB_PASSWORD');
  });

  it('is not in /metrics or any probe answer, and metric labels carry no pod names', () => {
    for (const b of probeBodies) expect(b).not.toContain(CANARY);
    expect(metricsBody).not.toContain('nginx');
    expect(metricsBody).not.toContain('default');
  });

  it('is not even kept in the informers’ memory', () => {
    const cached = cachedWhileLive;
    expect(cached).toContain('"name":"nginx"');
    expect(cached).not.toContain(CANARY);
    expect(cached).not.toContain('DB_PASSWORD');
  });
});
