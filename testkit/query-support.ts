/**
 * What the query, sweep and CLI tests and the query benchmark share: the demo trace loaded
 * through the real ingest handler (with the replay of the same trace as the oracle), pod items
 * in bulk (generated pods through the real engine and item codec, written with BatchWriteItem),
 * hand-made snapshots for alert scenarios, and API Gateway events for direct handler calls.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { replayFiles } from '../cli/replay.ts';
import { backoffDelayMs, sleep } from '../core/backoff.ts';
import { mapLimit } from '../core/concurrency.ts';
import { decodeObject } from '../core/decode.ts';
import { LifecycleEngine } from '../core/engine.ts';
import type { PodRecord } from '../core/pod-record.ts';
import type { PodSnapshot, SnapContainer } from '../core/snapshot.ts';
import { eventOf } from '../local/http-adapter.ts';
import { createdKey, dayKey, dayOf, nsKey, podIdentityOfKey, podPk, uidKey } from '../model/keys.ts';
import { podItemOf } from '../model/pod-item.ts';
import { churnStream } from './churn.ts';
import { RECEIVED_AT } from './fixtures.ts';
import { busEventOf, harness, type Input } from './ingest-harness.ts';

export const DEMO_TRACE = fileURLToPath(new URL('../demo/trace.jsonl', import.meta.url));

/** The demo trace's watch lines as decoded inputs of one cluster. */
export function demoInputs(cluster: string): Input[] {
  return readFileSync(DEMO_TRACE, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => decodeObject(JSON.parse(l), { cluster, now: RECEIVED_AT }))
    .filter((d): d is Input => d.kind !== 'skip');
}

export interface LoadedDemo {
  cluster: string;
  /** What `podlife replay --json --cluster CLUSTER demo/trace.jsonl` prints. */
  records: PodRecord[];
  /** The replay's "now": the trace's last Kubernetes timestamp. */
  now: number;
}

/** Delivers the demo trace through the real ingest handler; returns the replay of it. */
export async function loadDemo(
  doc: DynamoDBDocumentClient,
  tableName: string,
  cluster: string,
): Promise<LoadedDemo> {
  const h = harness(doc, tableName);
  for (const input of demoInputs(cluster)) await h.handler(busEventOf(input));
  if (h.invalid.length) throw new Error(`demo trace: invalid events ${JSON.stringify(h.invalid[0])}`);
  const replay = await replayFiles([DEMO_TRACE], { cluster, stuckAfterSeconds: 300 });
  return { cluster, records: replay.records, now: replay.now };
}

/** The event API Gateway hands the query Lambda for `GET path?query`. */
export function apiEvent(
  path: string,
  query: Record<string, string> = {},
  method = 'GET',
): APIGatewayProxyEventV2 {
  const qs = new URLSearchParams(query).toString();
  return eventOf(
    { method, url: qs ? `${path}?${qs}` : path, headers: { host: 'api.test' } },
    Buffer.alloc(0),
    0,
  );
}

// ---------------------------------------------------------------------------------------------
// Bulk items

export const BULK_NOW = Date.parse('2030-01-01T00:00:00Z');

/** Pod items of `pods` generated pods (churnStream → engine → podItemOf), as the ingest writes them. */
export function generatedItems(cluster: string, pods: number, seed = 11): Record<string, unknown>[] {
  const engine = new LifecycleEngine();
  for (const line of churnStream({ pods, seed, noopUpdates: 0 })) {
    const d = decodeObject(line, { cluster, now: RECEIVED_AT });
    if (d.kind === 'snapshot') engine.applySnapshot(d.snapshot);
  }
  return engine.factMaps().map((m) => podItemOf(m, 1, { now: BULK_NOW, retentionDays: 30 })!);
}

/**
 * `n` more stored pods made from the healthy (never Pending now, never crash-looping) items of
 * `templates`: each a copy under a new uid and name in namespace `bulk-K`, with every key
 * rebuilt for its new identity. The facts blob is the template's: these pods are there to be
 * stored, indexed and not read; the routes and the sweep are measured on the generated ones.
 */
export function healthyCopies(
  templates: readonly Record<string, unknown>[],
  n: number,
  tag: string,
): Record<string, unknown>[] {
  const healthy = templates.filter((i) => !i.pendingKey && !i.crashKey);
  const out: Record<string, unknown>[] = [];
  for (let k = 0; out.length < n; k++) {
    const t = healthy[k % healthy.length];
    if (!t) throw new Error('no healthy item to copy');
    // Items carry no identity copies since issue 12: the template's identity is in its keys.
    const id = podIdentityOfKey(String(t.pk), String(t.sk));
    if (!id) throw new Error(`not a pod item: ${String(t.pk)}`);
    const cluster = id.cluster;
    const namespace = `bulk-${k % 16}`;
    const uid = `${tag}-${k}-${id.uid}`;
    const name = `${id.name}-${tag}${k}`;
    const created = typeof t.createdAt === 'string' ? Date.parse(t.createdAt) : null;
    const copy: Record<string, unknown> = {
      ...t,
      pk: podPk(cluster, namespace, name),
      sk: uid,
      uidKey: uidKey(cluster, uid),
      nsKey: nsKey(cluster, namespace),
      dayKey: dayKey(cluster, dayOf(created)),
      createdKey: createdKey(typeof t.createdAt === 'string' ? t.createdAt : null, uid),
    };
    out.push(copy);
  }
  return out;
}

