/**
 * Fact identities: the one module that builds a fact's `id` (and reads one back). Two facts
 * with the same id are joined (core/facts.ts), so an id says exactly what "the same fact" is:
 * one per pod (`pod`, `node`, `latest`, ...), one per mark, phase or container (`restarts:NAME`),
 * one per run of a container (its container ID and start), one per Event (its uid), one fold
 * per container or Event key (core/fold.ts). The ids are stored (DynamoDB items, `Pod Facts`
 * captures), so their text never changes within a schemaVersion.
 */
import type { MarkName } from './facts.ts';

/** The ids of the facts a pod has at most one of. */
export type SingletonFactId =
  | 'pod'
  | 'node'
  | 'initCount'
  | 'containers'
  | 'latest'
  | 'status'
  | 'unschedulable'
  | 'deleted'
  | 'vanished'
  | 'stateful';

/** A container within its pod: init containers and app containers may share a name. */
export type ContainerKey = `${'i' | 'c'}:${string}`;

export function containerKey(init: boolean, container: string): ContainerKey {
  return `${init ? 'i' : 'c'}:${container}`;
}

export function markId(mark: MarkName): `mark:${MarkName}` {
  return `mark:${mark}`;
}

export function phaseId(phase: string): `phase:${string}` {
  return `phase:${phase}`;
}

/** One per container: names are unique across a pod's init and app containers, so no prefix. */
export function restartsId(container: string): `restarts:${string}` {
  return `restarts:${container}`;
}

/**
 * The identity of one run of a container: its container ID and start. A run is seen in
 * `state.running`, then `state.terminated`, then `lastState.terminated`: all three name the
 * same ID and start, so they collapse into one fact. Without a container ID, the start (or,
 * without one, the finish) stands for the run.
 */
export function runId(
  init: boolean,
  container: string,
  containerID: string | undefined,
  startedAt: number | null,
  finishedAt: number | null,
): `run:${string}` {
  const key = containerID
    ? `${containerID}@${startedAt ?? '-'}`
    : startedAt != null
      ? `@${startedAt}`
      : `@-/${finishedAt ?? '-'}`;
  return `run:${containerKey(init, container)}:${key}`;
}

/** The container ID a run's id was built from (`runId`'s inverse for that part); '' when none. */
export function containerIdOfRun(run: { id: string; init: boolean; container: string }): string {
  const key = run.id.slice(`run:${containerKey(run.init, run.container)}:`.length);
  return key.startsWith('@') ? '' : key.slice(0, key.lastIndexOf('@'));
}

/** One waiting reason of one container (the earliest time it was seen is the fact's). */
export function waitingId(init: boolean, container: string, reason: string): `waiting:${string}` {
  return `waiting:${containerKey(init, container)}:${reason}`;
}

/** One app container's or sidecar's readiness (kubectl's READY), latest by order. */
export function readyId(init: boolean, container: string): `ready:${string}` {
  return `ready:${containerKey(init, container)}`;
}

export function eventId(uid: string): `event:${string}` {
  return `event:${uid}`;
}

/** The fold of one container's old runs. */
export function runsFoldId(init: boolean, container: string): `runs:${string}` {
  return `runs:${containerKey(init, container)}`;
}

/** The fold of old Events of one reason/type/container. */
export function eventsFoldId(e: { reason: string; type?: string; container?: string }): `events:${string}` {
  return `events:${JSON.stringify([e.reason, e.type ?? '', e.container ?? ''])}`;
}
