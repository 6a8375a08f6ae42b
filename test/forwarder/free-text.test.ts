/**
 * Application-written text (termination messages, probe and hook output in Event messages)
 * does not leave the forwarder unless `--forward-messages` is given; the scheduler's and the
 * kubelet's messages do (docs/forwarder.md, "Free text"). Real pods and Events carry canaries
 * where applications write; the forwarder runs against a local API server with each payload
 * mode, both ways, and every PutEvents call is searched (DEFLATE payloads inflated first), and
 * so is every log line.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WITHHELD, withholdEventText, withholdSnapshotText } from '../../core/free-text.ts';
import { PodFactsDetail, wireFactsOf } from '../../core/pod-facts.ts';
import { compactEventOf, snapshotOf } from '../../core/snapshot.ts';
import type { Payload } from '../../forwarder/flags.ts';
import { PayloadEncoder } from '../../forwarder/payload.ts';
import { trimEvent, trimPod } from '../../forwarder/pipeline/trim.ts';
import { EventBridgeSink } from '../../forwarder/sinks.ts';
import { FakeApiServer, type Obj } from '../../testkit/fake-apiserver.ts';
import { fixtureObjects, forwarderOn, waitFor } from './helpers.ts';

/** Where an application writes, one canary each. */
const CANARY = {
  termination: 'canary-term-postgres-pw-7Q',
  probe: 'canary-probe-bearer-9Z',
  hook: 'canary-hook-token-3K',
  noUid: 'canary-nouid-probe-5M',
};

/** System text the figures and the timeline need, from the same real objects. */
const SYSTEM = {
  failedScheduling: '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.',
  unschedulableCondition: "0/2 nodes are available: 1 node(s) didn't have free ports",
  crashLoop: 'back-off 5m0s restarting failed container=vsystem-hana-init',
  probePrefix: 'Liveness probe failed: ',
};

const pod = (o: Obj): Obj => ({ kind: 'Pod', apiVersion: 'v1', ...structuredClone(o) });

/** A real init container in CrashLoopBackOff whose last run's termination message leaks a password. */
function crashLoopPod(): Obj {
  const p = pod(fixtureObjects('insights-operator__vsystem-init-crashloopbackoff.json')[0]);
  const last = p.status.initContainerStatuses[0].lastState.terminated;
  last.message = `${last.message}; dsn=postgres://admin:${CANARY.termination}@hana:5432/app`;
  return p;
}

/** Real Events (minikube), with an exec probe's, a hook's and an uid-less probe's output made secret. */
function events(crashUid: string): Obj[] {
  const def = fixtureObjects('devops2-volodymyr__minikube-default-eventlist.json');
  const sys = fixtureObjects('devops2-volodymyr__minikube-kube-system-eventlist.json');
  const failedScheduling = structuredClone(def.find((e) => e.reason === 'FailedScheduling')!);
  const unhealthy = structuredClone(sys.find((e) => e.reason === 'Unhealthy')!);
  unhealthy.message = `Liveness probe failed: curl: (22) 401 for Authorization: Bearer ${CANARY.probe}`;
  const hook = structuredClone(unhealthy);
  hook.metadata = { ...hook.metadata, name: `${hook.metadata.name}-hook`, uid: 'ev-hook' };
  hook.reason = 'FailedPostStartHook';
  hook.message = `Exec lifecycle hook ([/bin/sh -c register --token ${CANARY.hook}]) for Container "coredns" failed - error: exit 1, message: ""`;
  // An Event naming its pod without a uid: sent as `Pod Event`, not as Pod Facts.
  const noUid = structuredClone(unhealthy);
  noUid.metadata = { ...noUid.metadata, name: `${noUid.metadata.name}-nouid`, uid: 'ev-nouid' };
  noUid.involvedObject = { ...noUid.involvedObject, uid: undefined, name: 'legacy-pod' };
  noUid.message = `Readiness probe failed: ${CANARY.noUid}`;
  // The crash-looping pod's own probe Event (joins its Pod Facts entry).
  const own = structuredClone(unhealthy);
  own.metadata = { ...own.metadata, name: 'vsystem.own', uid: 'ev-own' };
  own.involvedObject = {
    kind: 'Pod',
    namespace: 'di-288312',
    name: 'vsystem-867f4b77cc-pqcns',
    uid: crashUid,
  };
  return [failedScheduling, unhealthy, hook, noUid, own].map((e) => ({
    kind: 'Event',
    apiVersion: 'v1',
    ...e,
  }));
}

