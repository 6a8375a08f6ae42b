/**
 * Issue 12's compact pod item (model/pod-item.ts): `deleted` only once true, `createdAt` only on
 * Pending and crash-looping items ("" when it is createdKey's time), `backOffSince` as epoch ms,
 * no `waitingReason` on an item that is crash-looping only (its crashKey says CrashLoopBackOff).
 * The Pending and crash-looping rows read from a compact item are the rows of the same item in
 * the form written before (which old items keep until their next write), and agree with the
 * pod's record, i.e. with replay.
 */
import { describe, expect, it } from 'vitest';
import { podRecordOf } from '../../core/pod-record.ts';
import { toIso } from '../../core/time.ts';
import { podItemOf } from '../../model/pod-item.ts';
import { crashLoopingPodOf, createdAtOf, createdOfKey, pendingPodOf } from '../../model/pod-rows.ts';
import { churnInputs, engineOf, propertyStreams, RECEIVED_AT } from '../../testkit/fixtures.ts';

type Item = Record<string, unknown>;
const CTX = { now: RECEIVED_AT, stuckAfterSeconds: 300 };
const THRESHOLDS = { defaultSeconds: 300, overrides: {} };
const NOW = RECEIVED_AT + 90_000;

/**
 * Every pod of the real fixtures and a churn trace, at eight points of each stream (so pods are
 * caught Pending and crash-looping, not only finished): its fact map's item and record.
 */
const streams = [...propertyStreams().map(([, inputs]) => inputs), churnInputs(3, 80)];
const pods = streams
  .flatMap((inputs) =>
    [1, 2, 3, 4, 5, 6, 7, 8].map((k) => inputs.slice(0, Math.ceil((inputs.length * k) / 8))),
  )
  .flatMap((inputs) =>
    engineOf(inputs)
      .factMaps()
      .map((m) => ({
        item: podItemOf(m, 1, { now: RECEIVED_AT, retentionDays: 30 }),
        rec: podRecordOf(m, CTX),
      }))
      .filter((p): p is { item: Item; rec: NonNullable<typeof p.rec> } => !!p.item && !!p.rec),
  );

/** The same item as written before issue 12's compact form. */
function oldForm(item: Item, rec: { deleted: boolean; waitingReason: string | null }): Item {
  const old: Item = { ...item, deleted: rec.deleted };
  if (item.createdAt === '') old.createdAt = createdOfKey(String(item.createdKey));
  if (typeof item.backOffSince === 'number') old.backOffSince = toIso(item.backOffSince);
  if (rec.waitingReason != null) old.waitingReason = rec.waitingReason;
  return old;
}

describe('the compact pod item', () => {
  it('covers Pending, crash-looping and healthy pods', () => {
    expect(pods.filter((p) => p.item.pendingKey).length).toBeGreaterThan(5);
    expect(pods.filter((p) => p.item.crashKey).length).toBeGreaterThan(5);
    expect(pods.filter((p) => p.item.crashKey && p.item.backOffSince != null).length).toBeGreaterThan(3);
    expect(pods.filter((p) => !p.item.pendingKey && !p.item.crashKey).length).toBeGreaterThan(20);
  });

  it('leaves out what no reader needs', () => {
    for (const { item, rec } of pods) {
      expect(item.deleted).toBe(rec.deleted ? true : undefined);
      if (!item.pendingKey && !item.crashKey) expect(item.createdAt).toBeUndefined();
      if (item.crashKey && !item.pendingKey) expect(item.waitingReason).toBeUndefined();
      if (item.backOffSince != null) expect(typeof item.backOffSince).toBe('number');
      const created = createdAtOf(rec);
      if (item.pendingKey || item.crashKey)
        expect(item.createdAt).toBe(
          created?.source === 'creationTimestamp'
            ? created.at === createdOfKey(String(item.createdKey))
              ? ''
              : created.at
            : undefined,
        );
    }
  });

  it('reads as the old form did, and as replay says (Pending and crash-looping rows)', () => {
    for (const { item, rec } of pods) {
      const old = oldForm(item, rec);
      const created = createdAtOf(rec);
      if (item.pendingKey) {
        const row = pendingPodOf(item, NOW, THRESHOLDS);
        expect(row).toEqual(pendingPodOf(old, NOW, THRESHOLDS));
        expect(row).toMatchObject({
          createdAt: created?.at ?? null,
          createdAtSource: created?.source ?? null,
          waitingReason: rec.waitingReason,
        });
      }
      if (item.crashKey) {
        const row = crashLoopingPodOf(item, NOW, 3600);
        expect(row).toEqual(crashLoopingPodOf(old, NOW, 3600));
        expect(row).toMatchObject({
          createdAt: created?.at ?? null,
          createdAtSource: created?.source ?? null,
          waitingReason: 'CrashLoopBackOff',
        });
        expect(row.waitingReason).toBe(rec.waitingReason);
      }
    }
  });
});
