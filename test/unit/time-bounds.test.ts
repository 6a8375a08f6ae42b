/**
 * Bounds at the boundary: every time of every contract lies between 2014-06-01 and 24 h after
 * the input is received (replay: the wall clock), every identity within Kubernetes' own limits.
 * Out of range is invalid with the field named (the ingest's parser; replay's FILE:LINE), never
 * a throw, and the good input around it still counts. The regression cases of issue 10 first.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayCommand, replayFiles } from '../../cli/replay.ts';
import { decodeObject } from '../../core/decode.ts';
import type { PodFactsDetail } from '../../core/pod-facts.ts';
import { CLOCK_SKEW_MS, checkFactTimes, checkTimes, TIME_PATHS } from '../../core/time-bounds.ts';
import { parseBusEvent } from '../../functions/ingest/parse-bus-event.ts';
import { exporterBusEvent } from '../../testkit/exporter.ts';
import { fixtureObjects } from '../../testkit/fixtures.ts';

const DOCS = join(import.meta.dirname, '..', '..', 'docs', 'examples');
const example = (f: string) => JSON.parse(readFileSync(join(DOCS, f), 'utf8'));
/** The documented Pod Facts example (plain facts), received at a fixed instant. */
const FACTS_EVENT = example('pod-facts-event.json');
const RECEIVED = Date.parse('2026-11-29T00:00:00Z');

function withDetail(event: Record<string, unknown>, edit: (d: PodFactsDetail) => void) {
  const e = structuredClone(event) as { detail: PodFactsDetail };
  edit(e.detail);
  return e;
}

/** A Pending pod as `kubectl get pod -o json` writes it. */
function rawPod(name: string, uid: string, created: string) {
  return {
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid, creationTimestamp: created },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', message: 'no nodes' }],
    },
  };
}

function tempFile(name: string, lines: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'podlife-bounds-'));
  const file = join(dir, name);
  writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return file;
}

describe('issue 10 regressions: one bad time never costs the rest of the input', () => {
  it('a Pod Facts delta with t0 9e12 is a FILE:LINE problem; the good pods are still replayed', async () => {
    const good = rawPod('good', 'uid-good', '2024-01-01T00:00:00Z');
    const bad = withDetail(FACTS_EVENT, (d) => {
      d.t0 = 9e12;
    });
    const file = tempFile('t0.jsonl', [good, bad, rawPod('after', 'uid-after', '2024-01-01T00:01:00Z')]);
    const r = await replayFiles([file], { cluster: 'c', stuckAfterSeconds: 300 });
    expect(r.problems).toEqual([{ file, line: 2, reason: expect.stringMatching(/^detail\.t0: /) }]);
    expect(r.records.map((x) => x.name)).toEqual(['after', 'good']);
  });

  it('`podlife replay` prints FILE:LINE for the bad line, exits 2, and still prints every good pod', async () => {
    const bad = withDetail(FACTS_EVENT, (d) => {
      d.t0 = 9e12;
    });
    const file = tempFile('cli.jsonl', [
      rawPod('first-good', 'uid-a', '2024-01-01T00:00:00Z'),
      bad,
      rawPod('second-good', 'uid-b', '2024-01-01T00:00:00Z'),
    ]);
    const sink = () => {
      const chunks: string[] = [];
      return { chunks, write: (c: string) => chunks.push(c) > 0 };
    };
    const out = sink();
    const err = sink();
    const code = await replayCommand([file, '--no-stats', '--no-progress'], out as never, err as never);
    expect(code).toBe(2);
    expect(err.chunks.join('')).toContain(`${file}:2: detail.t0: not a representable time`);
    expect(out.chunks.join('')).toMatch(/first-good[\s\S]*second-good/);
  });

  it('a run start of 1e300 seconds is named by its field, in the ingest and in replay', async () => {
    const bad = withDetail(FACTS_EVENT, (d) => {
      const c = d.facts!.containers!.find((x) => x.runs?.length)!;
      c.runs![0]!.start = 1e300;
    });
    const parsed = parseBusEvent(bad, RECEIVED);
    expect(parsed).toMatchObject({
      ok: false,
      kind: 'schema',
      reason: expect.stringMatching(
        /^detail\.facts\.containers\[\d+\]\.runs\[0\]\.start: not a representable time/,
      ),
    });
    const file = tempFile('start.jsonl', [bad, rawPod('good', 'uid-good', '2024-01-01T00:00:00Z')]);
    const r = await replayFiles([file], { cluster: 'c', stuckAfterSeconds: 300 });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ line: 1 });
    expect(r.records.map((x) => x.name)).toEqual(['good']);
  });

  it('a year-9999 time is rejected and no longer moves replay’s "now" (other pods stay not stuck)', async () => {
    const file = tempFile('9999.jsonl', [
      rawPod('pending', 'uid-1', '2024-01-01T00:00:00Z'),
      rawPod('future', 'uid-2', '9999-01-01T00:00:00Z'),
    ]);
    const r = await replayFiles([file], { cluster: 'c', stuckAfterSeconds: 300 });
    expect(r.problems).toEqual([
      {
        file,
        line: 2,
        reason: expect.stringMatching(
          /^metadata\.creationTimestamp: 9999-01-01T00:00:00\.000Z is more than 24 h after/,
        ),
      },
    ]);
    expect(r.now).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(r.records.map((x) => [x.name, x.stuckPending])).toEqual([['pending', false]]);
  });
});

