/**
 * Silences on the page and in the console widget (web/src/api.ts adaptSilence, heldBy;
 * web/src/render.ts renderSilences and the badge on the rows a silence holds): the API's
 * `/silences` answer read leniently, escaped, and which silence holds a pod independent of the
 * order the API lists them in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ListedSilence } from '../../model/silences.ts';
import {
  adaptPending,
  adaptSilence,
  heldBy,
  type Listed,
  type PendingRow,
  type SilenceRow,
  SilenceSchema,
} from '../../web/src/api.ts';
import { renderCrashloops, renderPending, renderSilences, scopeOf, untilText } from '../../web/src/render.ts';
import { parseHash } from '../../web/src/state.ts';

const EVIL = '<img src=x onerror=alert(1)>';
const NOW = Date.parse('2026-11-29T12:00:00Z');
const view = parseHash('#cluster=prod');

function silence(over: Partial<ListedSilence> = {}): ListedSilence {
  return {
    id: 's-20261129T110000-0a1b2c3d',
    cluster: 'prod',
    namespace: 'batch',
    owner: null,
    reason: null,
    comment: 'node pool upgrade CHG-1234',
    createdBy: 'arn:aws:sts::123456789012:assumed-role/Ops/alice',
    createdAt: '2026-11-29T11:00:00.000Z',
    endsAt: '2026-11-29T14:05:00.000Z',
    active: true,
    silenced: [
      { kind: 'pending', namespace: 'batch', name: 'etl-1', uid: 'u-etl-1', since: '2026-11-29T11:01:00Z' },
    ],
    ...over,
  };
}

const rowOf = (s: ListedSilence): SilenceRow => adaptSilence(SilenceSchema.parse(s), 'prod')!;
const listed = <T>(items: T[]): Listed<T> => ({ items, rejected: 0, truncated: false, now: NOW });
const pendingRow = (name: string, uid: string): PendingRow =>
  adaptPending({ namespace: 'batch', name, uid, ageSeconds: 600, stuck: true }, 'prod');

describe('silences on the page', () => {
  it('the active ones: scope, holding, ends in … at HH:MM UTC, why and who (the ARN in the tooltip)', () => {
    const ended = rowOf(
      silence({ id: 's-20261129T090000-ffffffff', active: false, endsAt: '2026-11-29T10:00:00Z' }),
    );
    const text = renderSilences({ items: [rowOf(silence()), ended], now: NOW, available: true }, NOW).text;
    expect(text).toContain('<strong>1</strong> active · holding <strong>1</strong> alert');
    expect(text).toContain('s-20261129T110000-0a1b2c3d');
    expect(text).not.toContain('s-20261129T090000-ffffffff');
    expect(text).toContain('namespace batch');
    expect(text).toContain('in 2h5m');
    expect(text).toContain('14:05 UTC');
    expect(text).toContain('node pool upgrade CHG-1234');
    expect(text).toContain('by alice');
    expect(text).toContain('title="arn:aws:sts::123456789012:assumed-role/Ops/alice"');
  });

  it('none active, and an API without the route, say so', () => {
    expect(renderSilences({ items: [], now: NOW, available: true }, NOW).text).toContain('No active silence');
    expect(renderSilences({ items: [], now: null, available: false }, NOW).text).toContain(
      'does not list silences',
    );
  });

  it('scope: the fields given, else the whole cluster; until: the time today, the date otherwise', () => {
    expect(scopeOf({ namespace: null, owner: null, reason: null })).toBe('the whole cluster');
    expect(scopeOf({ namespace: 'shop', owner: 'Deployment/cart', reason: 'Insufficient cpu' })).toBe(
      'namespace shop · owner Deployment/cart · reason "Insufficient cpu"',
    );
    expect(untilText(Date.parse('2026-11-29T14:05:00Z'), NOW)).toBe('14:05');
    expect(untilText(Date.parse('2026-11-30T01:00:00Z'), NOW)).toBe('2026-11-30 01:00');
  });

  it('the rows a silence holds carry its badge (until, and its id), the others none; counts unchanged', () => {
    const held = heldBy([rowOf(silence())]);
    const rows = [pendingRow('etl-1', 'u-etl-1'), pendingRow('etl-2', 'u-etl-2')];
    const text = renderPending(listed(rows), view, held, NOW).text;
    expect(text).toContain('<strong>2</strong> pending');
    expect(text.match(/class="badge silenced"/g)).toHaveLength(1);
    const row = text.slice(text.indexOf('data-pod="batch/etl-1"'), text.indexOf('data-pod="batch/etl-2"'));
    expect(row).toContain('silenced until 14:05');
    expect(row).toContain('data-silence="s-20261129T110000-0a1b2c3d"');
    expect(row).toContain('by s-20261129T110000-0a1b2c3d');
    // Without silences, the rows are as before.
    expect(renderPending(listed(rows), view).text).not.toContain('silenced');
    const crash = renderCrashloops(
      listed([
        {
          ...rows[0]!,
          restarts: 3,
          restartsInWindow: 1,
          lastTerminationReason: 'Error',
          lastExitCode: 1,
          waitingReason: 'CrashLoopBackOff',
          crashLoopBackOffSeconds: 40,
          status: 'CrashLoopBackOff',
        },
      ]),
      view,
      held,
      NOW,
    ).text;
    expect(crash).toContain('silenced until 14:05');
  });

  it('an ended silence holds nothing; a malformed one is dropped, not fatal', () => {
    expect(heldBy([rowOf(silence({ active: false }))]).size).toBe(0);
    expect(adaptSilence(SilenceSchema.parse({ ...silence(), endsAt: 'soon' }), 'prod')).toBeNull();
    expect(SilenceSchema.safeParse({ id: 1 }).success).toBe(false);
  });

  it('API text is escaped everywhere it lands (comment, scope, who, the badge tooltip)', () => {
    const s = rowOf(
      silence({ comment: EVIL, reason: EVIL, createdBy: EVIL, owner: EVIL, id: `s-1-${EVIL}` }),
    );
    const text =
      renderSilences({ items: [s], now: NOW, available: true }, NOW).text +
      renderPending(listed([pendingRow('etl-1', 'u-etl-1')]), view, heldBy([s]), NOW).text;
    expect(text).not.toContain('<img');
    expect(text).toContain('&lt;img');
  });

  it('which silence holds a pod does not depend on the order (or repeats) the API lists them in', () => {
    const arb = fc.array(
      fc.record({
        id: fc.constantFrom('s-1-a', 's-1-b', 's-1-c', 's-1-d'),
        ends: fc.integer({ min: 1, max: 5 }),
        active: fc.boolean(),
        uids: fc.subarray(['u1', 'u2', 'u3']),
      }),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(arb, fc.nat(), (specs, seed) => {
        // One silence per id (the API's list is a set): the first spec of each id.
        const byId = new Map(specs.map((x) => [x.id, x] as const).reverse());
        const rows = [...byId.values()].map((x) =>
          rowOf(
            silence({
              id: x.id,
              endsAt: new Date(NOW + x.ends * 3_600_000).toISOString(),
              active: x.active,
              silenced: x.uids.map((uid) => ({
                kind: 'pending',
                namespace: 'batch',
                name: uid,
                uid,
                since: '2026-11-29T11:00:00Z',
              })),
            }),
          ),
        );
        const shuffled = [...rows, ...rows.slice(0, seed % (rows.length + 1))].sort(
          (a, b) => ((a.id.charCodeAt(5) * 31 + seed) % 7) - ((b.id.charCodeAt(5) * 31 + seed) % 7),
        );
        const pick = (m: Map<string, SilenceRow>) => [...m].map(([u, s]) => `${u}:${s.id}`).sort();
        expect(pick(heldBy(shuffled))).toEqual(pick(heldBy(rows)));
        // The one that ends last holds it (ties: the smallest id), and only active ones hold.
        for (const [uid, s] of heldBy(rows)) {
          const candidates = rows.filter((r) => r.active && r.held.some((h) => h.uid === uid));
          const best = Math.max(...candidates.map((r) => r.endsAt));
          expect(s.endsAt).toBe(best);
          expect(s.id).toBe(
            candidates
              .filter((r) => r.endsAt === best)
              .map((r) => r.id)
              .sort()[0],
          );
        }
      }),
    );
  });
});
