/**
 * Which free-text messages are the system's (scheduler, kubelet, container runtime) and which
 * are the application's, and what the forwarder sends in place of the latter by default.
 *
 * Kubernetes carries two kinds of text in the fields a snapshot keeps. System text is written by
 * Kubernetes itself from a fixed format: "0/3 nodes are available: ...", "Back-off pulling image
 * ...", "Back-off 40s restarting failed container=...". Application text is whatever a container
 * or its probes wrote: a termination message (the file at terminationMessagePath, or with
 * FallbackToLogsOnError the tail of the log: real fixtures carry stack traces and connection
 * strings there), an exec probe's or lifecycle hook's output (carried in Unhealthy,
 * FailedPostStartHook... Event messages and in PostStartHookError waiting messages). The second
 * kind may hold anything an application prints, secrets included, so it does not leave the
 * cluster unless the operator asks for it (`--forward-messages`).
 *
 * The classification is a table per field, keyed by the reason that accompanies the message,
 * with a default for reasons not listed: **a reason not in a table is application text**, so a
 * controller or kubelet version that invents a reason cannot leak through. The tables keep the
 * messages the figures and the timeline explain a pod with (unschedulableMessage, back-off and
 * pull messages, runtime start errors); see docs/forwarder.md "Free text".
 */
import type { CompactEvent, CompactPod, PodSnapshot, SnapContainer, SnapState } from './snapshot.ts';

/** What replaces an application message that is not forwarded. */
export const WITHHELD = '(withheld: run the forwarder with --forward-messages)';

/**
 * How one message is treated: `system` is forwarded as it is; `application` is replaced by
 * WITHHELD; `{ keep }` forwards the part the regular expression matches at the start (the
 * system's own prefix, e.g. "Liveness probe failed: ") followed by WITHHELD, and is WITHHELD
 * as a whole when it does not match.
 */
type MessageRule = 'system' | 'application' | { keep: RegExp };

/** The kubelet prober's own prefix ("%s probe failed: %s", "errored", "warning"); the rest is output. */
const PROBE_PREFIX: MessageRule = {
  keep: /^(?:Liveness|Readiness|Startup) probe (?:failed|errored|warning): /,
};

/**
 * An Event reason's rule, and which components' Events it covers (`sources`: the Event's
 * `source.component`, else its `reportingComponent`; absent: any). Generic reasons (Created,
 * Failed, Started...) are also what operators name their own Events with, so the kubelet's are
 * trusted only from the kubelet; the scheduler's from any scheduler (each profile reports under
 * its own name, and a scheduler's message is its verdict, never a pod's output).
 */
interface EventRule {
  rule: MessageRule;
  sources?: readonly string[];
}

const KUBELET = ['kubelet'];
const kubelet = (rule: MessageRule): EventRule => ({ rule, sources: KUBELET });
const SCHEDULER: EventRule = { rule: 'system' };

/**
 * core/v1 Event messages by the Event's reason. System: the scheduler (Scheduled,
 * FailedScheduling, Preempted), the kubelet's image, container and volume lifecycle (its
 * messages name images, containers, volumes and runtime errors, never output), eviction and
 * node lifecycle. Prefix only: probe results, whose tail is the probe's output (an exec probe's
 * stdout, an HTTP error). Application: lifecycle hooks, whose messages quote the hook's command
 * and its output. Any other reason, or a listed reason from another component: application.
 */
const EVENT_MESSAGE_RULES: Readonly<Record<string, EventRule>> = {
  Scheduled: SCHEDULER,
  FailedScheduling: SCHEDULER,
  Preempted: SCHEDULER,
  Pulling: kubelet('system'),
  Pulled: kubelet('system'),
  BackOff: kubelet('system'),
  Failed: kubelet('system'),
  ErrImageNeverPull: kubelet('system'),
  InspectFailed: kubelet('system'),
  Created: kubelet('system'),
  Started: kubelet('system'),
  Killing: kubelet('system'),
  ExceededGracePeriod: kubelet('system'),
  FailedKillPod: kubelet('system'),
  FailedCreatePodSandBox: kubelet('system'),
  SandboxChanged: kubelet('system'),
  FailedMount: kubelet('system'),
  FailedMapVolume: kubelet('system'),
  NetworkNotReady: kubelet('system'),
  Evicted: kubelet('system'),
  Preempting: kubelet('system'),
  FailedAttachVolume: { rule: 'system', sources: ['attachdetach-controller'] },
  SuccessfulAttachVolume: { rule: 'system', sources: ['attachdetach-controller'] },
  TaintManagerEviction: { rule: 'system', sources: ['taint-eviction-controller', 'taint-controller'] },
  NodeNotReady: { rule: 'system', sources: ['node-controller'] },
  Unhealthy: kubelet(PROBE_PREFIX),
  ProbeWarning: kubelet(PROBE_PREFIX),
  FailedPostStartHook: kubelet('application'),
  FailedPreStopHook: kubelet('application'),
};

/**
 * A container's waiting message by its reason: the kubelet's back-off, image and
 * container-creation errors (a runtime error may quote the executable's path, never its
 * arguments or output). Not PostStartHookError / PreStartHookError: the kubelet puts the hook's
 * command and output there. Any other reason: application.
 */
const WAITING_MESSAGE_RULES: Readonly<Record<string, MessageRule>> = {
  ContainerCreating: 'system',
  PodInitializing: 'system',
  CrashLoopBackOff: 'system',
  ImagePullBackOff: 'system',
  ErrImagePull: 'system',
  ErrImageNeverPull: 'system',
  InvalidImageName: 'system',
  ImageInspectError: 'system',
  CreateContainerConfigError: 'system',
  CreateContainerError: 'system',
  RunContainerError: 'system',
  PreCreateHookError: 'system',
};