/** Writes items with BatchWriteItem (25 a request, `concurrency` in flight, unprocessed retried). */
export async function batchWrite(
  doc: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
  concurrency = 16,
): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await mapLimit(chunks, concurrency, async (chunk) => {
    let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
      [tableName]: chunk.map((Item) => ({ PutRequest: { Item } })),
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt > 0) await sleep(backoffDelayMs(attempt, { baseMs: 20, capMs: 1000 }));
      const out = await doc.send(new BatchWriteCommand({ RequestItems: request }));
      request = out.UnprocessedItems as typeof request;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Hand-made snapshots for alert scenarios

const iso = (ms: number) => new Date(ms).toISOString();

export interface PodSpec {
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
  /** Epoch ms. */
  created: number;
  owner?: { kind: string; name: string };
}

/** A snapshot of `p` with the given pod fields (what the forwarder sends). */
export function snapshot(p: PodSpec, type: PodSnapshot['type'], pod: Partial<PodSnapshot['pod']>): Input {
  return {
    kind: 'snapshot',
    snapshot: {
      schemaVersion: 1,
      cluster: p.cluster,
      type,
      pod: {
        uid: p.uid,
        namespace: p.namespace,
        name: p.name,
        creationTimestamp: iso(p.created),
        ...(p.owner ? { owner: p.owner } : {}),
        initContainerCount: 0,
        conditions: [],
        initContainerStatuses: [],
        containerStatuses: [],
        ...pod,
      },
    },
  };
}

/** A pod the scheduler cannot place: Pending, PodScheduled False with the scheduler's message. */
export function unschedulable(p: PodSpec, message = '0/3 nodes are available: 3 Insufficient cpu.'): Input {
  return snapshot(p, 'ADDED', {
    phase: 'Pending',
    conditions: [
      {
        type: 'PodScheduled',
        status: 'False',
        lastTransitionTime: iso(p.created),
        reason: 'Unschedulable',
        message,
      },
    ],
  });
}

/** The same pod scheduled and running since `at`. */
export function running(p: PodSpec, at: number): Input {
  return snapshot(p, 'MODIFIED', {
    phase: 'Running',
    nodeName: 'node-1',
    conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: iso(p.created) }],
    containerStatuses: [
      {
        name: 'app',
        restartCount: 0,
        containerID: 'containerd://run-0',
        state: { running: { startedAt: iso(at) } },
      },
    ],
  });
}

/** The pod deleted (a DELETED watch event with its deletion time). */
export function deleted(p: PodSpec, at: number): Input {
  return snapshot(p, 'DELETED', { phase: 'Pending', deletionTimestamp: iso(at) });
}

/**
 * A container that crashed at each of `starts` (epoch ms; each run lasts `runMs`) and now waits
 * in CrashLoopBackOff, or, with `runningAgain`, has started once more at that time: one
 * snapshot per run, as a watch shows them.
 */
export function crashLoop(
  p: PodSpec,
  starts: readonly number[],
  opts: { runMs?: number; runningAgain?: number } = {},
): Input[] {
  const runMs = opts.runMs ?? 1000;
  const startOf = (i: number): number => {
    const s = starts[i];
    if (s === undefined) throw new Error(`crashLoop: no start for run ${i}`);
    return s;
  };
  const term = (i: number) => ({
    terminated: {
      exitCode: 137,
      reason: 'OOMKilled',
      startedAt: iso(startOf(i)),
      finishedAt: iso(startOf(i) + runMs),
      containerID: `containerd://run-${i}`,
    },
  });
  const base = {
    phase: 'Running' as const,
    nodeName: 'node-1',
    conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: iso(p.created) }],
  };
  const out: Input[] = [];
  starts.forEach((s, i) => {
    const c: SnapContainer = {
      name: 'app',
      restartCount: i,
      containerID: `containerd://run-${i}`,
      state: { running: { startedAt: iso(s) } },
      ...(i > 0 ? { lastState: term(i - 1) } : {}),
    };
    out.push(snapshot(p, i === 0 ? 'ADDED' : 'MODIFIED', { ...base, containerStatuses: [c] }));
  });
  const last = starts.length - 1;
  // Waiting in back-off, restartCount is the attempt of the last dead run (its lastState).
  const waiting: SnapContainer = {
    name: 'app',
    restartCount: last,
    state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
    lastState: term(last),
  };
  out.push(snapshot(p, 'MODIFIED', { ...base, containerStatuses: [waiting] }));
  if (opts.runningAgain != null) {
    const again: SnapContainer = {
      name: 'app',
      restartCount: starts.length,
      containerID: `containerd://run-${starts.length}`,
      state: { running: { startedAt: iso(opts.runningAgain) } },
      lastState: term(last),
    };
    out.push(snapshot(p, 'MODIFIED', { ...base, containerStatuses: [again] }));
  }
  return out;
}
