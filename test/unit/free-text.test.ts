/**
 * The free-text classification (core/free-text.ts) on every message of the real
 * fixtures: which field and reason keeps its message (the system's), which is cut to the
 * system's prefix (probe results), and which is withheld (the application's). A fixture that
 * brings a new (field, reason) pair fails the first test until someone decides.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyRule,
  exporterMessageTemplate,
  WITHHELD,
  withholdEventText,
  withholdSnapshotText,
} from '../../core/free-text.ts';
import { CompactEvent, type CompactPod, PodSnapshot, type SnapState } from '../../core/snapshot.ts';
import { FIXTURES_DIR, fixtureInputs } from '../../testkit/fixtures.ts';

type Outcome = 'kept' | 'prefix' | 'withheld';

/** Every (field, reason) whose message the real fixtures carry, and what becomes of it. */
const EXPECTED: Record<string, Outcome> = {
  'event:Scheduled': 'kept',
  'event:FailedScheduling': 'kept',
  'event:Pulling': 'kept',
  'event:Pulled': 'kept',
  'event:Created': 'kept',
  'event:Started': 'kept',
  'event:Killing': 'kept',
  'event:Unhealthy': 'prefix',
  'waiting:CrashLoopBackOff': 'kept',
  'waiting:ImagePullBackOff': 'kept',
  'waiting:ContainerCreating': 'kept',
  'terminated:Error': 'withheld',
  'terminated:OOMKilled': 'withheld',
  'terminated:StartError': 'kept',
  'status:Evicted': 'kept',
  'condition:PodScheduled': 'kept',
};

interface Message {
  key: string;
  before: string;
  after: string | undefined;
}

function stateMessages(a: SnapState | undefined, b: SnapState | undefined, out: Message[]) {
  if (a?.waiting?.message)
    out.push({ key: `waiting:${a.waiting.reason}`, before: a.waiting.message, after: b?.waiting?.message });
  if (a?.terminated?.message)
    out.push({
      key: `terminated:${a.terminated.reason}`,
      before: a.terminated.message,
      after: b?.terminated?.message,
    });
}

function podMessages(a: CompactPod, b: CompactPod): Message[] {
  const out: Message[] = [];
  if (a.message) out.push({ key: `status:${a.reason}`, before: a.message, after: b.message });
  a.conditions.forEach((c, i) => {
    if (c.message)
      out.push({ key: `condition:${c.type}`, before: c.message, after: b.conditions[i]!.message });
  });
  for (const list of ['initContainerStatuses', 'containerStatuses'] as const) {
    a[list].forEach((c, i) => {
      stateMessages(c.state, b[list][i]!.state, out);
      stateMessages(c.lastState, b[list][i]!.lastState, out);
    });
  }
  return out;
}

/** Every message of every real fixture, before and after withholding. */
function realMessages(): Message[] {
  const out: Message[] = [];
  for (const file of readdirSync(FIXTURES_DIR)) {
    // The one fragment (a lastState without its pod) is not an object podlife decodes.
    if (!/\.(json|jsonl|yaml)$/.test(file) || file.includes('fragment')) continue;
    for (const input of fixtureInputs(file)) {
      if (input.kind === 'snapshot') {
        const after = withholdSnapshotText(input.snapshot);
        expect(PodSnapshot.safeParse(after).success).toBe(true);
        out.push(...podMessages(input.snapshot.pod, after.pod));
      } else if (input.event.message) {
        const after = withholdEventText(input.event);
        expect(CompactEvent.safeParse(after).success).toBe(true);
        out.push({ key: `event:${input.event.reason}`, before: input.event.message, after: after.message });
      }
    }
  }
  return out;
}

function outcomeOf(m: Message): Outcome {
  if (m.after === m.before) return 'kept';
  if (m.after === WITHHELD) return 'withheld';
  if (m.after?.endsWith(WITHHELD) && m.before.startsWith(m.after.slice(0, -WITHHELD.length))) return 'prefix';
  throw new Error(`${m.key}: unexpected ${m.after}`);
}

