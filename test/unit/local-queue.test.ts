/**
 * Local mode's SQS semantics for a queue with an event source mapping (local/local-bus.ts), on
 * the committed wiring (the synthesised template's ingest queue): batch size, batching window,
 * partial-batch failure → redelivery after the visibility timeout, maxReceiveCount → the
 * dead-letter queue, reported.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type DeadLetter, LocalBus } from '../../local/local-bus.ts';
import type { Wiring } from '../../local/wiring.ts';

const wiring = JSON.parse(
  readFileSync(new URL('../../local/wiring.json', import.meta.url), 'utf8'),
) as Wiring;
const INGEST = 'functions/ingest/handler.ts';

type SqsBatch = {
  Records: { messageId: string; body: string; attributes: { ApproximateReceiveCount: string } }[];
};

function entry(i: number) {
  return {
    Source: 'podlife.forwarder',
    DetailType: 'Pod Facts',
    Detail: JSON.stringify({ schemaVersion: 2, cluster: 'c', n: i }),
  };
}

function busWith(
  handler: (b: SqsBatch) => Promise<unknown>,
  msPerSecond: number,
  onDeadLetter?: (d: DeadLetter) => void,
) {
  return new LocalBus(wiring, {
    handlers: { [INGEST]: handler as never, 'functions/sweep/handler.ts': async () => {} },
    now: () => 0,
    queueMillisPerSecond: msPerSecond,
    ...(onDeadLetter ? { onDeadLetter } : {}),
  });
}

const nOf = (r: { body: string }) => (JSON.parse(r.body) as { detail: { n: number } }).detail.n;

describe('local ingest queue (SQS + event source mapping semantics)', () => {
  it('the wiring reads the mapping off the template: batch size, window, partial responses, redrive', () => {
    const targets = wiring.rules.flatMap((r) => r.targets).filter((t) => t.kind === 'queue' && t.consumer);
    expect(targets.length).toBe(2); // the forwarder's rule and the exporter's rule, one queue
    expect(targets[0]).toMatchObject({
      consumer: {
        entry: INGEST,
        batchSize: 1000,
        maxBatchingWindowSeconds: 30,
        reportBatchItemFailures: true,
        maxReceiveCount: 5,
        deadLetterPath: expect.stringContaining('IngestDeadLetterQueue'),
      },
    });
  });

  it('full batches leave at once; the rest waits for the batching window (or a drain)', async () => {
    const batches: number[][] = [];
    const bus = busWith(async (b) => {
      batches.push(b.Records.map(nOf));
      return { batchItemFailures: [] };
    }, 20); // window 30 s → 600 ms (queueing 2,500 messages may take 100s of ms on a loaded machine)
    bus.putEvents(Array.from({ length: 2500 }, (_, i) => entry(i)));
    await new Promise((r) => setTimeout(r, 10));
    expect(batches.map((b) => b.length)).toEqual([1000, 1000]);
    await new Promise((r) => setTimeout(r, 900));
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    const q = [...bus.consumed.values()][0]!;
    expect(q.stats).toMatchObject({ sent: 2500, batches: 3, deleted: 2500, redelivered: 0 });
    bus.stop();
  });

  it('only the listed messages come back, after the visibility timeout; a throw returns the whole batch', async () => {
    const seen: { n: number; receive: number }[][] = [];
    let calls = 0;
    const bus = busWith(async (b) => {
      calls++;
      seen.push(b.Records.map((r) => ({ n: nOf(r), receive: Number(r.attributes.ApproximateReceiveCount) })));
      if (calls === 1)
        return {
          batchItemFailures: b.Records.filter((r) => nOf(r) % 2).map((r) => ({
            itemIdentifier: r.messageId,
          })),
        };
      if (calls === 2) throw new Error('boom');
      return { batchItemFailures: [] };
    }, 5); // window 30 s → 150 ms (the six messages must land in one batch on a loaded machine: at 0.1 the 3 ms window closed after 3 of them in CI), visibility 120 s → 600 ms
    bus.putEvents(Array.from({ length: 6 }, (_, i) => entry(i)));
    await bus.drain();
    expect(seen[0]!.map((x) => x.n)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen[1]!.map((x) => x.n)).toEqual([1, 3, 5]);
    expect(seen[1]!.every((x) => x.receive === 2)).toBe(true);
    expect(seen[2]!.map((x) => x.n)).toEqual([1, 3, 5]);
    expect(seen[2]!.every((x) => x.receive === 3)).toBe(true);
    expect(seen).toHaveLength(3);
    const q = [...bus.consumed.values()][0]!;
    expect(q.stats).toMatchObject({ sent: 6, batches: 3, received: 12, deleted: 6, redelivered: 6 });
    bus.stop();
  });

  it('a message failing maxReceiveCount times moves to the dead-letter queue, reported', async () => {
    const dead: DeadLetter[] = [];
    let receives = 0;
    const bus = busWith(
      async (b) => {
        receives += b.Records.length;
        return {
          batchItemFailures: b.Records.filter((r) => nOf(r) === 1).map((r) => ({
            itemIdentifier: r.messageId,
          })),
        };
      },
      0.01,
      (d) => dead.push(d),
    );
    bus.putEvents([entry(0), entry(1)]);
    await bus.drain();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      receives: 5,
      deadLetterQueue: expect.stringContaining('IngestDeadLetterQueue'),
    });
    expect((dead[0]!.event.detail as { n: number }).n).toBe(1);
    expect(receives).toBe(1 + 5);
    expect(bus.queues.get(dead[0]!.deadLetterQueue)).toHaveLength(1);
    expect(bus.backlog).toBe(0);
    bus.stop();
  });
});
