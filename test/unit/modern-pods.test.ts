/**
 * Issue 11, modern pods read right: native sidecars (KEP-753), init containers in a crash loop,
 * kubectl's STATUS and RESTARTS as figures, scheduling gates. Real fixtures in; where no published
 * object shows a case, one is built here from a real fixture by the documented Kubernetes
 * semantics (each such case says so). Expected values come from the fixtures' literal times.
 */
import { describe, expect, it } from 'vitest';
import { PodSnapshot } from '../../core/snapshot.ts';
import { fixtureInputs } from '../../testkit/fixtures.ts';

function snapshotsOf(file: string): PodSnapshot[] {
  return fixtureInputs(file).flatMap((i) => (i.kind === 'snapshot' ? [i.snapshot] : []));
}

describe('the snapshot keeps what tells a sidecar from an init container', () => {
  it('projects each init container’s restartPolicy, and a sidecar’s started flag (k9s sidecar pod)', () => {
    const [snap] = snapshotsOf('k9s__po-sidecar-init.json');
    const init = snap!.pod.initContainerStatuses;
    expect(init.map((c) => [c.name, c.restartPolicy, c.started])).toEqual([
      ['init', undefined, undefined],
      ['sidecar', 'Always', true],
    ]);
    // App containers carry no restartPolicy (nor readiness: no figure reads it, docs/forwarder.md).
    expect(snap!.pod.containerStatuses[0]).toEqual({
      name: 'sleep',
      restartCount: 0,
      containerID: 'containerd://a1848056a183e40a',
      state: { running: { startedAt: '2024-08-24T01:54:38Z' } },
    });
  });

  it('an old snapshot without restartPolicy, started or ready still parses', () => {
    const [snap] = snapshotsOf('k9s__po-sidecar-init.json');
    const old = structuredClone(snap!);
    for (const c of [...old.pod.initContainerStatuses, ...old.pod.containerStatuses]) {
      delete c.restartPolicy;
      delete c.started;
      delete c.ready;
    }
    expect(PodSnapshot.safeParse(old).success).toBe(true);
    expect(PodSnapshot.safeParse(snap).success).toBe(true);
  });
});