describe('free text in the real fixtures', () => {
  const messages = realMessages();

  it('every (field, reason) carrying a message is decided, and nothing else', () => {
    expect(messages.length).toBeGreaterThan(50);
    expect([...new Set(messages.map((m) => m.key))].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s: %s', (key, want) => {
    const of = messages.filter((m) => m.key === key);
    expect(of.length).toBeGreaterThan(0);
    for (const m of of) expect(outcomeOf(m), m.before).toBe(want);
  });

  it('the application text of the fixtures is gone (stack traces, connection errors)', () => {
    const after = JSON.stringify(messages.map((m) => m.after));
    for (const text of ['workqueue.(*delayingType)', 'could not connect to hana', 'clientURLs=']) {
      expect(JSON.stringify(messages.map((m) => m.before))).toContain(text);
      expect(after).not.toContain(text);
    }
    // The figures' messages stay: the scheduler's and the kubelet's back-offs.
    for (const text of ['nodes are available', 'Back-off pulling image', 'restarting failed container']) {
      expect(after).toContain(text);
    }
  });
});

describe('the rules', () => {
  const ev = (reason: string, message?: string): CompactEvent => ({
    uid: 'e',
    namespace: 'ns',
    podName: 'p',
    reason,
    message,
    count: 1,
    firstTimestamp: null,
    lastTimestamp: null,
  });

  it.each<[string, string | undefined, string | undefined, string | undefined]>([
    [
      'Unhealthy',
      'kubelet',
      'Liveness probe failed: Authorization: Bearer abc',
      `Liveness probe failed: ${WITHHELD}`,
    ],
    [
      'Unhealthy',
      'kubelet',
      'Startup probe errored: rpc error: code = Unknown',
      `Startup probe errored: ${WITHHELD}`,
    ],
    [
      'ProbeWarning',
      'kubelet',
      'Readiness probe warning: <html>token=abc',
      `Readiness probe warning: ${WITHHELD}`,
    ],
    // A probe message not in the kubelet's format: nothing of it is trusted.
    ['Unhealthy', 'kubelet', 'Bearer abc Liveness probe failed: x', WITHHELD],
    [
      'FailedPostStartHook',
      'kubelet',
      'Exec lifecycle hook ([/bin/sh -c echo s3cret]) for Container "c" failed',
      WITHHELD,
    ],
    ['SomeOperatorReason', 'my-operator', 'anything', WITHHELD],
    // The kubelet's reasons are trusted from the kubelet only: an operator may name its Events so.
    ['Failed', 'my-operator', 'backup failed: s3://key:s3cret@bucket', WITHHELD],
    ['Created', undefined, 'created with token s3cret', WITHHELD],
    ['Unhealthy', 'my-operator', 'Liveness probe failed: s3cret', WITHHELD],
    // Reasons that are names of Object.prototype's members are not rules.
    ['constructor', 'kubelet', 'x', WITHHELD],
    ['__proto__', 'kubelet', 'x', WITHHELD],
    ['toString', 'kubelet', 'x', WITHHELD],
    // A scheduler's verdict, whatever the scheduler (profile) is called.
    ...['default-scheduler', 'bin-packing-scheduler', undefined].map(
      (source): [string, string | undefined, string, string] => [
        'FailedScheduling',
        source,
        '0/3 nodes are available: 3 Insufficient cpu.',
        '0/3 nodes are available: 3 Insufficient cpu.',
      ],
    ),
    ['NodeNotReady', 'node-controller', 'Node is not ready', 'Node is not ready'],
    ['Unhealthy', 'kubelet', undefined, undefined],
    // The kubelet's, from holmesgpt's `kubectl describe` fixtures (Events as text, not decoded above).
    ...[
      ['BackOff', 'Back-off pulling image "yourcompany/crw:latest"'],
      ['Failed', 'Error: ImagePullBackOff'],
      ['Failed', 'Failed to pull image "yourcompany/crw:latest": failed to pull and unpack image'],
    ].map(([r, m]): [string, string, string, string] => [r!, 'kubelet', m!, m!]),
  ])('event %s from %s: %j → %j', (reason, source, message, want) => {
    const before = { ...ev(reason, message), ...(source ? { source } : {}) };
    const copy = structuredClone(before);
    expect(withholdEventText(before).message).toBe(want);
    expect(before).toEqual(copy);
  });

  it('waiting and terminated messages by their reason; the input is not changed', () => {
    const snap: PodSnapshot = {
      schemaVersion: 1,
      cluster: 'c',
      type: 'MODIFIED',
      pod: {
        uid: 'u',
        namespace: 'ns',
        name: 'p',
        initContainerCount: 1,
        conditions: [],
        initContainerStatuses: [
          {
            name: 'init',
            restartCount: 0,
            state: { waiting: { reason: 'PostStartHookError', message: 'hook output s3cret' } },
          },
        ],
        containerStatuses: [
          {
            name: 'app',
            restartCount: 2,
            state: {
              waiting: {
                reason: 'CrashLoopBackOff',
                message: 'back-off 20s restarting failed container=app',
              },
            },
            lastState: {
              terminated: { exitCode: 1, reason: 'Error', message: 'postgres://admin:s3cret@db/app' },
            },
          },
        ],
      },
    };
    const copy = structuredClone(snap);
    const out = withholdSnapshotText(snap);
    expect(snap).toEqual(copy);
    expect(JSON.stringify(out)).not.toContain('s3cret');
    expect(out.pod.containerStatuses[0]!.state?.waiting?.message).toBe(
      'back-off 20s restarting failed container=app',
    );
    expect(out.pod.containerStatuses[0]!.lastState?.terminated).toEqual({
      exitCode: 1,
      reason: 'Error',
      message: WITHHELD,
    });
    expect(out.pod.initContainerStatuses[0]!.state?.waiting?.message).toBe(WITHHELD);
  });

  it('an empty or absent message stays as it is', () => {
    expect(applyRule('application', undefined)).toBeUndefined();
    expect(applyRule('application', '')).toBe('');
  });

  it('docs/forwarder.md gives kubernetes-event-exporter the same Event table', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'forwarder.md'), 'utf8');
    expect(doc).toContain(`message: '${exporterMessageTemplate()}'`);
  });
});
