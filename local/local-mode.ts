/**
 * Local mode: the whole pipeline on one machine, with the code that runs in AWS.
 *
 *   trace file / live cluster ─► local bus (the stack's own rules) ─► ingest handler ─►
 *   DynamoDB Local ◄─ sweep handler (on the stack's schedule) ◄─ query handler ◄─ HTTP on 127.0.0.1
 *
 * DynamoDB Local is the official one, started here on a free port and stopped on exit; the
 * table comes from the same definition as the CDK stack; the handlers are the Lambdas' own
 * (built by their make* factories with local clients instead of AWS ones). Time is virtual
 * while a trace replays: "now" is the trace's time, so ages and stuck-Pending mean what they
 * meant in the recorded cluster, and after the replay "now" stays at the trace's end, which
 * is what `podlife replay` uses too.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { bestTimeOf, factOfEvent, latestTimeOf } from '../core/facts.ts';
import { DETAIL_TYPE_FACTS } from '../core/pod-facts.ts';
import { EVENT_SOURCE } from '../core/snapshot.ts';
import { safeText } from '../core/terminal-text.ts';
import { PayloadEncoder } from '../forwarder/payload.ts';
import { makeBatchIngestHandler } from '../functions/ingest/ingest-batch.ts';
import { eventBridgeInvalidEventSink } from '../functions/ingest/invalid-event-sink.ts';
import { isOpsRequest, makeOpsHandler } from '../functions/query/ops.ts';
import { makeQueryHandler } from '../functions/query/query.ts';
import { snsEventBridgeNotifier } from '../functions/sweep/notifier.ts';
import { makeSweepHandler } from '../functions/sweep/sweep.ts';
import { fetchThrough } from '../functions/widget/widget.ts';
import { type AlertConfig, DEFAULT_ALERT_CONFIG } from '../model/alerts.ts';
import { HeartbeatStore } from '../store/cluster-health.ts';
import { createTable } from '../store/create-table.ts';
import { documentClient } from '../store/dynamo.ts';
import { InventoryStore } from '../store/inventory-store.ts';
import { PodStore } from '../store/pod-store.ts';
import { createApi } from '../web/src/api.ts';
import { firstViewOf, withFirstView } from '../web/src/first-view.ts';
import { type DynamoDbLocal, localDynamoClient, startDynamoDbLocal } from './dynamodb-local.ts';
import { type ServedHandler, serveHandler } from './http-adapter.ts';
import { type BusEntry, LocalBus, localSnsClient } from './local-bus.ts';
import { type InputProblem, type ReadStats, readInput } from './read-inputs.ts';
import { compressed, StaticFiles } from './static-files.ts';
import type { Wiring } from './wiring.ts';

const LOCAL_TABLE = 'podlife-local';
const LOCAL_BUS = 'podlife';
/** PutEvents takes 1 to 10 entries per call; so does the local sink. */
const MAX_PUT_ENTRIES = 10;
const WIRING_FILE = join(import.meta.dirname, 'wiring.json');

/** "Now" for the handlers: a trace's time while replaying, the wall clock for a live cluster. */
export class VirtualClock {
  private anchorTrace: number | null = null;
  private anchorWall = 0;
  private speed = 0;
  private limit = Number.POSITIVE_INFINITY;

  /** Trace time `t` is now; it advances at `speed`× wall time until `limit`. */
  at(t: number, speed: number, limit = Number.POSITIVE_INFINITY): void {
    this.anchorTrace = t;
    this.anchorWall = Date.now();
    this.speed = speed;
    this.limit = limit;
  }

  /** Stops the clock at `t` (the end of a replay). */
  freeze(t: number): void {
    this.at(t, 0);
  }

  readonly now = (): number => {
    if (this.anchorTrace == null) return Date.now();
    return Math.min(this.limit, this.anchorTrace + (Date.now() - this.anchorWall) * this.speed);
  };
}

interface LocalModeOptions {
  port?: number;
  host?: string;
  /** Where the web page's built files are (built on start when absent). */
  webDir?: string;
  stuckAfterSeconds?: number;
  /** Per-namespace stuck thresholds, seconds. */
  stuckOverrides?: Record<string, number>;
  log?: (line: string) => void;
  /** Where alerts go (default: the log). */
  onAlert?: (a: { subject?: string | undefined; message: string }) => void;
}

