/**
 * Sender binding at the ingest, on DynamoDB Local (issue 15): a bound cluster's forwarder
 * (`podlife.forwarder.CLUSTER`, as `--cluster-source` sends) is stored exactly as the plain
 * forwarder would be; the same events sent with a bound source that names another cluster are
 * parked `wrong-sender` (with the whole event, replayable) and write nothing, whatever routed them.
 */
import { describe, expect, it } from 'vitest';
import { boundSource } from '../../core/sender-binding.ts';
import { engineOf, fixtureInputs } from '../../testkit/fixtures.ts';
import {
  factsEventsOf,
  harness,
  inCluster,
  partitionsOf,
  RECORD_CTX,
  storedRecords,
} from '../../testkit/ingest-harness.ts';
import { localTablePerFile } from '../../testkit/sweep-support.ts';

const t = localTablePerFile('podlife-senders', 120_000);

const stream = (cluster: string) =>
  fixtureInputs('pandaychen-blog__api-watch-pods-2016.jsonl').map((i) => inCluster(i, cluster));

describe('the ingest and bound sources', () => {
  it('a bound source speaking for its own cluster: stored as the plain source would be', async () => {
    const inputs = stream('bound-eu');
    const h = harness(t.doc, t.tableName);
    const events = factsEventsOf(inputs).map((e) => ({ ...e, source: boundSource('bound-eu') }));
    expect(events.length).toBeGreaterThan(0);
    for (const e of events)
      expect(await h.handler(e)).toMatchObject({ status: expect.not.stringMatching('invalid') });
    expect(h.invalid).toEqual([]);
    expect(await storedRecords(t.doc, t.tableName, 'bound-eu')).toEqual(engineOf(inputs).records(RECORD_CTX));
  });

  it('a bound source speaking for another cluster: every event parked wrong-sender, nothing written', async () => {
    const inputs = stream('victim');
    const h = harness(t.doc, t.tableName);
    const events = factsEventsOf(inputs).map((e) => ({ ...e, source: boundSource('attacker') }));
    for (const e of events)
      expect(await h.handler(e)).toMatchObject({ status: 'invalid', kind: 'wrong-sender' });
    expect(h.invalid).toHaveLength(events.length);
    for (const [i, r] of h.invalid.entries()) {
      expect(r.kind).toBe('wrong-sender');
      expect(r.reason).toBe(
        'detail.cluster "victim" is not "attacker", the cluster source podlife.forwarder.attacker is bound to',
      );
      expect(r.event).toEqual(events[i]); // whole: fixable and replayable
    }
    expect((await partitionsOf(t.doc, t.tableName, 'victim')).size).toBe(0);
  });
});
