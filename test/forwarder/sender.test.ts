/**
 * The sender against EventBridge faults, with aws-sdk-client-mock in place of the service:
 * entry size as EventBridge computes it, batching (≤ 10 entries, ≤ 256 KB per call), partial
 * failures (only the failed entries are retried), throttling (exponential back-off with full
 * jitter), a 5-minute outage under load on a virtual clock (bounded buffer, superseded
 * snapshots dropped first, every pod's latest state delivered afterwards, every drop counted),
 * graceful shutdown, and the local and stdout sinks.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { factsOfSnapshot } from '../../core/facts.ts';
import { factsOfDetail, PodFactsDetail, podFactsDetail } from '../../core/pod-facts.ts';
import { snapshotOf } from '../../core/snapshot.ts';
import { ForwarderMetrics } from '../../forwarder/metrics.ts';
import type { EntryMeta, Outgoing } from '../../forwarder/pipeline/buffer.ts';
import {
  buildEntry,
  cutMessages,
  entrySize,
  MAX_ENTRY_BYTES,
  TARGET_ENTRY_BYTES,
} from '../../forwarder/pipeline/encode.ts';
import { Sender } from '../../forwarder/pipeline/send.ts';
import {
  type Entry,
  EventBridgeSink,
  LocalSink,
  type LocalSinkRequest,
  StdoutSink,
} from '../../forwarder/sinks.ts';
import { prng } from '../../testkit/churn.ts';
import { kindPods, VirtualClock, waitFor } from './helpers.ts';

const ebMock = mockClient(EventBridgeClient);
const client = new EventBridgeClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
});

beforeEach(() => ebMock.reset());
afterEach(() => ebMock.reset());

function out(key: string, version: number, detail: object = {}): Outgoing {
  const meta: EntryMeta = { key, kind: 'pod', uid: key, namespace: 'ns', name: key, deleted: false };
  const entry: Entry = {
    Source: 'podlife.forwarder',
    DetailType: 'Pod Snapshot',
    Detail: JSON.stringify({ key, version, ...detail }),
    EventBusName: 'podlife',
  };
  return { meta, entry, size: entrySize(entry) };
}

const detailOf = (e: { Detail?: string | undefined }) =>
  JSON.parse(e.Detail!) as { key: string; version: number };
const putInputs = () =>
  ebMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input as PutEventsCommandInput);

/** Answers PutEvents with success for every entry. */
function ok(input: PutEventsCommandInput) {
  return { FailedEntryCount: 0, Entries: input.Entries!.map((_, i) => ({ EventId: `id-${i}` })) };
}

function sender(opts: Partial<ConstructorParameters<typeof Sender>[0]> = {}) {
  const metrics = new ForwarderMetrics();
  const s = new Sender({
    sink: new EventBridgeSink({ client }),
    metrics,
    lingerMs: 0,
    backoffBaseMs: 1,
    backoffCapMs: 5,
    ...opts,
  });
  return { s, metrics };
}