const ebMock = mockClient(EventBridgeClient);

interface Run {
  /** Every PutEvents input as JSON text: exactly what went to the bus. */
  raw: string[];
  /** The same with each `factsDeflate` inflated into `facts`. */
  readable: string[];
  logs: string;
  /** What the informers held in memory once everything was sent. */
  cached: string;
}

/** Every PutEvents call as text, with compressed facts inflated (as canary.test.ts does). */
function inflated(inputs: PutEventsCommandInput[]): string[] {
  return inputs.map((input) => {
    const entries = input.Entries!.map((e) => {
      const d = JSON.parse(e.Detail!);
      if (d.factsDeflate) d.facts = wireFactsOf(PodFactsDetail.parse(d));
      return { ...e, Detail: d };
    });
    return JSON.stringify({ ...input, Entries: entries });
  });
}

async function runForwarder(payload: Payload, forwardMessages: boolean): Promise<Run> {
  ebMock.reset();
  ebMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
    FailedEntryCount: 0,
    Entries: input.Entries!.map((_, i) => ({ EventId: `e${i}` })),
  }));
  const logs: string[] = [];
  const record =
    (level: string) =>
    (...args: unknown[]) =>
      logs.push(`${level} ${JSON.stringify(args)}`);
  const logger = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
  const server = await new FakeApiServer().start();
  const crash = crashLoopPod();
  server.add('pods', crash);
  server.add('pods', pod(fixtureObjects('insights-operator__router-default-unschedulable.json')[0]));
  for (const e of events(crash.metadata.uid)) server.add('events', e);
  const client = new EventBridgeClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' },
  });
  const fwd = forwarderOn(
    server,
    new EventBridgeSink({ client }),
    { events: true, bus: 'podlife', payload, forwardMessages },
    { logger: logger as never },
  );
  await fwd.start();
  const inputs = () =>
    ebMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input as PutEventsCommandInput);
  // Everything sent: both pods and the five Events (each reason, and the uid-less pod's name).
  const expected = [
    'vsystem-867f4b77cc-pqcns',
    'router-default',
    'FailedScheduling',
    'FailedPostStartHook',
    'legacy-pod',
    'ev-own',
  ];
  await waitFor(() => {
    if (!fwd.sender.idle || server.openWatches < 2) return false;
    const text = inflated(inputs()).join('\n');
    return expected.every((w) => text.includes(w));
  }, `everything sent (${payload})`);
  const cached = JSON.stringify(fwd.cachedObjects());
  await fwd.stop();
  await server.close();
  return {
    raw: inputs().map((i) => JSON.stringify(i)),
    readable: inflated(inputs()),
    logs: logs.join('\n'),
    cached,
  };
}

const MODES: Payload[] = ['facts', 'facts-json', 'snapshot'];
const runs = new Map<string, Run>();

beforeAll(async () => {
  for (const payload of MODES)
    for (const forward of [false, true])
      runs.set(`${payload}/${forward}`, await runForwarder(payload, forward));
}, 120_000);

afterAll(() => {
  ebMock.restore();
});