describe('time bounds, contract by contract', () => {
  const at = (iso: string) => Date.parse(iso);

  it('accepts the bounds themselves, rejects one millisecond past them', () => {
    const paths = TIME_PATHS.kubeEvent;
    expect(checkTimes({ firstTimestamp: '2014-06-01T00:00:00Z' }, paths, RECEIVED)).toBeNull();
    expect(checkTimes({ firstTimestamp: '2014-05-31T23:59:59.999Z' }, paths, RECEIVED)).toMatch(
      /^firstTimestamp: .* is before 2014-06-01$/,
    );
    const edge = new Date(RECEIVED + CLOCK_SKEW_MS).toISOString();
    const past = new Date(RECEIVED + CLOCK_SKEW_MS + 1).toISOString();
    expect(checkTimes({ lastTimestamp: edge }, paths, RECEIVED)).toBeNull();
    expect(checkTimes({ lastTimestamp: past }, paths, RECEIVED)).toMatch(/^lastTimestamp: .* more than 24 h/);
  });

  it('reads Kubernetes’ zero times (year 1, the Unix epoch) as absent, not as out of range', () => {
    for (const zero of ['0001-01-01T00:00:00Z', '1970-01-01T00:00:00Z', null, ''])
      expect(checkTimes({ metadata: { creationTimestamp: zero } }, TIME_PATHS.kubePod, RECEIVED)).toBeNull();
    expect(
      checkTimes({ metadata: { creationTimestamp: '2001-01-01T00:00:00Z' } }, TIME_PATHS.kubePod, RECEIVED),
    ).toMatch(/before 2014-06-01/);
  });

  it('names the exact field: list items, records, nested states', () => {
    const pod = {
      status: {
        containerStatuses: [
          { name: 'a', state: { running: { startedAt: '2024-01-01T00:00:00Z' } } },
          { name: 'b', lastState: { terminated: { finishedAt: '3000-01-01T00:00:00Z' } } },
        ],
      },
    };
    expect(checkTimes(pod, TIME_PATHS.kubePod, RECEIVED)).toMatch(
      /^status\.containerStatuses\[1\]\.lastState\.terminated\.finishedAt: /,
    );
    expect(
      checkFactTimes(at('2024-01-01T00:00:00Z') / 1000, { marks: { ready: 5, finished: 9e9 } }, RECEIVED),
    ).toMatch(/^facts\.marks\.finished: /);
    expect(checkFactTimes(1e6, {}, RECEIVED)).toBeNull(); // a delta with no times: t0 is not a time
    expect(checkFactTimes(1e6, { latest: { t: 0 } }, RECEIVED)).toMatch(
      /^facts\.latest\.t: .* before 2014-06-01/,
    );
  });

  it('every bus contract: the ingest parks a far-future time with its field named', () => {
    const future = '2099-01-01T00:00:00Z';
    const snapshot = example('pod-snapshot-event.json');
    snapshot.detail.pod.conditions[0].lastTransitionTime = future;
    const podEvent = example('pod-event-event.json');
    podEvent.detail.event.lastTimestamp = future;
    const raw = fixtureObjects('k9s__ev-pulled.json')[0]!.value as Record<string, unknown>;
    const exporter = exporterBusEvent(
      { ...raw, involvedObject: { ...(raw.involvedObject as object), kind: 'Pod' } } as never,
      'c',
    );
    (exporter.detail as Record<string, string>).firstTimestamp = future;
    const deflated = example('pod-facts-deflate-event.json');
    deflated.detail.t0 = at(future) / 1000;
    for (const [event, field] of [
      [snapshot, /^detail\.pod\.conditions\[0\]\.lastTransitionTime: /],
      [podEvent, /^detail\.event\.lastTimestamp: /],
      [exporter, /^detail\.firstTimestamp: /],
      [deflated, /^detail\.t0: /],
    ] as const) {
      expect(parseBusEvent(event, RECEIVED)).toMatchObject({
        ok: false,
        kind: 'schema',
        reason: expect.stringMatching(field),
      });
      // The same events are fine when received after their times.
      expect(parseBusEvent(event, at('2099-01-02T00:00:00Z'))).toMatchObject({ ok: true });
    }
  });

  it('raw objects in replay: the watch line’s object, an Event, the recording header time', () => {
    const ctx = { cluster: 'c', now: RECEIVED };
    const line = { type: 'ADDED', object: rawPod('p', 'u', '2031-01-01T00:00:00Z') };
    expect(() => decodeObject(line, ctx)).toThrow(/^object\.metadata\.creationTimestamp: /);
    const ev = {
      kind: 'Event',
      metadata: { name: 'e' },
      involvedObject: { kind: 'Pod', name: 'p' },
      reason: 'Scheduled',
      eventTime: '1999-12-31T23:59:59Z',
      firstTimestamp: '2013-01-01T00:00:00Z',
    };
    expect(() => decodeObject(ev, ctx)).toThrow(/^firstTimestamp: .*before 2014-06-01/);
    expect(() =>
      decodeObject(rawPod('p', 'u', '2024-01-01T00:00:00Z'), { ...ctx, observedAt: '2040-01-01T00:00:00Z' }),
    ).toThrow(/^observedAt: /);
  });
});