/**
 * A container's terminated message by its reason. The kubelet appends the termination-message
 * file (or, with FallbackToLogsOnError, the log's tail) to the runtime's message, so it is the
 * application's, except when the process never ran (the runtime refused to start it: its error
 * is all there is).
 */
const TERMINATED_MESSAGE_RULES: Readonly<Record<string, MessageRule>> = {
  StartError: 'system',
  ContainerCannotRun: 'system',
};

/**
 * The pod's own status message (Evicted, NodeLost, Shutdown, OutOfcpu...: the kubelet's and the
 * node controller's) and the PodScheduled condition's (the scheduler's): system text whatever
 * the reason. The other conditions' messages are not in a snapshot at all.
 */
const POD_STATUS_MESSAGE_RULE: MessageRule = 'system';

/** A message as the rule for its reason allows it (undefined stays undefined). */
export function applyRule(rule: MessageRule | undefined, message: string | undefined): string | undefined {
  if (message === undefined || message === '') return message;
  const r = rule ?? 'application';
  if (r === 'system') return message;
  if (r === 'application') return WITHHELD;
  const m = r.keep.exec(message);
  return m && m.index === 0 ? `${m[0]}${WITHHELD}` : WITHHELD;
}

const rule = <T>(table: Readonly<Record<string, T>>, reason: string | undefined): T | undefined =>
  reason !== undefined && Object.hasOwn(table, reason) ? table[reason] : undefined;

/** A container's waiting message as its reason's rule allows it. */
export function waitingMessage(reason: string | undefined, message: string | undefined): string | undefined {
  return applyRule(rule(WAITING_MESSAGE_RULES, reason), message);
}

/** A container's terminated message as its reason's rule allows it. */
export function terminatedMessage(
  reason: string | undefined,
  message: string | undefined,
): string | undefined {
  return applyRule(rule(TERMINATED_MESSAGE_RULES, reason), message);
}

/** An Event's message as the rule for its reason and source allows it. */
export function eventMessage(
  reason: string | undefined,
  message: string | undefined,
  source: string | undefined,
): string | undefined {
  const r = rule(EVENT_MESSAGE_RULES, reason);
  const from = r && (!r.sources || (source !== undefined && r.sources.includes(source)));
  return applyRule(from ? r.rule : undefined, message);
}

function withholdState(s: SnapState): SnapState {
  const w = s.waiting;
  const t = s.terminated;
  if (w?.message === undefined && t?.message === undefined) return s;
  const out: SnapState = { ...s };
  if (w?.message !== undefined) out.waiting = { ...w, message: waitingMessage(w.reason, w.message) };
  if (t?.message !== undefined) out.terminated = { ...t, message: terminatedMessage(t.reason, t.message) };
  return out;
}

function withholdContainer(c: SnapContainer): SnapContainer {
  const state = c.state && withholdState(c.state);
  const lastState = c.lastState && withholdState(c.lastState);
  if (state === c.state && lastState === c.lastState) return c;
  const out = { ...c };
  if (state) out.state = state;
  if (lastState) out.lastState = lastState;
  return out;
}

/**
 * A compact pod with its application text replaced by WITHHELD: a new object where anything
 * changes (the input is never modified), the same one when nothing does.
 */
function withholdPodText(pod: CompactPod): CompactPod {
  const message = pod.message === undefined ? undefined : applyRule(POD_STATUS_MESSAGE_RULE, pod.message);
  const init = pod.initContainerStatuses.map(withholdContainer);
  const main = pod.containerStatuses.map(withholdContainer);
  const same = (a: SnapContainer[], b: SnapContainer[]) => a.every((c, i) => c === b[i]);
  if (message === pod.message && same(init, pod.initContainerStatuses) && same(main, pod.containerStatuses))
    return pod;
  const out: CompactPod = { ...pod, initContainerStatuses: init, containerStatuses: main };
  if (message !== undefined) out.message = message;
  return out;
}

/** A snapshot with its application text replaced by WITHHELD. */
export function withholdSnapshotText(snap: PodSnapshot): PodSnapshot {
  const pod = withholdPodText(snap.pod);
  return pod === snap.pod ? snap : { ...snap, pod };
}

/** A compact Event with its message kept, cut to its system prefix, or WITHHELD, by its reason. */
export function withholdEventText(ev: CompactEvent): CompactEvent {
  if (ev.message === undefined) return ev;
  return { ...ev, message: eventMessage(ev.reason, ev.message, ev.source) };
}

/**
 * The `message` value of kubernetes-event-exporter's `details` layout that applies the same
 * Event table: a Go template (`eq` with several arguments is true when the first equals any
 * other; `or` gives its first non-empty argument, the Event's source as compactEventOf reads
 * it). Prefix rules cannot be expressed there: those messages are left out whole.
 */
export function exporterMessageTemplate(): string {
  const bySources = new Map<string, string[]>();
  for (const [reason, r] of Object.entries(EVENT_MESSAGE_RULES)) {
    if (r.rule !== 'system') continue;
    const key = (r.sources ?? []).join(' ');
    bySources.set(key, [...(bySources.get(key) ?? []), `"${reason}"`]);
  }
  const source = '(or .Source.Component .ReportingController)';
  const terms = [...bySources].map(([sources, reasons]) => {
    const reason = `(eq .Reason ${reasons.join(' ')})`;
    if (!sources) return reason;
    const quoted = sources.split(' ').map((x) => `"${x}"`);
    return `(and (eq ${source} ${quoted.join(' ')}) ${reason})`;
  });
  return `{{ if or ${terms.join(' ')} }}{{ .Message }}{{ end }}`;
}
