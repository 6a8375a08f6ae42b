/**
 * One truth (issue 14), on the stored item: a pod without a creationTimestamp is indexed at its
 * first-seen time and its rows say so; a crash-looping pod's item keeps when its open back-off
 * began, and its row counts that back-off up to now. Expected values are the fixtures' literal
 * timestamps; the keys are the same for any delivery order, with duplicates (property test).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { podItemOf } from '../../model/pod-item.ts';
import { crashLoopingPodOf, createdAtOf, pendingPodOf } from '../../model/pod-rows.ts';
import { prng } from '../../testkit/churn.ts';
import {
  engineOf,
  fixtureInputs,
  type Input,
  propertyStreams,
  RECEIVED_AT,
  secs,
} from '../../testkit/fixtures.ts';

const CTX = { now: RECEIVED_AT, stuckAfterSeconds: 300 };
const THRESHOLDS = { defaultSeconds: 300, overrides: {} };
const itemsOf = (inputs: readonly Input[]) =>
  engineOf(inputs)
    .factMaps()
    .map((m) => podItemOf(m, 1, { now: RECEIVED_AT, retentionDays: 30 }))
    .filter((i): i is Record<string, unknown> => i !== undefined);
const keysOf = (inputs: readonly Input[]) =>
  itemsOf(inputs)
    .map((i) => `${i.sk} ${i.createdKey} ${i.dayKey} ${i.createdAt ?? '-'} ${i.backOffSince ?? '-'}`)
    .sort();

function shuffled(inputs: readonly Input[], extra: readonly number[], seed: number): Input[] {
  const list = [...inputs, ...extra.map((i) => inputs[i % inputs.length]!)];
  const rnd = prng(seed);
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

describe('creation time stand-in', () => {
  it('evicted-pod (no creationTimestamp): indexed at its first-seen time, the row marked firstSeen', () => {
    const inputs = fixtureInputs('is-healthy__evicted.yaml');
    const [rec] = engineOf(inputs).records(CTX);
    const [item] = itemsOf(inputs);
    const first = rec!.timeline.find((e) => e.at != null)!.at!;
    expect(rec!.timeline.some((e) => e.type === 'Created')).toBe(false);
    expect(createdAtOf(rec!)).toEqual({ at: first, source: 'firstSeen' });
    expect(item!.createdKey).toBe(`${first}#${rec!.uid}`);
    expect(item!.dayKey).toBe(`DAY#test#${first.slice(0, 10)}`);
    // The item's createdAt stays Kubernetes' own: absent.
    expect(item!.createdAt).toBeUndefined();
    const row = pendingPodOf(item!, Date.parse(first) + 60_000, THRESHOLDS);
    expect(row).toMatchObject({ createdAt: first, createdAtSource: 'firstSeen', ageSeconds: 60 });
  });

  it('a pod with a creationTimestamp: the key and the row are that literal time', () => {
    const inputs = fixtureInputs('gitops-engine__pod-crashloop.yaml');
    const [item] = itemsOf(inputs);
    expect(item!.createdKey).toMatch(/^2018-12-02T09:19:36\.000Z#/);
    // Compact form (issue 12): "" = the creationTimestamp is createdKey's time; the row gives it.
    expect(item!.createdAt).toBe('');
    expect(crashLoopingPodOf(item!, RECEIVED_AT, 3600)).toMatchObject({
      createdAt: '2018-12-02T09:19:36.000Z',
      createdAtSource: 'creationTimestamp',
    });
  });

  it('an open CrashLoopBackOff (gitops-engine my-pod): since the last termination, counting up to now', () => {
    const [item] = itemsOf(fixtureInputs('gitops-engine__pod-crashloop.yaml'));
    // Epoch ms on the item (issue 12's compact form); the row says ISO.
    expect(item!.backOffSince).toBe(Date.parse('2018-12-02T09:20:25.000Z'));
    const now = Date.parse('2018-12-03T01:20:25Z');
    const row = crashLoopingPodOf(item!, now, 3600);
    // The closed back-offs (none seen) stay 0; the open one is 16 hours, not 0s and not absent.
    expect(row.crashLoopBackOffSeconds).toBe(0);
    expect(row.backOffOpenSince).toBe('2018-12-02T09:20:25.000Z');
    expect(row.openBackOffSeconds).toBe(secs('2018-12-02T09:20:25Z', '2018-12-03T01:20:25Z'));
  });

  it('a pod not crash-looping has no open back-off on its item', () => {
    for (const item of itemsOf(fixtureInputs('kspan__deployment-2-pods-recorded-stream.yaml')))
      expect(item.backOffSince).toBeUndefined();
  });

  const streams: [string, Input[]][] = [
    ...propertyStreams(),
    [
      'pods without creationTimestamp',
      [
        ...fixtureInputs('is-healthy__evicted.yaml'),
        ...fixtureInputs('is-healthy__oomkilled-unhealthy.yaml'),
      ],
    ],
  ];
  it.each(streams)('%s: keys and open back-off the same in any order, with duplicates', (_name, inputs) => {
    const expected = keysOf(inputs);
    expect(expected.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: inputs.length - 1 }), { maxLength: inputs.length * 2 }),
        fc.integer(),
        (extra, seed) => {
          expect(keysOf(shuffled(inputs, extra, seed))).toEqual(expected);
        },
      ),
      { numRuns: 30, seed: 20261129 },
    );
  });
});