describe.each(MODES)('--payload %s', (payload) => {
  it('by default: no canary in any byte sent (inflated too), any log line, or the informers’ memory', () => {
    const run = runs.get(`${payload}/false`)!;
    expect(run.raw.length).toBeGreaterThan(0);
    for (const text of [...run.raw, ...run.readable, run.logs]) {
      for (const canary of Object.values(CANARY)) expect(text).not.toContain(canary);
    }
    // Not even in the informers' memory (the cache holds the objects trimmed and withheld).
    expect(run.cached).toContain('vsystem-867f4b77cc-pqcns');
    for (const canary of Object.values(CANARY)) expect(run.cached).not.toContain(canary);
    // Withheld, not silently dropped: the marker stands where the text was.
    const all = run.readable.join('\n');
    expect(all).toContain(WITHHELD);
    expect(all).toContain(`${SYSTEM.probePrefix}${WITHHELD}`);
  });

  it('by default: the scheduler’s and the kubelet’s messages are sent', () => {
    const all = runs.get(`${payload}/false`)!.readable.join('\n');
    for (const text of Object.values(SYSTEM)) expect(all).toContain(text);
  });

  it('with --forward-messages: every canary is sent, and the system messages too', () => {
    const run = runs.get(`${payload}/true`)!;
    const all = run.readable.join('\n');
    for (const canary of Object.values(CANARY)) expect(all).toContain(canary);
    for (const text of Object.values(SYSTEM)) expect(all).toContain(text);
    expect(all).not.toContain(WITHHELD);
    // The logs stay free of messages either way.
    for (const canary of Object.values(CANARY)) expect(run.logs).not.toContain(canary);
  });
});

it('the default payload is readable as sent (no factsDeflate under 64 KB): withheld text is absent from the raw calls themselves', () => {
  const run = runs.get('facts/true')!;
  expect(run.raw.join('\n')).not.toContain('factsDeflate');
  expect(run.raw.join('\n')).toContain(CANARY.termination);
  const withheld = runs.get('facts/false')!;
  for (const canary of Object.values(CANARY)) expect(withheld.raw.join('\n')).not.toContain(canary);
});

describe('PayloadEncoder (podlife local’s replay)', () => {
  const crash = crashLoopPod();
  const snap = snapshotOf(crash, { cluster: 'c', type: 'ADDED' });
  const evs = events(crash.metadata.uid).map((e) => compactEventOf(e)!);
  const encode = (enc: PayloadEncoder) =>
    inflated([
      {
        Entries: [enc.snapshot(snap)!, ...evs.map((e) => enc.event('c', e)!)].map((p) => ({
          DetailType: p.detailType,
          Detail: JSON.stringify(p.detail),
        })),
      },
    ]).join('\n');

  it.each([true, false])(
    'compress %s: keeps messages by default (nothing leaves the machine)',
    (compress) => {
      const text = encode(new PayloadEncoder({ compress }));
      for (const canary of Object.values(CANARY)) expect(text).toContain(canary);
    },
  );

  it.each([true, false])(
    'compress %s: forwardMessages false is what a default forwarder sends',
    (compress) => {
      const text = encode(new PayloadEncoder({ compress, forwardMessages: false }));
      for (const canary of Object.values(CANARY)) expect(text).not.toContain(canary);
      for (const s of Object.values(SYSTEM).filter((s) => !s.includes('free ports')))
        expect(text).toContain(s);
    },
  );
});

describe('the informer cache (trimPod, trimEvent with withhold)', () => {
  it('holds what the snapshot would send, so resyncs from it send the same', () => {
    const crash = crashLoopPod();
    const ctx = { cluster: 'c', type: 'MODIFIED' as const };
    expect(snapshotOf(trimPod(crash, true), ctx)).toEqual(withholdSnapshotText(snapshotOf(crash, ctx)));
    expect(JSON.stringify(trimPod(crash, true))).not.toContain(CANARY.termination);
    expect(JSON.stringify(trimPod(crash))).toContain(CANARY.termination);
    for (const e of events(crash.metadata.uid)) {
      expect(compactEventOf(trimEvent(e, true))).toEqual(withholdEventText(compactEventOf(e)!));
    }
  });
});
