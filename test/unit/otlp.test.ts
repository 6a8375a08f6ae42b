/**
 * A pod's life as an OTLP trace (model/otlp.ts), on the real fixtures: the JSON is what
 * opentelemetry-proto's JSON encoding says (checked by a zod schema of the subset written here
 * from the proto, not from the module), the span tree hangs together, ids are valid, stable
 * and independent of delivery order, times are the fixtures' literal timestamps, and attributes
 * carry the semantic conventions' names (written out as strings, so a renamed constant fails).
 */
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { PodRecord } from '../../core/pod-record.ts';
import { type OtlpKeyValue, type OtlpSpan, otlpTraceOf, spansOf, traceIdOf } from '../../model/otlp.ts';
import { engineOf, FIXTURES_DIR, fixtureInputs, type Input, RECEIVED_AT } from '../../testkit/fixtures.ts';

// ---------------------------------------------------------------------------------------------
// The OTLP/JSON shape (opentelemetry-proto v1.x, trace/v1/trace.proto and common/v1/common.proto,
// encoded by the proto3 JSON mapping as OTLP/HTTP JSON requires: lowerCamelCase field names,
// trace and span ids as hex (not base64), fixed64/int64 as decimal strings, enums as numbers).

const hex = (bytes: number) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`))
    .refine((s) => /[1-9a-f]/.test(s), 'all-zero id');
const uint64String = z.string().regex(/^(0|[1-9]\d*)$/);
const AnyValue = z.union([
  z.strictObject({ stringValue: z.string() }),
  z.strictObject({ boolValue: z.boolean() }),
  z.strictObject({ intValue: z.string().regex(/^-?\d+$/) }),
  z.strictObject({ doubleValue: z.number() }),
]);
const KeyValue = z.strictObject({ key: z.string().min(1), value: AnyValue });
const Event = z.strictObject({
  timeUnixNano: uint64String,
  name: z.string().min(1),
  attributes: z.array(KeyValue),
});
const Status = z.strictObject({
  code: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  message: z.string().optional(),
});
const Span = z.strictObject({
  traceId: hex(16),
  spanId: hex(8),
  parentSpanId: hex(8).optional(),
  name: z.string().min(1),
  // SpanKind: 0 unspecified … 5 consumer.
  kind: z.number().int().min(0).max(5),
  startTimeUnixNano: uint64String,
  endTimeUnixNano: uint64String,
  attributes: z.array(KeyValue),
  events: z.array(Event),
  status: Status,
});
const ExportTraceServiceRequest = z.strictObject({
  resourceSpans: z.array(
    z.strictObject({
      resource: z.strictObject({ attributes: z.array(KeyValue) }),
      scopeSpans: z.array(
        z.strictObject({
          scope: z.strictObject({ name: z.string(), version: z.string().optional() }),
          spans: z.array(Span),
        }),
      ),
    }),
  ),
});

// ---------------------------------------------------------------------------------------------

/** Every fixture file of whole objects (the k8s-website fragment is a status excerpt, no Pod). */
const FILES = readdirSync(FIXTURES_DIR).filter(
  (f) => /\.(ya?ml|json|jsonl)$/.test(f) && !f.includes('fragment'),
);

function recordsOf(inputs: readonly Input[]): PodRecord[] {
  return engineOf(inputs).records({ now: RECEIVED_AT, stuckAfterSeconds: 300 });
}
const recordsOfFile = (file: string) => recordsOf(fixtureInputs(file));
const podOf = (file: string, name?: string) => {
  const r = recordsOfFile(file).find((p) => !name || p.name === name);
  if (!r) throw new Error(`no pod ${name ?? ''} in ${file}`);
  return r;
};
/** Literal timestamp → Unix nanoseconds, as a decimal string (written independently of the module). */
const ns = (iso: string) => `${Date.parse(iso)}000000`;
const attr = (s: { attributes: OtlpKeyValue[] }, key: string) =>
  s.attributes.find((a) => a.key === key)?.value;
const spanNamed = (spans: OtlpSpan[], name: string) => {
  const s = spans.find((x) => x.name === name);
  if (!s) throw new Error(`no span ${name}: ${spans.map((x) => x.name).join(', ')}`);
  return s;
};

describe('OTLP trace of a pod record', () => {
  it.each(FILES)('%s: valid OTLP/JSON, one tree per pod, ids valid and unique', (file) => {
    const records = recordsOfFile(file);
    const req = otlpTraceOf(records);
    // Through JSON, as it goes over the wire.
    const parsed = ExportTraceServiceRequest.parse(JSON.parse(JSON.stringify(req)));
    expect(parsed.resourceSpans).toHaveLength(records.length);
    for (const [i, rs] of parsed.resourceSpans.entries()) {
      const spans = rs.scopeSpans.flatMap((s) => s.spans);
      const rec = records[i]!;
      if (rec.timeline.every((e) => e.at == null)) continue;
      const [root, ...rest] = spans;
      expect(root?.parentSpanId).toBeUndefined();
      expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceIdOf(rec.cluster, rec.uid)]));
      expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
      const ids = new Set(spans.map((s) => s.spanId));
      for (const s of rest) {
        expect(s.parentSpanId && ids.has(s.parentSpanId), `${s.name} has a parent in the trace`).toBe(true);
        // Inside the root, and never ending before it starts.
        expect(BigInt(s.startTimeUnixNano) >= BigInt(root!.startTimeUnixNano)).toBe(true);
        expect(BigInt(s.endTimeUnixNano) <= BigInt(root!.endTimeUnixNano)).toBe(true);
        expect(BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano)).toBe(true);
      }
    }
  });

  it('resource attributes: service.name podlife and the Kubernetes conventions, owner included', () => {
    const rec = podOf('kspan__deployment-2-pods-recorded-stream.yaml', 'px-5d567cc74c-ss4lb');
    const [rs] = otlpTraceOf([rec]).resourceSpans;
    const a = Object.fromEntries(rs!.resource.attributes.map((x) => [x.key, x.value.stringValue]));
    expect(a).toMatchObject({
      'service.name': 'podlife',
      'k8s.cluster.name': 'test',
      'k8s.namespace.name': 'default',
      'k8s.pod.name': 'px-5d567cc74c-ss4lb',
      'k8s.pod.uid': rec.uid,
      'k8s.deployment.name': 'px',
    });
    expect(a['k8s.node.name']).toBe(rec.node);
  });

  it('a ReplicaSet owner names the Deployment its pod-template-hash says; a Job its CronJob', () => {
    const base = podOf('gitops-engine__pod-crashloop.yaml');
    const res = (owner: PodRecord['owner']) =>
      Object.fromEntries(
        otlpTraceOf([{ ...base, owner }]).resourceSpans[0]!.resource.attributes.map((x) => [
          x.key,
          x.value.stringValue,
        ]),
      );
    expect(res({ kind: 'ReplicaSet', name: 'web-7d4b9c8f6d' })).toMatchObject({
      'k8s.replicaset.name': 'web-7d4b9c8f6d',
      'k8s.deployment.name': 'web',
    });
    expect(res({ kind: 'ReplicaSet', name: 'plain' })['k8s.deployment.name']).toBeUndefined();
    expect(res({ kind: 'Job', name: 'backup-29012345' })).toMatchObject({
      'k8s.job.name': 'backup-29012345',
      'k8s.cronjob.name': 'backup',
    });
    expect(res({ kind: 'StatefulSet', name: 'db' })['k8s.statefulset.name']).toBe('db');
    expect(res({ kind: 'DaemonSet', name: 'agent' })['k8s.daemonset.name']).toBe('agent');
  });

  it('crash loop (gitops-engine my-pod): times are the literal timestamps; the failed run is ERROR; the open back-off runs to now', () => {
    const rec = podOf('gitops-engine__pod-crashloop.yaml');
    const now = Date.parse('2018-12-02T09:30:00Z');
    const spans = spansOf(rec, { now });
    const root = spans[0]!;
    expect(root.name).toBe('pod argocd/my-pod');
    expect(root.startTimeUnixNano).toBe(ns('2018-12-02T09:19:36Z'));
    expect(root.endTimeUnixNano).toBe(ns('2018-12-02T09:30:00Z'));
    const sched = spanNamed(spans, 'scheduling');
    expect([sched.startTimeUnixNano, sched.endTimeUnixNano]).toEqual([
      ns('2018-12-02T09:19:36Z'),
      ns('2018-12-02T09:19:36Z'),
    ]);
    const run = spanNamed(spans, 'container main');
    expect(run.startTimeUnixNano).toBe(ns('2018-12-02T09:20:25Z'));
    expect(run.endTimeUnixNano).toBe(ns('2018-12-02T09:20:25Z'));
    expect(run.status).toEqual({ code: 2, message: 'Error (exit code 1)' });
    expect(attr(run, 'k8s.container.name')).toEqual({ stringValue: 'main' });
    expect(attr(run, 'k8s.container.restart_count')).toEqual({ intValue: '3' });
    const backoff = spanNamed(spans, 'back-off main');
    expect(backoff.startTimeUnixNano).toBe(ns('2018-12-02T09:20:25Z'));
    expect(backoff.endTimeUnixNano).toBe(ns('2018-12-02T09:30:00Z'));
    expect(attr(backoff, 'podlife.open')).toEqual({ boolValue: true });
    // Without a now, nothing is invented: the trace ends at the record's latest time.
    expect(BigInt(spansOf(rec)[0]!.endTimeUnixNano)).toBeLessThan(BigInt(root.endTimeUnixNano));
    // Every timeline point with a time is an event of the root.
    expect(root.events.map((e) => e.timeUnixNano)).toEqual(
      rec.timeline.filter((e) => e.at != null).map((e) => ns(e.at!)),
    );
  });

  it('OOMKilled run (holmesgpt / is-healthy) is ERROR with its reason', () => {
    const rec = podOf('is-healthy__oomkilled-unhealthy.yaml');
    const failed = spansOf(rec).filter((s) => s.status.code === 2);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.some((s) => s.status.message?.startsWith('OOMKilled'))).toBe(true);
  });

  it('init containers (etcd-master-0): runs inside "initializing", app runs and back-offs under the pod, waiting for Ready', () => {
    const rec = podOf('insights-operator__etcd-master-0-init-restarts.json');
    const spans = spansOf(rec);
    const init = spanNamed(spans, 'initializing');
    expect([init.startTimeUnixNano, init.endTimeUnixNano]).toEqual([
      ns('2021-07-07T11:27:06Z'),
      ns('2021-07-07T11:27:14Z'),
    ]);
    const initRun = spanNamed(spans, 'init container etcd-resources-copy');
    expect(initRun.parentSpanId).toBe(init.spanId);
    expect([initRun.startTimeUnixNano, initRun.endTimeUnixNano]).toEqual([
      ns('2021-07-07T11:27:13Z'),
      ns('2021-07-07T11:27:13Z'),
    ]);
    expect(initRun.status.code).toBe(0);
    expect(attr(initRun, 'podlife.container.init')).toEqual({ boolValue: true });
    const etcdRuns = spans.filter((s) => s.name === 'container etcd');
    expect(etcdRuns.map((s) => [s.startTimeUnixNano, s.endTimeUnixNano])).toEqual([
      [ns('2021-07-07T11:27:31Z'), ns('2021-07-07T11:27:46Z')],
      [ns('2021-07-07T11:28:01Z'), spans[0]!.endTimeUnixNano],
    ]);
    expect(etcdRuns.every((s) => s.parentSpanId === spans[0]!.spanId)).toBe(true);
    const backoff = spanNamed(spans, 'back-off etcd');
    expect([backoff.startTimeUnixNano, backoff.endTimeUnixNano]).toEqual([
      ns('2021-07-07T11:27:46Z'),
      ns('2021-07-07T11:28:01Z'),
    ]);
    const ready = spanNamed(spans, 'waiting for Ready');
    expect([ready.startTimeUnixNano, ready.endTimeUnixNano]).toEqual([
      ns('2021-07-07T11:27:14Z'),
      ns('2021-07-07T11:28:09Z'),
    ]);
  });

  it('image pull (kspan): Pulling → Pulled of the container, with the image name', () => {
    const spans = spansOf(podOf('kspan__deployment-2-pods-recorded-stream.yaml', 'px-5d567cc74c-ss4lb'));
    const pull = spanNamed(spans, 'pull image podinfo');
    expect([pull.startTimeUnixNano, pull.endTimeUnixNano]).toEqual([
      ns('2021-05-19T09:42:59Z'),
      ns('2021-05-19T09:43:05Z'),
    ]);
    expect(attr(pull, 'container.image.name')?.stringValue).toMatch(/^ghcr\.io\/stefanprodan\/podinfo/);
  });

  it('a pod without creationTimestamp (mission-control/oomkilled-pod): its first observation starts the trace, said so', () => {
    const rec = podOf('is-healthy__oomkilled-unhealthy.yaml');
    const first = rec.timeline.find((e) => e.at != null)!.at!;
    expect(rec.timeline.some((e) => e.type === 'Created')).toBe(false);
    const [root] = spansOf(rec);
    expect(root!.startTimeUnixNano).toBe(ns(first));
    expect(attr(root!, 'podlife.created_at_source')).toEqual({ stringValue: 'firstSeen' });
  });

  it('ids are stable: the same pod exported twice, or from its facts in any order with duplicates, gives the same trace', () => {
    const inputs = [
      ...fixtureInputs('insights-operator__etcd-master-0-init-restarts.json'),
      ...fixtureInputs('kspan__deployment-2-pods-recorded-stream.yaml'),
      ...fixtureInputs('gitops-engine__pod-crashloop.yaml'),
    ];
    const expected = otlpTraceOf(recordsOf(inputs));
    expect(otlpTraceOf(recordsOf(inputs))).toEqual(expected);
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: inputs.length - 1 }), { maxLength: inputs.length * 2 }),
        fc.integer(),
        (extra, seed) => {
          const shuffled = [...inputs, ...extra.map((i) => inputs[i]!)];
          const rnd = mulberry(seed);
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = Math.floor(rnd() * (i + 1));
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          expect(otlpTraceOf(recordsOf(shuffled))).toEqual(expected);
        },
      ),
      { numRuns: 40, seed: 20261129 },
    );
  });

  it("a span keeps its id when the pod lives on: the earlier record's spans are in the later trace", () => {
    const inputs = fixtureInputs('pandaychen-blog__api-watch-pods-2016.jsonl');
    const early = spansOf(recordsOf(inputs.slice(0, 2))[0]!);
    const late = new Set(
      spansOf(recordsOf(inputs)[0]!).map((s) => `${s.spanId} ${s.name} ${s.startTimeUnixNano}`),
    );
    // Spans that were over early keep id, name and start (an open one may end otherwise, or, as
    // here, the 2016 API never says when the pod was scheduled: no scheduling span once it runs).
    expect(early.filter((s) => attr(s, 'podlife.open')).map((s) => s.name)).toEqual([
      'pod default/nginx-app-o0kvl',
      'scheduling',
    ]);
    expect(late.has(`${early[0]!.spanId} ${early[0]!.name} ${early[0]!.startTimeUnixNano}`)).toBe(true);
    for (const s of early.filter((x) => !attr(x, 'podlife.open')))
      expect(late.has(`${s.spanId} ${s.name} ${s.startTimeUnixNano}`), s.name).toBe(true);
  });
});

/** A small seeded PRNG (mulberry32), so a failing shuffle replays. */
function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