describe('string bounds: Kubernetes’ own limits', () => {
  const ctx = { cluster: 'c', now: RECEIVED };

  it('a 1,000-character uid, name or namespace is invalid, named (before it can reach DynamoDB)', () => {
    const long = 'x'.repeat(1000);
    for (const [edit, field] of [
      [(p: ReturnType<typeof rawPod>) => (p.metadata.uid = long), /^metadata\.uid: /],
      [(p: ReturnType<typeof rawPod>) => (p.metadata.name = long), /^metadata\.name: /],
      [(p: ReturnType<typeof rawPod>) => (p.metadata.namespace = 'n'.repeat(64)), /^metadata\.namespace: /],
    ] as const) {
      const pod = rawPod('p', 'u', '2024-01-01T00:00:00Z');
      edit(pod);
      expect(() => decodeObject(pod, ctx)).toThrow(field);
    }
    const snapshot = example('pod-snapshot-event.json');
    snapshot.detail.pod.uid = long;
    expect(parseBusEvent(snapshot, RECEIVED)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^detail\.pod\.uid: /),
    });
    const facts = example('pod-facts-event.json');
    facts.detail.name = long;
    expect(parseBusEvent(facts, RECEIVED)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^detail\.name: /),
    });
  });

  it('a long reason in a raw object is cut, not refused (free text)', () => {
    const pod = {
      ...rawPod('p', 'u', '2024-01-01T00:00:00Z'),
      status: { phase: 'Failed', reason: 'R'.repeat(5000) },
    };
    const d = decodeObject(pod, ctx);
    expect(d.kind === 'snapshot' && d.snapshot.pod.reason?.length).toBe(256);
  });
});

describe('fuzz: replay of the demo trace with bad times on random lines', () => {
  const TRACE = join(import.meta.dirname, '..', '..', 'demo', 'trace.jsonl');
  const lines = readFileSync(TRACE, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const HOSTILE = [
    '9999-01-01T00:00:00Z',
    '2013-05-31T00:00:00Z',
    '+275760-09-13T00:00:00.001Z',
    'later',
    '2099-12-31T23:59:59Z',
  ];

  it('each bad line is reported FILE:LINE with its field; the rest gives the records of the good lines alone', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.nat({ max: lines.length - 1 }), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        async (bad, h) => {
          const mutated = lines.map((l, i) => {
            if (!bad.includes(i)) return JSON.parse(l);
            const w = JSON.parse(l);
            const time = HOSTILE[(h + i) % HOSTILE.length];
            if (w.object.kind === 'Event') w.object.lastTimestamp = time;
            else w.object.metadata.creationTimestamp = time;
            return w;
          });
          const all = await replayFiles([tempFile('trace.jsonl', mutated)], {
            cluster: 'c',
            stuckAfterSeconds: 300,
          });
          const good = await replayFiles(
            [
              tempFile(
                'good.jsonl',
                mutated.filter((_, i) => !bad.includes(i)),
              ),
            ],
            { cluster: 'c', stuckAfterSeconds: 300 },
          );
          // A rejected line moves nothing, not even replay's "now".
          expect(all.now).toBe(good.now);
          expect(all.problems.map((p) => p.line)).toEqual([...bad].sort((a, b) => a - b).map((i) => i + 1));
          for (const p of all.problems)
            expect(p.reason).toMatch(/^object\.(metadata\.creationTimestamp|lastTimestamp): /);
          expect(all.records).toEqual(good.records);
        },
      ),
      { numRuns: 15, seed: 20261129 },
    );
  });
});
