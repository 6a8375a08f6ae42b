/**
 * Identities that would collide in podlife's keys. The table's keys join cluster, namespace and
 * name with `#` (`POD#cluster#namespace#name`, the byUid index's `cluster#uid`), so a `#` inside
 * one of them makes two pods one key: cluster `a#b` with namespace `c` is cluster `a` with
 * namespace `b#c`, and uid `c` of cluster `a#b` is uid `b#c` of cluster `a`. Before: every
 * contract took any 1-63 characters for a cluster and any namespace or name, so a sender could
 * write into (and the by-uid route answer with) another cluster's pod. Now: refused at every
 * boundary with the field named (the ingest parks it; replay reports `FILE:LINE`; the query API
 * and the CLI answer 400 / a usage error), and the keys of every accepted identity are distinct.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterOption } from '../../cli/cluster-option.ts';
import { UsageError } from '../../cli/errors.ts';
import { ForwarderHeartbeat } from '../../core/heartbeat.ts';
import { PodInventory } from '../../core/inventory.ts';
import { ClusterName, keyPart } from '../../core/kube-schemas.ts';
import { PodFactsDetail } from '../../core/pod-facts.ts';
import { PodEventSnapshot, PodSnapshot } from '../../core/snapshot.ts';
import { parseBusEvent } from '../../functions/ingest/parse-bus-event.ts';
import { type BadParameterError, ByUidParams, PendingParams, parseParams } from '../../model/api-schemas.ts';
import { podIdentityOfKey, podPk, uidKey } from '../../model/keys.ts';
import { exporterBusEvent } from '../../testkit/exporter.ts';

const DOCS = join(import.meta.dirname, '..', '..', 'docs', 'examples');
const example = (f: string) => JSON.parse(readFileSync(join(DOCS, f), 'utf8')) as Record<string, unknown>;
const RECEIVED = Date.parse('2026-11-29T00:00:00Z');

/** The documented example event with its detail edited. */
function edited(file: string, edit: (d: Record<string, unknown>) => void): Record<string, unknown> {
  const e = example(file) as { detail: Record<string, unknown> };
  edit(e.detail);
  return e;
}

describe('a "#" in a cluster, namespace or name is refused at the ingest, naming the field', () => {
  it.each([
    ['pod-facts-event.json', 'cluster', 'prod#eu'],
    ['pod-facts-event.json', 'namespace', 'eu#web'],
    ['pod-facts-event.json', 'name', 'web#api-0'],
    ['pod-snapshot-event.json', 'cluster', 'prod#eu'],
    ['pod-snapshot-event.json', 'pod.namespace', 'eu#web'],
    ['pod-snapshot-event.json', 'pod.name', 'a#b'],
    ['pod-event-event.json', 'cluster', 'a#b'],
    ['pod-event-event.json', 'event.namespace', 'a#b'],
    ['pod-event-event.json', 'event.podName', 'a#b'],
    ['pod-facts-event.json', 'cluster', 'prod/eu'],
    ['pod-facts-event.json', 'cluster', 'prod\u001b[2Jeu'],
  ])('%s with %s %j: parked as schema', (file, field, value) => {
    const edit = (d: Record<string, unknown>) => {
      const [outer, inner] = field.split('.') as [string, string | undefined];
      if (inner === undefined) d[outer] = value;
      else (d[outer] as Record<string, unknown>)[inner] = value;
    };
    expect(parseBusEvent(example(file), RECEIVED)).toMatchObject({ ok: true });
    const parsed = parseBusEvent(edited(file, edit), RECEIVED);
    expect(parsed).toMatchObject({ ok: false, kind: 'schema' });
    expect((parsed as { reason: string }).reason).toMatch(
      new RegExp(`^detail\\.${field.replace('.', '\\.')}: `),
    );
  });

  it('a kubernetes-event-exporter event for cluster a#b, or namespace/pod with #', () => {
    const ev = {
      kind: 'Event',
      metadata: { name: 'e', namespace: 'web', uid: 'ev-1' },
      involvedObject: { kind: 'Pod', name: 'api-0', namespace: 'web', uid: 'pod-1' },
      reason: 'Scheduled',
      message: 'ok',
      count: 1,
      firstTimestamp: '2026-11-28T00:00:00Z',
      lastTimestamp: '2026-11-28T00:00:00Z',
    };
    expect(parseBusEvent(exporterBusEvent(ev, 'prod'), RECEIVED)).toMatchObject({ ok: true });
    expect(parseBusEvent(exporterBusEvent(ev, 'prod#eu'), RECEIVED)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/cluster/),
    });
    const inNs = { ...ev, involvedObject: { ...ev.involvedObject, namespace: 'eu#web' } };
    expect(parseBusEvent(exporterBusEvent(inNs, 'prod'), RECEIVED)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/namespace/),
    });
  });

  it('heartbeats and inventories name a cluster the same way', () => {
    expect(ForwarderHeartbeat.shape.cluster.safeParse('prod#eu').success).toBe(false);
    expect(PodInventory.shape.cluster.safeParse('prod#eu').success).toBe(false);
    expect(ForwarderHeartbeat.shape.cluster.safeParse('prod-eu.1_a').success).toBe(true);
    const ns = PodInventory.shape.namespaces.unwrap();
    expect(ns.safeParse(['web']).success).toBe(true);
    expect(ns.safeParse(['eu#web']).success).toBe(false);
  });
});

