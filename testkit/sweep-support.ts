/**
 * The sweep tests' shared setup: one DynamoDB Local for the file, a fresh table per scenario (the
 * sweep reads every registered cluster of its table), and SNS and EventBridge mocked to accept
 * every message (a test that injects a failure overrides them). Call once at a test file's top.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createTable } from '../store/create-table.ts';
import { type LocalTable, startLocalTable } from './ingest-harness.ts';

export function sweepTables(prefix: string) {
  const sns = mockClient(SNSClient);
  const events = mockClient(EventBridgeClient);
  let local: LocalTable | undefined;
  let tables = 0;
  beforeAll(async () => {
    local = await startLocalTable(`${prefix}-0`);
  });
  afterAll(async () => {
    await local?.stop();
  });
  beforeEach(() => {
    sns.reset();
    events.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  });
  return {
    sns,
    events,
    /** DynamoDB Local of this file (after beforeAll). */
    get t(): LocalTable {
      if (!local) throw new Error('sweepTables: DynamoDB Local is not started yet (use it inside a test)');
      return local;
    },
    /** A fresh table for one scenario. */
    async freshTable(): Promise<string> {
      const name = `${prefix}-${++tables}`;
      await createTable(this.t.client, name);
      return name;
    },
  };
}
