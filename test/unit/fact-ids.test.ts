/**
 * Fact identities (core/fact-ids.ts): every id the engine builds comes from that module, and
 * the one id that is read back (a run's container ID) reads back what was put in.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containerIdOfRun, runId, runsFoldId, waitingId } from '../../core/fact-ids.ts';
import { type Fact, factsOfSnapshot } from '../../core/facts.ts';
import { propertyStreams } from '../../testkit/fixtures.ts';

const name = fc.stringMatching(/^[a-z0-9]([-a-z0-9@:]{0,20}[a-z0-9])?$/);
const cid = fc.option(fc.stringMatching(/^[a-z]{1,10}:\/\/[0-9a-f@-]{1,20}$/), { nil: undefined });
const time = fc.option(fc.integer({ min: 0, max: 2 ** 45 }), { nil: null });

describe('fact ids', () => {
  it('a run id gives back the container ID it was built from', () => {
    fc.assert(
      fc.property(fc.boolean(), name, cid, time, time, (init, container, id, start, end) => {
        const run = { id: runId(init, container, id, start, end), init, container };
        expect(containerIdOfRun(run)).toBe(id ?? '');
      }),
    );
  });

  it('init and app containers of one name never share an id', () => {
    expect(runId(true, 'a', 'x://1', 1, null)).not.toBe(runId(false, 'a', 'x://1', 1, null));
    expect(waitingId(true, 'a', 'R')).not.toBe(waitingId(false, 'a', 'R'));
    expect(runsFoldId(true, 'a')).not.toBe(runsFoldId(false, 'a'));
  });

  it("every run fact of the real streams reads back its container's ID", () => {
    let runs = 0;
    for (const input of propertyStreams().flatMap(([, inputs]) => inputs)) {
      if (input.kind !== 'snapshot') continue;
      const pod = input.snapshot.pod;
      const ids = new Set<string>();
      for (const cs of [...pod.initContainerStatuses, ...pod.containerStatuses])
        for (const s of [cs.state?.running, cs.state?.terminated, cs.lastState?.terminated])
          if (s) ids.add((s as { containerID?: string }).containerID ?? cs.containerID ?? '');
      for (const f of factsOfSnapshot(input.snapshot) as Fact[]) {
        if (f.kind !== 'run') continue;
        runs++;
        const id = containerIdOfRun(f);
        if (id) expect(ids).toContain(id);
      }
    }
    expect(runs).toBeGreaterThan(10);
  });
});