describe('the keys of every identity the contracts accept are distinct', () => {
  // Characters chosen to collide: the separator, the ones around it, and ordinary ones.
  const part = fc.string({
    unit: fc.constantFrom('a', 'b', '#', '-', '.', '/', 'x'),
    minLength: 1,
    maxLength: 6,
  });
  const identity = fc.record({ cluster: part, namespace: part, name: part, uid: part });
  const accepted = (i: { cluster: string; namespace: string; name: string }) =>
    ClusterName.safeParse(i.cluster).success &&
    PodFactsDetail.safeParse({
      schemaVersion: 1,
      cluster: i.cluster,
      namespace: i.namespace,
      name: i.name,
      uid: 'u',
      t0: 1_700_000_000,
      facts: {},
    }).success;

  it('the old rule (any characters) let two pods share a key; the contracts do not', () => {
    const a = { cluster: 'a#b', namespace: 'c', name: 'd', uid: 'e' };
    const b = { cluster: 'a', namespace: 'b#c', name: 'd', uid: 'e' };
    expect(podPk(a.cluster, a.namespace, a.name)).toBe(podPk(b.cluster, b.namespace, b.name));
    expect(uidKey('a#b', 'c')).toBe(uidKey('a', 'b#c'));
    expect(accepted(a)).toBe(false);
    expect(accepted(b)).toBe(false);
  });

  it('pk, byUid key and the identity read back from the key: injective on accepted identities', () => {
    fc.assert(
      fc.property(identity, identity, (x, y) => {
        fc.pre(accepted(x) && accepted(y));
        const same = x.cluster === y.cluster && x.namespace === y.namespace && x.name === y.name;
        expect(podPk(x.cluster, x.namespace, x.name) === podPk(y.cluster, y.namespace, y.name)).toBe(same);
        expect(uidKey(x.cluster, x.uid) === uidKey(y.cluster, y.uid)).toBe(
          x.cluster === y.cluster && x.uid === y.uid,
        );
        expect(podIdentityOfKey(podPk(x.cluster, x.namespace, x.name), x.uid)).toEqual(x);
      }),
      { seed: 7, numRuns: 600 },
    );
  });

  it('keyPart keeps the limit it wraps', () => {
    const s = keyPart(PodSnapshot.shape.pod.shape.namespace);
    expect(s.safeParse('x'.repeat(64)).success).toBe(false);
    expect(s.safeParse('web').success).toBe(true);
    expect(PodEventSnapshot.shape.cluster.safeParse('a/b').success).toBe(false);
  });
});

describe('the query API and the CLI refuse such a cluster before any work', () => {
  const bad = (schema: Parameters<typeof parseParams>[0], raw: Record<string, string>) => {
    try {
      parseParams(schema, raw);
    } catch (e) {
      return [(e as BadParameterError).parameter, (e as BadParameterError).reason];
    }
    return undefined;
  };

  it('?cluster=a#b and /pods/by-uid/a%23b/…: 400 naming cluster', () => {
    expect(bad(PendingParams, { cluster: 'a#b' })).toEqual(['cluster', expect.stringMatching(/^no #/)]);
    expect(bad(ByUidParams, { cluster: 'a#b', uid: 'c' })).toEqual([
      'cluster',
      expect.stringMatching(/^no #/),
    ]);
    // A uid may hold `#` (it is the last part of every key it is in).
    expect(bad(ByUidParams, { cluster: 'a', uid: 'b#c' })).toBeUndefined();
  });

  it('replay and local --cluster: a usage error naming the option (exit 2)', () => {
    for (const v of ['a#b', 'a/b', '', 'x'.repeat(64), 'a\u001bb']) {
      expect(() => clusterOption(v)).toThrow(UsageError);
      expect(() => clusterOption(v)).toThrow(/^--cluster: not a cluster name/);
    }
    expect(clusterOption('prod-eu_1.a')).toBe('prod-eu_1.a');
    try {
      clusterOption('a#b');
    } catch (e) {
      expect((e as UsageError).exitCode).toBe(2);
    }
  });
});