describe('entry size, the way EventBridge computes it', () => {
  it('counts the UTF-8 bytes of Source, DetailType, Detail and Resources, 14 for Time, nothing for EventBusName', () => {
    const base = { Source: 'podlife.forwarder', DetailType: 'Pod Snapshot', Detail: '{"a":"b"}' };
    expect(entrySize(base)).toBe(17 + 12 + 9);
    expect(entrySize({ ...base, EventBusName: 'a-very-long-bus-name' } as never)).toBe(38);
    expect(entrySize({ ...base, Time: new Date() })).toBe(38 + 14);
    expect(entrySize({ ...base, Resources: ['arn:x', 'é'] })).toBe(38 + 5 + 2);
    expect(entrySize({ ...base, Detail: '{"m":"é€😀"}' })).toBe(17 + 12 + 8 + 2 + 3 + 4);
  });

  it('real pods fit in well under 64 KB', () => {
    for (const p of kindPods()) {
      const b = buildEntry(
        'podlife.forwarder',
        'Pod Snapshot',
        snapshotOf(p, { cluster: 'c', type: 'ADDED' }),
      );
      expect(b.ok && !b.trimmed && b.size < 4 * 1024).toBe(true);
    }
  });

  it('a pod over 64 KB gets its messages cut; one that cannot fit 256 KB is refused', () => {
    const pod = structuredClone(kindPods().find((p) => p.status?.containerStatuses?.length));
    const template = pod.status.containerStatuses[0];
    const long = 'x'.repeat(5000);
    // 60 containers, each with a long waiting message: about 60 * 5 KB = 300 KB raw.
    pod.status.containerStatuses = Array.from({ length: 60 }, (_, i) => ({
      ...template,
      name: `c${i}`,
      state: { waiting: { reason: 'CrashLoopBackOff', message: long } },
    }));
    const snap = snapshotOf(pod, { cluster: 'c', type: 'MODIFIED' });
    const b = buildEntry('podlife.forwarder', 'Pod Snapshot', snap);
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    expect(b.trimmed).toBe(true);
    expect(b.size).toBeLessThanOrEqual(TARGET_ENTRY_BYTES);
    const detail = JSON.parse(b.entry.Detail);
    expect(detail.pod.containerStatuses[0].state.waiting.reason).toBe('CrashLoopBackOff');
    expect(detail.pod.containerStatuses[0].state.waiting.message.length).toBeLessThanOrEqual(256);

    // Thousands of containers: even without messages it is over 256 KB.
    const huge = {
      ...snap,
      pod: {
        ...snap.pod,
        containerStatuses: Array.from({ length: 6000 }, (_, i) => ({
          name: `container-${i}`,
          restartCount: i,
          ready: true,
        })),
      },
    };
    const h = buildEntry('podlife.forwarder', 'Pod Snapshot', huge);
    expect(h.ok).toBe(false);
    expect(h.size).toBeGreaterThanOrEqual(MAX_ENTRY_BYTES);
  });

  it('Pod Facts over 64 KB even compressed get their messages cut before compression, and stay valid', () => {
    const pod = structuredClone(kindPods().find((p) => p.status?.containerStatuses?.length));
    const template = pod.status.containerStatuses[0];
    // Messages DEFLATE cannot shrink (random text): 80 containers × 1,024 characters.
    const rnd = prng(5);
    const noise = () =>
      Array.from({ length: 1024 }, () => String.fromCharCode(33 + Math.floor(rnd() * 90))).join('');
    pod.status.containerStatuses = Array.from({ length: 80 }, (_, i) => ({
      ...template,
      name: `c${i}`,
      state: { waiting: { reason: 'CrashLoopBackOff', message: noise() } },
    }));
    const snap = snapshotOf(pod, { cluster: 'c', type: 'MODIFIED' });
    const facts = factsOfSnapshot(snap);
    const id = { cluster: 'c', namespace: snap.pod.namespace, name: snap.pod.name, uid: snap.pod.uid };
    const make = (cut?: number) =>
      podFactsDetail(id, cut ? cutMessages(facts, cut) : facts, { compress: true });
    expect(JSON.stringify(make()).length).toBeGreaterThan(TARGET_ENTRY_BYTES);
    const b = buildEntry('podlife.forwarder', 'Pod Facts', make);
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    expect(b.trimmed).toBe(true);
    expect(b.size).toBeLessThanOrEqual(TARGET_ENTRY_BYTES);
    const back = factsOfDetail(PodFactsDetail.parse(JSON.parse(b.entry.Detail)));
    const waiting = back.filter((f) => f.kind === 'waiting');
    expect(waiting).toHaveLength(80);
    expect(waiting.every((w) => w.kind === 'waiting' && w.reason === 'CrashLoopBackOff')).toBe(true);
    expect(waiting.every((w) => w.kind === 'waiting' && (w.message?.length ?? 0) <= 256)).toBe(true);
  });

  it('cutMessages only touches strings under a "message" key', () => {
    expect(cutMessages({ message: 'abcdef', reason: 'abcdef', x: [{ message: 'abcdef' }] }, 4)).toEqual({
      message: 'abc…',
      reason: 'abcdef',
      x: [{ message: 'abc…' }],
    });
  });
});

