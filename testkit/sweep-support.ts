/**
 * The sweep tests' shared setup: one DynamoDB Local for the file, a fresh table per scenario (the
 * sweep reads every registered cluster of its table), SNS and EventBridge mocked to accept
 * every message (a test that injects a failure overrides them), and the sweep's dependencies on
 * them (`sweepDeps`). Call once at a test file's top. A DynamoDB Local test file that needs one
 * table and no mocks takes `localTablePerFile` instead.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { snsEventBridgeNotifier } from '../functions/sweep/notifier.ts';
import type { SweepDeps } from '../functions/sweep/sweep.ts';
import { type AlertConfig, DEFAULT_ALERT_CONFIG } from '../model/alerts.ts';
import { createTable } from '../store/create-table.ts';
import { type LocalTable, quietLogger, silentMetrics, startLocalTable } from './ingest-harness.ts';

/** The alert topic the sweep's notifier publishes to (SNS is mocked). */
export const ALERT_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:podlife-alerts';

/**
 * DynamoDB Local with podlife's table for one test file (call once at its top): started before its
 * tests (`timeoutMs`: the hook's timeout, for a loaded machine), stopped after them. The fields
 * read the running table; reading one outside a test throws.
 */
export function localTablePerFile(tableName?: string, timeoutMs?: number): LocalTable {
  let local: LocalTable | undefined;
  beforeAll(async () => {
    local = await startLocalTable(tableName);
  }, timeoutMs);
  afterAll(async () => {
    await local?.stop();
  });
  const running = (): LocalTable => {
    if (!local)
      throw new Error('localTablePerFile: DynamoDB Local is not started yet (use it inside a test)');
    return local;
  };
  return {
    get ddb() {
      return running().ddb;
    },
    get client() {
      return running().client;
    },
    get doc() {
      return running().doc;
    },
    get tableName() {
      return running().tableName;
    },
    stop: () => running().stop(),
  };
}

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
    /**
     * The sweep's dependencies on this file's table at `clock.now`: the real SNS + EventBridge
     * notifier on the mocked clients, DEFAULT_ALERT_CONFIG with `config` over it, a quiet logger
     * and silent metrics (spread and override any of them).
     */
    sweepDeps(tableName: string, clock: { now: number }, config: Partial<AlertConfig> = {}): SweepDeps {
      return {
        client: this.t.client,
        tableName,
        notifier: snsEventBridgeNotifier({
          sns: new SNSClient({ region: 'eu-west-1' }),
          topicArn: ALERT_TOPIC,
          events: new EventBridgeClient({ region: 'eu-west-1' }),
          busName: 'podlife',
        }),
        config: { ...DEFAULT_ALERT_CONFIG, ...config },
        now: () => clock.now,
        logger: quietLogger(),
        metrics: silentMetrics(),
      };
    },
  };
}