export interface ReplayOptions {
  files: string[];
  cluster: string;
  /** Trace seconds per wall second; 'max' replays as fast as the pipeline takes it. */
  speed: number | 'max';
  /** Idle stretches of the trace longer than this many trace seconds are shortened to it. */
  maxGapSeconds?: number;
  onProgress?: (done: number, total: number | null) => void;
  onProblem?: (p: InputProblem) => void;
}

interface ReplaySummary {
  snapshots: number;
  events: number;
  rejected: number;
  traceStart: number | null;
  traceEnd: number | null;
  wallSeconds: number;
}

interface Timed {
  t: number | null;
  entry: BusEntry;
}

export class LocalMode {
  readonly clock = new VirtualClock();
  readonly alerts: { subject?: string | undefined; message: string }[] = [];
  bus!: LocalBus;
  server!: ServedHandler;
  private ddb!: DynamoDbLocal;
  private tempWeb: string | null = null;
  private webDir!: string;
  private stopped = false;
  private readonly stopHooks: (() => Promise<void> | void)[] = [];

  private constructor(private readonly opts: LocalModeOptions) {}

  /** Starts DynamoDB Local, the table, the handlers, the bus and the HTTP server. */
  static async start(opts: LocalModeOptions = {}): Promise<LocalMode> {
    const m = new LocalMode(opts);
    try {
      await m.init();
    } catch (err) {
      await m.stop();
      throw err;
    }
    return m;
  }

  get url(): string {
    return this.server.url;
  }

  private log(line: string): void {
    this.opts.log?.(safeText(line));
  }

  private async init(): Promise<void> {
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    const wiring = JSON.parse(readFileSync(WIRING_FILE, 'utf8')) as Wiring;
    // The port first: a taken one fails in milliseconds, before anything else starts.
    this.server = await serveHandler((event) => this.dispatch(event), {
      port: this.opts.port ?? 0,
      host: this.opts.host ?? '127.0.0.1',
    });
    this.ddb = await startDynamoDbLocal();
    const client = localDynamoClient(this.ddb.endpoint);
    await createTable(client, LOCAL_TABLE);
    const logger = (serviceName: string) => new Logger({ serviceName, logLevel: 'ERROR' });
    const metrics = (serviceName: string) => new Metrics({ namespace: 'podlife', serviceName });
    const doc = documentClient(client);
    const now = this.clock.now;
    // The handlers publish to the bus (invalid events, alerts): the bus is made first and the
    // handlers are registered in the map it holds.
    const handlers: Record<string, (e: Record<string, unknown>) => Promise<unknown>> = {};
    this.bus = new LocalBus(wiring, {
      handlers,
      now,
      busName: LOCAL_BUS,
      onFailure: (f) => this.log(`delivery failed after ${f.attempts} attempts (${f.entry}): ${f.error}`),
      // The ingest queue's batching window and visibility timeout, 10x shorter than deployed.
      queueMillisPerSecond: 100,
      onDeadLetter: (d) =>
        this.log(
          `message ${d.messageId} moved to ${d.deadLetterQueue} after ${d.receives} receives (${d.queue})`,
        ),
    });
    const events = this.bus.eventBridgeClient() as never;
    const alertConfig: AlertConfig = {
      ...DEFAULT_ALERT_CONFIG,
      pending: {
        defaultSeconds: this.opts.stuckAfterSeconds ?? DEFAULT_ALERT_CONFIG.pending.defaultSeconds,
        overrides: this.opts.stuckOverrides ?? {},
      },
    };
    handlers['functions/ingest/handler.ts'] = makeBatchIngestHandler({
      store: new PodStore(doc, { tableName: LOCAL_TABLE, consumedCapacity: 'NONE' }),
      heartbeats: new HeartbeatStore(doc, LOCAL_TABLE),
      inventories: new InventoryStore(doc, LOCAL_TABLE),
      invalidEvents: eventBridgeInvalidEventSink(events, LOCAL_BUS),
      logger: logger('podlife-ingest'),
      metrics: metrics('podlife-ingest'),
      now,
      retentionDays: 30,
    }) as never;
    handlers['functions/sweep/handler.ts'] = makeSweepHandler({
      client,
      tableName: LOCAL_TABLE,
      notifier: snsEventBridgeNotifier({
        sns: localSnsClient((a) => {
          this.alerts.push(a);
          (this.opts.onAlert ?? ((x) => this.log(`ALERT ${x.subject ?? ''}`)))(a);
        }) as never,
        topicArn: 'arn:aws:sns:local:000000000000:podlife-alerts',
        events,
        busName: LOCAL_BUS,
      }),
      config: alertConfig,
      now,
      logger: logger('podlife-sweep'),
      metrics: metrics('podlife-sweep'),
    }) as never;
    this.bus.checkHandlers();
    const query = makeQueryHandler({
      client,
      tableName: LOCAL_TABLE,
      now,
      thresholds: alertConfig.pending,
      logger: logger('podlife-query'),
    });

    // Silences and purge: the operations handler, as the deployed API routes them.
    this.ops = makeOpsHandler({ client, tableName: LOCAL_TABLE, now, logger: logger('podlife-ops') });

    this.webDir = this.opts.webDir ?? (await this.buildWeb());
    this.query = query;
  }