describe('batching and retries with PutEvents', () => {
  it('sends at most 10 entries per call, oldest first', async () => {
    ebMock.on(PutEventsCommand).callsFake(ok);
    const { s, metrics } = sender();
    for (let i = 0; i < 25; i++) s.enqueue(out(`p${i}`, 1));
    while ((await s.sendOnce()) !== 'idle') {}
    expect(putInputs().map((i) => i.Entries!.length)).toEqual([10, 10, 5]);
    expect(putInputs().flatMap((i) => i.Entries!.map((e) => detailOf(e).key))).toEqual(
      Array.from({ length: 25 }, (_, i) => `p${i}`),
    );
    expect(metrics.forwarded.total()).toBe(25);
    expect(metrics.putCalls.get({ outcome: 'ok' })).toBe(3);
  });

  it('keeps each call under 256 KB', async () => {
    ebMock.on(PutEventsCommand).callsFake(ok);
    const { s } = sender();
    for (let i = 0; i < 6; i++) s.enqueue(out(`big${i}`, 1, { pad: 'y'.repeat(100 * 1024) }));
    while ((await s.sendOnce()) !== 'idle') {}
    const sizes = putInputs().map((i) =>
      i.Entries!.reduce(
        (n, e) =>
          n + entrySize({ Source: e.Source!, DetailType: e.DetailType!, Detail: e.Detail, Time: e.Time }),
        0,
      ),
    );
    expect(putInputs().map((i) => i.Entries!.length)).toEqual([2, 2, 2]);
    expect(sizes.every((b) => b <= 256 * 1024)).toBe(true);
  });

  it('partial failure (FailedEntryCount): retries exactly the failed entries', async () => {
    let call = 0;
    ebMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      if (call++ > 0) return ok(input);
      return {
        FailedEntryCount: 3,
        Entries: input.Entries!.map((_, i) =>
          [1, 4, 7].includes(i)
            ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }
            : { EventId: `id-${i}` },
        ),
      };
    });
    const { s, metrics } = sender();
    for (let i = 0; i < 10; i++) s.enqueue(out(`p${i}`, 1));
    expect(await s.sendOnce()).toBe('partial');
    while (!s.idle) await s.sendOnce();
    const [first, second] = putInputs();
    expect(first!.Entries).toHaveLength(10);
    expect(second!.Entries!.map((e) => detailOf(e).key)).toEqual(['p1', 'p4', 'p7']);
    expect(putInputs()).toHaveLength(2);
    expect(metrics.failed.get({ reason: 'entry' })).toBe(3);
    expect(metrics.retried.total()).toBe(3);
    expect(metrics.forwarded.total()).toBe(10);
    expect(metrics.dropped.total()).toBe(0);
  });

  it('an entry the bus rejects as malformed is dropped (counted), not retried forever', async () => {
    ebMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
      FailedEntryCount: 1,
      Entries: input.Entries!.map((e, i) =>
        detailOf(e).key === 'bad'
          ? { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' }
          : { EventId: `${i}` },
      ),
    }));
    const { s, metrics } = sender();
    s.enqueue(out('good', 1));
    s.enqueue(out('bad', 1));
    while (!s.idle) await s.sendOnce();
    expect(putInputs()).toHaveLength(1);
    expect(metrics.dropped.get({ reason: 'rejected' })).toBe(1);
    expect(metrics.forwarded.total()).toBe(1);
  });

  it('a whole call refused for good (ValidationException) for one bad entry: it is found alone, rejected with a log line naming it, the rest go on', async () => {
    const invalid = Object.assign(new Error('Total size of the entries in the request is over the limit.'), {
      name: 'ValidationException',
    });
    ebMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      if (input.Entries!.some((e) => detailOf(e).key === 'bad')) throw invalid;
      return ok(input);
    });
    const logged: { level: string; msg: string; extra: Record<string, unknown> }[] = [];
    const log = (level: string) => (msg: string, extra?: Record<string, unknown>) =>
      logged.push({ level, msg, extra: extra ?? {} });
    const { s, metrics } = sender({
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } as never,
    });
    for (let i = 0; i < 25; i++) s.enqueue(out(i === 3 ? 'bad' : `p${i}`, 1));
    for (let guard = 0; !s.idle && guard < 200; guard++) await s.sendOnce();
    expect(s.idle).toBe(true);
    expect(metrics.forwarded.total()).toBe(24);
    expect(metrics.dropped.get({ reason: 'rejected' })).toBe(1);
    expect(metrics.dropped.total()).toBe(1);
    const delivered = ebMock
      .commandCalls(PutEventsCommand)
      .filter((c) => !c.args[0].input.Entries!.some((e) => detailOf(e).key === 'bad'))
      .flatMap((c) => c.args[0].input.Entries!.map((e) => detailOf(e).key));
    expect(delivered.sort()).toEqual(
      Array.from({ length: 25 }, (_, i) => `p${i}`)
        .filter((k) => k !== 'p3')
        .sort(),
    );
    // The bad entry was sent at most twice (in its batch, then alone); the others of its batch
    // once alone each, the rest in full batches.
    expect(ebMock.commandCalls(PutEventsCommand).length).toBeLessThanOrEqual(1 + 10 + 2);
    const rejected = logged.filter((l) => l.level === 'error');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({
      msg: 'entry rejected by the sink, dropped',
      extra: { code: 'ValidationException', uid: 'bad', namespace: 'ns', name: 'bad' },
    });
  });

  it('an entry failing individually again and again (partial failures): retried with back-off until its attempts run out, the others go on', async () => {
    const clock = new VirtualClock();
    ebMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      const Entries = input.Entries!.map((e, i) =>
        detailOf(e).key === 'stuck'
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }
          : { EventId: `id-${i}` },
      );
      return { FailedEntryCount: Entries.filter((e) => 'ErrorCode' in e).length, Entries };
    });
    const { s, metrics } = sender({
      now: clock.now,
      random: () => 0.999,
      backoffBaseMs: 100,
      backoffCapMs: 1000,
      maxEntryAttempts: 5,
    });
    const sendTimes: number[] = [];
    s.enqueue(out('stuck', 1));
    for (let i = 0; i < 30; i++) {
      s.enqueue(out(`p${i}`, 1));
      const r = await s.sendOnce();
      if (r === 'partial') sendTimes.push(clock.t);
      clock.t += 1;
    }
    for (let guard = 0; !s.idle && guard < 100_000; guard++) {
      const r = await s.sendOnce();
      if (r === 'partial') sendTimes.push(clock.t);
      if (r === 'paused' || r === 'idle') clock.t += 1;
    }
    expect(s.idle).toBe(true);
    // Every other entry reached the bus; the stuck one was given up after its 5 attempts.
    expect(metrics.forwarded.total()).toBe(30);
    expect(metrics.dropped.get({ reason: 'rejected' })).toBe(1);
    expect(metrics.dropped.total()).toBe(1);
    expect(sendTimes).toHaveLength(5);
    // The retries waited a growing back-off: floor(0.999 * 100 * 2^k) ms at least.
    const gaps = sendTimes.slice(1).map((t, i) => t - sendTimes[i]!);
    for (const [k, g] of gaps.entries()) expect(g).toBeGreaterThanOrEqual(Math.floor(0.999 * 100 * 2 ** k));
  });

  it('throttling entry by entry (ThrottlingException in the result), longer than maxEntryAttempts rounds: nothing is dropped, all delivered once it ends', async () => {
    const clock = new VirtualClock();
    let throttledCalls = 0;
    ebMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      if (throttledCalls++ >= 12) return ok(input);
      // The bus takes the first entry of each call and throttles the others.
      const Entries = input.Entries!.map((_, i) =>
        i === 0
          ? { EventId: `id-${i}` }
          : { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
      );
      return { FailedEntryCount: Entries.length - 1, Entries };
    });
    const { s, metrics } = sender({
      now: clock.now,
      backoffBaseMs: 10,
      backoffCapMs: 100,
      maxEntryAttempts: 3,
    });
    for (let i = 0; i < 20; i++) s.enqueue(out(`p${i}`, 1));
    for (let guard = 0; !s.idle && guard < 100_000; guard++) {
      const r = await s.sendOnce();
      if (r === 'paused') clock.t += 1;
    }
    expect(throttledCalls).toBeGreaterThan(12);
    expect(metrics.dropped.total()).toBe(0);
    expect(metrics.forwarded.total()).toBe(20);
    const delivered = putInputs().flatMap((input, call) =>
      input.Entries!.filter((_, i) => call >= 12 || i === 0).map((e) => detailOf(e).key),
    );
    expect(delivered.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}`).sort());
  });

  it('throttling: whole calls fail, back-off grows exponentially with full jitter, nothing is lost', async () => {
    const clock = new VirtualClock();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    let call = 0;
    ebMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      if (call++ < 4) throw throttled;
      return ok(input);
    });
    const waits: number[] = [];
    const { s, metrics } = sender({
      now: clock.now,
      random: () => 0.999,
      backoffBaseMs: 100,
      backoffCapMs: 1000,
      maxEntryAttempts: 2,
    });
    for (let i = 0; i < 15; i++) s.enqueue(out(`p${i}`, 1));
    let last = clock.t;
    for (let guard = 0; !s.idle && guard < 10_000; guard++) {
      const r = await s.sendOnce();
      if (r === 'paused') {
        clock.t += 1;
        continue;
      }
      if (r === 'error') {
        waits.push(clock.t - last);
        last = clock.t;
      }
    }
    // 4 throttled calls, then the 15 entries in 2 calls.
    expect(ebMock.commandCalls(PutEventsCommand)).toHaveLength(4 + 2);
    // Waits between the failed calls: floor(0.999 * 100 * 2^k) ms.
    expect(waits.slice(1)).toEqual([99, 199, 399]);
    expect(metrics.failed.get({ reason: 'call' })).toBe(40);
    expect(metrics.retried.total()).toBe(40);
    expect(metrics.forwarded.total()).toBe(15);
    // Whole-call failures do not use up an entry's attempts (maxEntryAttempts is 2 here).
    expect(metrics.dropped.total()).toBe(0);
  });

  it('full jitter: the delay is random in [0, step)', async () => {
    const clock = new VirtualClock();
    ebMock.on(PutEventsCommand).rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    const { s } = sender({ now: clock.now, random: () => 0.25, backoffBaseMs: 1000, backoffCapMs: 60_000 });
    s.enqueue(out('p', 1));
    expect(await s.sendOnce()).toBe('error');
    clock.t += 249;
    expect(await s.sendOnce()).toBe('paused');
    clock.t += 1;
    expect(await s.sendOnce()).toBe('error');
    clock.t += 499; // second step: 2000 ms * 0.25
    expect(await s.sendOnce()).toBe('paused');
    clock.t += 1;
    expect(await s.sendOnce()).toBe('error');
  });
});

describe('per-key linger (keyLingerMs)', () => {
  it('an entry waits its linger; a newer delta of the key taken back within it leaves as one entry', async () => {
    const clock = new VirtualClock();
    ebMock.on(PutEventsCommand).callsFake(ok);
    const { s, metrics } = sender({ now: clock.now, keyLingerMs: 1500, lingerMs: 200 });
    s.enqueue(out('p', 1));
    expect(s.nextSendIn()).toBe(1500);
    clock.t += 1000;
    expect(await s.sendOnce()).toBe('idle');
    // The pod's next delta: the waiting entry is taken back and merged (here: replaced).
    const waiting = s.takeUnsent('p');
    expect(waiting?.first).toBe(clock.t - 1000);
    s.enqueue({ ...out('p', 2), first: waiting!.first });
    expect(s.size).toBe(1);
    clock.t += 1499;
    expect(await s.sendOnce()).toBe('idle');
    clock.t += 1;
    // Lingered; a partial batch then waits lingerMs for company.
    expect(s.nextSendIn()).toBe(200);
    clock.t += 200;
    expect(s.nextSendIn()).toBe(0);
    expect(await s.sendOnce()).toBe('ok');
    expect(putInputs().flatMap((i) => i.Entries!.map(detailOf))).toEqual([{ key: 'p', version: 2 }]);
    expect(metrics.coalesced.total()).toBe(1);
  });

  it('ten lingered entries go at once; an entry still lingering stays behind', async () => {
    const clock = new VirtualClock();
    ebMock.on(PutEventsCommand).callsFake(ok);
    const { s } = sender({ now: clock.now, keyLingerMs: 1000, lingerMs: 200 });
    for (let i = 0; i < 10; i++) s.enqueue(out(`a${i}`, 1));
    clock.t += 500;
    s.enqueue(out('late', 1));
    clock.t += 500;
    expect(s.nextSendIn()).toBe(0);
    expect(await s.sendOnce()).toBe('ok');
    expect(putInputs()[0]!.Entries).toHaveLength(10);
    expect(await s.sendOnce()).toBe('idle');
    expect(s.size).toBe(1);
  });

  it('no entry waits past maxKeyLingerMs: an old entry is not taken back any more', () => {
    const clock = new VirtualClock();
    const { s } = sender({ now: clock.now, keyLingerMs: 1000, maxKeyLingerMs: 4000 });
    s.enqueue(out('p', 1));
    const first = clock.t;
    for (let v = 2; v <= 4; v++) {
      clock.t += 900; // a pod that keeps changing within its linger
      const w = s.takeUnsent('p');
      expect(w?.first).toBe(first);
      s.enqueue({ ...out('p', v), first: w!.first });
    }
    clock.t += 900; // 3600 ms since the first delta: + 1000 of linger would pass 4000
    expect(s.takeUnsent('p')).toBeUndefined();
    s.enqueue(out('p', 5));
    expect(s.size).toBe(2);
  });

  it('shutdown does not linger: close() sends every lingering entry', async () => {
    ebMock.on(PutEventsCommand).callsFake(ok);
    const { s, metrics } = sender({ keyLingerMs: 60_000, lingerMs: 60_000 });
    s.start();
    for (let i = 0; i < 15; i++) s.enqueue(out(`p${i}`, 1));
    await s.close(5_000);
    expect(metrics.forwarded.total()).toBe(15);
    expect(metrics.dropped.total()).toBe(0);
  });
});

describe('a 5-minute outage under load', () => {
  it('memory stays bounded, only superseded snapshots are dropped, every pod ends with its latest state', async () => {
    const clock = new VirtualClock();
    const OUTAGE = [60_000, 360_000] as const;
    ebMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      const t = clock.t - start;
      if (t >= OUTAGE[0] && t < OUTAGE[1])
        throw Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' });
      return ok(input);
    });
    const start = clock.t;
    const PODS = 300;
    const MAX = 1000;
    // What the informer cache would hold: the current version of each pod.
    const current = new Map<string, number>();
    let enqueued = 0;
    const deferredKeys = new Set<string>();
    const metrics = new ForwarderMetrics();
    const s: Sender = new Sender({
      sink: new EventBridgeSink({ client }),
      metrics,
      now: clock.now,
      random: () => 0.5,
      lingerMs: 0,
      backoffBaseMs: 200,
      backoffCapMs: 20_000,
      maxBufferEntries: MAX,
      maxBufferBytes: 1024 * 1024,
      onDeferred: (meta) => deferredKeys.add(meta.key),
      onRoom: (free) => {
        for (const key of [...deferredKeys].slice(0, free / 2)) {
          deferredKeys.delete(key);
          enqueued++;
          s.enqueue(out(key, current.get(key)!));
        }
      },
    });
    let peakEntries = 0;
    let peakBytes = 0;
    // 100 updates per second for 7 minutes; the bus is down from minute 1 to minute 6.
    for (let second = 0; second < 420; second++) {
      for (let k = 0; k < 100; k++) {
        const key = `pod-${(second * 100 + k) % PODS}`;
        const v = (current.get(key) ?? 0) + 1;
        current.set(key, v);
        deferredKeys.delete(key);
        enqueued++;
        s.enqueue(out(key, v));
        peakEntries = Math.max(peakEntries, s.size);
        peakBytes = Math.max(peakBytes, s.bufferedBytes);
      }
      const end = clock.t + 1000;
      while (clock.t < end) {
        const r = await s.sendOnce();
        if (r === 'idle' || r === 'paused') clock.t += 50;
      }
    }
    for (let guard = 0; (!s.idle || deferredKeys.size > 0) && guard < 100_000; guard++) {
      const r = await s.sendOnce();
      if (r === 'idle' && deferredKeys.size > 0) s.enqueue(out('fence', 0));
      if (r === 'idle' || r === 'paused') clock.t += 50;
    }

    // Bounded: never more than the limit (plus one batch being added).
    expect(peakEntries).toBeLessThanOrEqual(MAX);
    expect(peakBytes).toBeLessThanOrEqual(1024 * 1024);
    // The outage really filled the buffer and the policy had to act.
    expect(metrics.dropped.get({ reason: 'superseded' })).toBeGreaterThan(10_000);
    expect(metrics.failed.get({ reason: 'call' })).toBeGreaterThan(0);
    // Only superseded snapshots were given up: no pod's latest state was lost.
    expect(metrics.dropped.get({ reason: 'deferred' })).toBe(0);
    expect(metrics.dropped.get({ reason: 'lost' })).toBe(0);
    const delivered = new Map<string, number>();
    for (const input of putInputs()) {
      for (const e of input.Entries!) {
        const d = detailOf(e);
        if (d.key !== 'fence') delivered.set(d.key, Math.max(delivered.get(d.key) ?? 0, d.version));
      }
    }
    for (const [key, v] of current) expect(delivered.get(key)).toBe(v);
    // Every entry is accounted for: forwarded or dropped for a counted reason.
    const fences = putInputs()
      .flatMap((i) => i.Entries!)
      .filter((e) => detailOf(e).key === 'fence').length;
    expect(metrics.forwarded.total() - fences + metrics.dropped.total()).toBe(enqueued);
    expect(metrics.bufferEntries.get()).toBe(0);
  });

  it('when the buffer holds only latest snapshots, the oldest is deferred (counted) and re-sent once there is room', async () => {
    const clock = new VirtualClock();
    let down = true;
    ebMock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      if (down) throw Object.assign(new Error('down'), { name: 'ServiceUnavailable' });
      return ok(input);
    });
    const deferred: string[] = [];
    const resent: string[] = [];
    const metrics = new ForwarderMetrics();
    const s: Sender = new Sender({
      sink: new EventBridgeSink({ client }),
      metrics,
      now: clock.now,
      lingerMs: 0,
      maxBufferEntries: 100,
      onDeferred: (m) => deferred.push(m.key),
      onRoom: (free) => {
        for (const key of deferred.splice(0, free)) {
          resent.push(key);
          s.enqueue(out(key, 1));
        }
      },
    });
    for (let i = 0; i < 150; i++) s.enqueue(out(`pod-${i}`, 1));
    expect(s.size).toBe(100);
    expect(metrics.dropped.get({ reason: 'deferred' })).toBe(50);
    expect(deferred.slice(0, 3)).toEqual(['pod-0', 'pod-1', 'pod-2']);
    down = false;
    for (let guard = 0; !s.idle && guard < 1000; guard++) {
      if ((await s.sendOnce()) === 'paused') clock.t += 100_000;
    }
    const keys = new Set(putInputs().flatMap((i) => i.Entries!.map((e) => detailOf(e).key)));
    expect(keys.size).toBe(150);
    expect(resent).toHaveLength(50);
  });
});

describe('graceful shutdown', () => {
  it('flushes what is buffered', async () => {
    ebMock.on(PutEventsCommand).callsFake(ok);
    const { s, metrics } = sender({ lingerMs: 60_000 });
    s.start();
    for (let i = 0; i < 23; i++) s.enqueue(out(`p${i}`, 1));
    await s.close(5_000);
    expect(metrics.forwarded.total()).toBe(23);
    expect(metrics.dropped.total()).toBe(0);
  });

  it('drops (and counts) what it could not send before the deadline', async () => {
    ebMock.on(PutEventsCommand).rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    const { s, metrics } = sender({ backoffBaseMs: 10, backoffCapMs: 10 });
    s.start();
    for (let i = 0; i < 12; i++) s.enqueue(out(`p${i}`, 1));
    await s.close(100);
    await waitFor(() => metrics.dropped.get({ reason: 'shutdown' }) === 12, 'shutdown drops', 5_000);
    expect(metrics.forwarded.total()).toBe(0);
    s.enqueue(out('late', 1));
    expect(metrics.dropped.get({ reason: 'shutdown' })).toBe(13);
  });
});

describe('other sinks', () => {
  it('local: POSTs {"entries":[...]} and retries the entries its PutEvents answer refused', async () => {
    const bodies: LocalSinkRequest[] = [];
    const srv = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        bodies.push(JSON.parse(text));
        res.writeHead(200, { 'content-type': 'application/json' });
        const refused = bodies.length === 1 ? [0, 2] : [];
        const Entries = bodies
          .at(-1)!
          .entries.map((_, i) =>
            refused.includes(i)
              ? { ErrorCode: 'InternalFailure', ErrorMessage: 'refused' }
              : { EventId: `e${i}` },
          );
        res.end(JSON.stringify({ FailedEntryCount: refused.length, Entries }));
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/events`;
    const metrics = new ForwarderMetrics();
    const s = new Sender({
      sink: new LocalSink(url),
      metrics,
      lingerMs: 0,
      backoffBaseMs: 1,
      backoffCapMs: 2,
    });
    for (let i = 0; i < 4; i++) s.enqueue(out(`p${i}`, 1));
    for (let guard = 0; !s.idle && guard < 100; guard++) {
      if ((await s.sendOnce()) === 'paused') await new Promise((r) => setTimeout(r, 3));
    }
    await new Promise<void>((r) => srv.close(() => r()));
    expect(bodies[0]!.entries).toHaveLength(4);
    expect(Object.keys(bodies[0]!.entries[0]!).sort()).toEqual([
      'Detail',
      'DetailType',
      'EventBusName',
      'Source',
    ]);
    expect(bodies[1]!.entries.map((e) => detailOf(e).key)).toEqual(['p0', 'p2']);
    expect(metrics.forwarded.total()).toBe(4);
  });

  it('local: an unreachable pipeline is a whole-call failure (retried)', async () => {
    const sink = new LocalSink('http://127.0.0.1:1/events');
    await expect(sink.put([out('p', 1).entry])).rejects.toMatchObject({ code: 'Unreachable' });
  });

  it('stdout: one JSON entry per line', async () => {
    const lines: string[] = [];
    const sink = new StdoutSink((l) => lines.push(l));
    await sink.put([out('a', 1).entry, out('b', 1).entry]);
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
    expect(JSON.parse(lines[1]!).Source).toBe('podlife.forwarder');
  });
});