  private query?: (e: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  private ops?: (e: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

  /** Every HTTP request: the forwarder's sink, the query API under /api, the page's files. */
  private async dispatch(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
    if (!this.query) return { statusCode: 503, body: 'podlife local mode is starting' };
    const path = event.rawPath;
    if (path === '/events') {
      if (event.requestContext.http.method === 'POST') return this.acceptEntries(event);
      return {
        statusCode: 405,
        headers: { 'content-type': 'application/json', allow: 'POST' },
        body: JSON.stringify({
          message:
            '/events is the forwarder\'s local sink: POST {"entries":[...]} (PutEvents entries) with ' +
            'Content-Type: application/json, e.g. podlife-forwarder --sink local --local-url THIS_URL',
        }),
      };
    }
    if (path.startsWith('/api/')) {
      const handler =
        this.ops && isOpsRequest(event.requestContext.http.method, path.slice(4)) ? this.ops : this.query;
      const result = await handler({
        ...event,
        rawPath: path.slice(4),
        requestContext: {
          ...event.requestContext,
          http: { ...event.requestContext.http, path: path.slice(4) },
        },
      });
      // ETag and 304 come from the query handler itself (functions/query/etag.ts).
      return compressed(result, event.headers['accept-encoding']);
    }
    return this.staticFile(event);
  }

  private async buildWeb(): Promise<string> {
    const { buildWeb } = await import('../web/build.ts');
    this.tempWeb = mkdtempSync(join(tmpdir(), 'podlife-web-'));
    await buildWeb(this.tempWeb);
    return this.tempWeb;
  }

  private async staticFile(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
    if (event.rawPath === '/config.json') {
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' },
        body: JSON.stringify({ apiBaseUrl: 'api/' }),
      };
    }
    // The first view drawn into index.html from the query handler in process (the page's own
    // renderers and API client): the first response shows the lists (web/src/first-view.ts).
    const query = this.query;
    this.files ??= new StaticFiles(this.webDir, 'api/', async (index) => {
      if (!query) return index;
      const api = createApi('https://podlife.invalid/', fetchThrough(query));
      const view = await firstViewOf(api);
      return view ? withFirstView(index, view) : index;
    });
    return this.files.get(event.rawPath, event.headers);
  }
  private files?: StaticFiles;

  /**
   * The forwarder's local sink: `{"entries":[...]}` → the bus → PutEvents' own answer
   * (`FailedEntryCount`, `Entries[i].EventId` or `.ErrorCode`/`.ErrorMessage`), which the
   * forwarder's LocalSink reads as it reads EventBridge's. Only `application/json` (a web
   * page cannot send that cross-site without a preflight, which gets no CORS allowance); 1 to 10
   * entries as PutEvents takes; every entry is validated before any is routed.
   */
  private acceptEntries(event: APIGatewayProxyEventV2): APIGatewayProxyStructuredResultV2 {
    const json = { 'content-type': 'application/json' };
    const type = ((event.headers['content-type'] ?? '').split(';')[0] ?? '').trim().toLowerCase();
    if (type !== 'application/json') {
      return {
        statusCode: 415,
        headers: json,
        body: JSON.stringify({ message: 'Content-Type must be application/json' }),
      };
    }
    const text = event.body
      ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8').toString()
      : '';
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { statusCode: 400, headers: json, body: JSON.stringify({ message: 'body is not JSON' }) };
    }
    const entries = (body as { entries?: unknown } | null)?.entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_PUT_ENTRIES) {
      return {
        statusCode: 400,
        headers: json,
        body: JSON.stringify({
          message: `entries: a list of 1 to ${MAX_PUT_ENTRIES} PutEvents entries is required`,
        }),
      };
    }
    return { statusCode: 200, headers: json, body: JSON.stringify(this.bus.putEventsResult(entries)) };
  }

  /**
   * Replays trace files into the bus as the forwarder would have sent them (Pod Facts: each
   * pod's new facts, readable unless over 64 KB; Events without a pod uid as Pod Event), paced by the
   * trace's own timestamps. Resolves when every event has been ingested and a sweep has run.
   */
  async replay(opts: ReplayOptions): Promise<ReplaySummary> {
    const started = Date.now();
    const items: Timed[] = [];
    const stats: ReadStats = { lines: 0, objects: 0, rejected: 0, bytes: 0 };
    let snapshots = 0;
    let events = 0;
    const encoder = new PayloadEncoder();
    for (const file of opts.files) {
      await readInput(
        file,
        {
          cluster: opts.cluster,
          // Trace files were recorded before they are read: the wall clock bounds their times.
          now: Date.now(),
          onDecoded: (d) => {
            if (d.kind === 'facts') {
              // Captured from a bus already: sent on as it was.
              snapshots++;
              items.push({
                t: latestTimeOf(d.facts),
                entry: {
                  Source: EVENT_SOURCE,
                  DetailType: DETAIL_TYPE_FACTS,
                  Detail: JSON.stringify(d.detail),
                },
              });
              return;
            }
            if (d.kind === 'snapshot') snapshots++;
            else events++;
            // What the forwarder sends for it (the pod's new facts), or nothing.
            const p =
              d.kind === 'snapshot' ? encoder.snapshot(d.snapshot) : encoder.event(d.cluster, d.event);
            if (!p) return;
            items.push({
              // The snapshot's own best time, as the engine orders it (a deletionTimestamp is a
              // deadline in the future, not something that happened).
              t: d.kind === 'snapshot' ? bestTimeOf(d.snapshot.pod) : latestTimeOf([factOfEvent(d.event)]),
              entry: { Source: EVENT_SOURCE, DetailType: p.detailType, Detail: JSON.stringify(p.detail) },
            });
          },
          onProblem: (p) => opts.onProblem?.(p),
        },
        stats,
      );
    }
    const times = items.map((i) => i.t).filter((t): t is number => t != null);
    const traceStart = times.length ? Math.min(...times) : null;
    const traceEnd = times.length ? Math.max(...times) : null;
    const maxGap = (opts.maxGapSeconds ?? 120) * 1000;
    let traceNow = traceStart ?? Date.now();
    const sweepEvery = 60_000;
    let lastSweep = traceNow;
    for (const [i, it] of items.entries()) {
      const t = Math.max(traceNow, it.t ?? traceNow);
      if (opts.speed !== 'max' && t > traceNow) {
        const wait = Math.min(t - traceNow, maxGap) / opts.speed;
        this.clock.at(traceNow, (t - traceNow) / Math.max(1, wait), t);
        await new Promise((r) => setTimeout(r, wait));
      }
      traceNow = t;
      this.clock.at(traceNow, 0);
      this.bus.putEvents([{ ...it.entry, Time: new Date(traceNow) }]);
      if (this.bus.backlog > 32 || opts.speed !== 'max') await this.bus.drain();
      if (traceNow - lastSweep >= sweepEvery) {
        await this.bus.drain();
        await this.bus.runSchedules();
        lastSweep = traceNow;
      }
      opts.onProgress?.(i + 1, items.length);
      if (this.stopped) break;
    }
    await this.bus.drain();
    if (traceEnd != null) this.clock.freeze(traceEnd);
    await this.bus.runSchedules();
    await this.bus.drain();
    return {
      snapshots,
      events,
      rejected: stats.rejected,
      traceStart,
      traceEnd,
      wallSeconds: (Date.now() - started) / 1000,
    };
  }

  /** Runs `hook` first when local mode stops (a live forwarder flushes before the bus goes). */
  onStop(hook: () => Promise<void> | void): void {
    this.stopHooks.push(hook);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const hook of this.stopHooks.splice(0)) await Promise.resolve(hook()).catch(() => {});
    await this.bus?.drain();
    this.bus?.stop();
    await this.server?.close().catch(() => {});
    await this.ddb?.stop().catch(() => {});
    if (this.tempWeb) rmSync(this.tempWeb, { recursive: true, force: true });
  }
}
