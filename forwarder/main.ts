/**
 * `podlife-forwarder`: the process that runs in the user's cluster. Parses flags (each with a
 * PODLIFE_* environment equivalent, flags win), loads the Kubernetes config (in-cluster, or a
 * kubeconfig and context), picks the sink, serves /healthz /readyz /metrics, and on SIGTERM or
 * SIGINT stops watching and flushes its buffer before exiting.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import { DEFAULT_LINGER_MS, Forwarder, MAX_LINGER_MS, PAYLOADS } from './forwarder.ts';
import { createProbeServer, listen } from './server.ts';
import { EventBridgeSink, LocalSink, type Sink, StdoutSink } from './sinks.ts';

export const HELP = `podlife-forwarder: watch Pods in a cluster, send their lifecycle facts to EventBridge

Usage: podlife-forwarder --cluster NAME [options]

  --cluster NAME        cluster name carried by every snapshot (1-63 characters)   PODLIFE_CLUSTER
  --bus NAME|ARN        EventBridge bus (required with --sink eventbridge)         PODLIFE_BUS
  --region REGION       AWS region (default: AWS_REGION)                          PODLIFE_REGION
  --namespaces a,b      watch only these namespaces (default: all)                PODLIFE_NAMESPACES
  --selector SEL        label selector for pods, e.g. app=web,tier!=batch          PODLIFE_SELECTOR
  --events              also forward core/v1 Events about pods                    PODLIFE_EVENTS=true
  --forward-messages    also send application-written text: termination messages,
                        probe and hook output in Event messages (default: each is
                        replaced by "(withheld: ...)"; the scheduler's, kubelet's
                        and runtime's messages are always sent)
                                                                                  PODLIFE_FORWARD_MESSAGES=true
  --kubeconfig FILE     kubeconfig to use (default: in-cluster, else KUBECONFIG / ~/.kube/config)
                                                                                  PODLIFE_KUBECONFIG
  --context NAME        kubeconfig context (default: the current one)             PODLIFE_CONTEXT
  --sink KIND           eventbridge (default) | local | stdout                    PODLIFE_SINK
  --payload KIND        facts (default: only what is new, as readable JSON;        PODLIFE_PAYLOAD
                        compressed only for an entry that would pass 64 KB)
                        | facts-json (the same, never compressed; the default with
                        --sink stdout) | snapshot (the whole compact pod every time)
  --linger-seconds N    how long a pod's news waits for more of it, so a startup  PODLIFE_LINGER_SECONDS
                        burst leaves as one entry (default 1.5; 0 to 10)
  --local-url URL       where --sink local POSTs {"entries":[...]}                PODLIFE_LOCAL_URL
                        (default ${'http://127.0.0.1:8787/events'})
  --port N              port of /healthz /readyz /metrics (default 8080; 0 = any) PODLIFE_PORT
  --host ADDR           address to bind (default 0.0.0.0)                         PODLIFE_HOST
  --buffer-entries N    entries buffered before dropping (default 20000)          PODLIFE_BUFFER_ENTRIES
  --flush-seconds N     how long shutdown may spend flushing (default 20)         PODLIFE_FLUSH_SECONDS
  --log-level LEVEL     DEBUG | INFO | WARN | ERROR (default INFO; WARN with --sink stdout)
                                                                                  POWERTOOLS_LOG_LEVEL
  --help                this text

Logs are JSON lines (Powertools Logger). They never contain a pod object, env, args, annotations
or messages.`;

export const DEFAULT_LOCAL_URL = 'http://127.0.0.1:8787/events';

/** A configuration error, naming the flag (and its environment variable). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LogLevel = z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL', 'TRACE']);

/** The validated configuration of one forwarder process. */
export const CliConfig = z
  .object({
    cluster: z
      .string({ message: 'required' })
      .min(1)
      .max(63)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only'),
    bus: z.string().min(1).optional(),
    region: z.string().min(1).optional(),
    namespaces: z
      .array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'not a namespace name'))
      .optional(),
    selector: z.string().min(1).optional(),
    events: z.boolean(),
    forwardMessages: z.boolean(),
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
    sink: z.enum(['eventbridge', 'local', 'stdout']),
    payload: z.enum(PAYLOADS),
    localUrl: z.url(),
    port: z.number().int().min(0).max(65535),
    host: z.string().min(1),
    bufferEntries: z.number().int().min(100),
    flushSeconds: z.number().min(0).max(3600),
    lingerSeconds: z
      .number()
      .min(0)
      .max(MAX_LINGER_MS / 1000),
    logLevel: LogLevel,
  })
  .refine((c) => c.sink !== 'eventbridge' || c.bus, {
    message: '--bus (PODLIFE_BUS) is required with --sink eventbridge',
    path: ['bus'],
  });
export type CliConfig = z.infer<typeof CliConfig>;

/** The environment variable of each flag. */
export const FLAG_ENV: Record<string, string> = {
  cluster: 'PODLIFE_CLUSTER',
  bus: 'PODLIFE_BUS',
  region: 'PODLIFE_REGION',
  namespaces: 'PODLIFE_NAMESPACES',
  selector: 'PODLIFE_SELECTOR',
  events: 'PODLIFE_EVENTS',
  'forward-messages': 'PODLIFE_FORWARD_MESSAGES',
  kubeconfig: 'PODLIFE_KUBECONFIG',
  context: 'PODLIFE_CONTEXT',
  sink: 'PODLIFE_SINK',
  payload: 'PODLIFE_PAYLOAD',
  'local-url': 'PODLIFE_LOCAL_URL',
  port: 'PODLIFE_PORT',
  host: 'PODLIFE_HOST',
  'buffer-entries': 'PODLIFE_BUFFER_ENTRIES',
  'flush-seconds': 'PODLIFE_FLUSH_SECONDS',
  'linger-seconds': 'PODLIFE_LINGER_SECONDS',
  'log-level': 'POWERTOOLS_LOG_LEVEL',
};

function toNumber(flag: string, v: string | undefined, dflt: number): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ConfigError(`--${flag} (${FLAG_ENV[flag]}): not a number: ${v}`);
  return n;
}

function toBool(v: string | boolean | undefined): boolean {
  if (typeof v === 'boolean') return v;
  return v !== undefined && /^(1|true|yes|on)$/i.test(v);
}

/** Flags and environment → validated config, or 'help'. Throws ConfigError naming the flag. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): CliConfig | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        cluster: { type: 'string' },
        bus: { type: 'string' },
        region: { type: 'string' },
        namespaces: { type: 'string' },
        selector: { type: 'string' },
        events: { type: 'boolean' },
        'forward-messages': { type: 'boolean' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        sink: { type: 'string' },
        payload: { type: 'string' },
        'local-url': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'buffer-entries': { type: 'string' },
        'flush-seconds': { type: 'string' },
        'linger-seconds': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (values.help) return 'help';
  const get = (flag: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string') return v;
    const e = env[FLAG_ENV[flag]];
    return e === undefined || e === '' ? undefined : e;
  };
  const sink = get('sink') ?? 'eventbridge';
  const namespaces = get('namespaces')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const raw = {
    cluster: get('cluster'),
    bus: get('bus'),
    region: get('region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    namespaces: namespaces && namespaces.length > 0 ? namespaces : undefined,
    selector: get('selector'),
    events: values.events === true || toBool(env[FLAG_ENV.events]),
    forwardMessages: values['forward-messages'] === true || toBool(env[FLAG_ENV['forward-messages']]),
    kubeconfig: get('kubeconfig'),
    context: get('context'),
    sink,
    payload: get('payload') ?? (sink === 'stdout' ? 'facts-json' : 'facts'),
    localUrl: get('local-url') ?? DEFAULT_LOCAL_URL,
    port: toNumber('port', get('port'), 8080),
    host: get('host') ?? '0.0.0.0',
    bufferEntries: toNumber('buffer-entries', get('buffer-entries'), 20_000),
    flushSeconds: toNumber('flush-seconds', get('flush-seconds'), 20),
    lingerSeconds: toNumber('linger-seconds', get('linger-seconds'), DEFAULT_LINGER_MS / 1000),
    logLevel: (get('log-level') ?? (sink === 'stdout' ? 'WARN' : 'INFO')).toUpperCase(),
  };
  const parsed = CliConfig.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue.path[0] ?? '');
    const flag = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (issue.message.startsWith('--')) throw new ConfigError(issue.message);
    throw new ConfigError(`--${flag} (${FLAG_ENV[flag] ?? ''}): ${issue.message}`);
  }
  return parsed.data;
}

/** The kubeconfig the flags ask for: a file and context, or the default (in-cluster first). */
export function loadKubeConfig(cfg: Pick<CliConfig, 'kubeconfig' | 'context'>): KubeConfig {
  const kc = new KubeConfig();
  if (cfg.kubeconfig) kc.loadFromFile(cfg.kubeconfig);
  else if (process.env.KUBERNETES_SERVICE_HOST && !process.env.KUBECONFIG) kc.loadFromCluster();
  else kc.loadFromDefault();
  if (cfg.context) {
    if (!kc.getContextObject(cfg.context))
      throw new ConfigError(`--context: no context named ${cfg.context}`);
    kc.setCurrentContext(cfg.context);
  }
  if (!kc.getCurrentCluster())
    throw new ConfigError('no Kubernetes cluster configured (kubeconfig or in-cluster)');
  return kc;
}

export function makeSink(cfg: CliConfig): Sink {
  switch (cfg.sink) {
    case 'eventbridge':
      return new EventBridgeSink({ region: cfg.region });
    case 'local':
      return new LocalSink(cfg.localUrl);
    case 'stdout':
      return new StdoutSink();
  }
}

/** Runs the forwarder until SIGTERM/SIGINT; resolves with the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let cfg: CliConfig | 'help';
  try {
    cfg = parseConfig(argv, env);
  } catch (err) {
    process.stderr.write(`podlife-forwarder: ${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (cfg === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const logger = new Logger({
    serviceName: 'podlife-forwarder',
    logLevel: cfg.logLevel,
    persistentKeys: { cluster: cfg.cluster },
  });
  let kc: KubeConfig;
  try {
    kc = loadKubeConfig(cfg);
  } catch (err) {
    logger.error('cannot load the Kubernetes configuration', { error: (err as Error).message });
    return 2;
  }
  const forwarder = new Forwarder(
    {
      cluster: cfg.cluster,
      bus: cfg.sink === 'eventbridge' ? cfg.bus : undefined,
      namespaces: cfg.namespaces,
      selector: cfg.selector,
      events: cfg.events,
      forwardMessages: cfg.forwardMessages,
      payload: cfg.payload,
      flushDeadlineMs: cfg.flushSeconds * 1000,
      lingerMs: Math.round(cfg.lingerSeconds * 1000),
    },
    { kubeConfig: kc, sink: makeSink(cfg), logger, sender: { maxBufferEntries: cfg.bufferEntries } },
  );
  const server = createProbeServer({ metrics: forwarder.metrics, isReady: () => forwarder.ready });
  const port = await listen(server, cfg.port, cfg.host);
  logger.info('serving /healthz /readyz /metrics', {
    port,
    sink: cfg.sink,
    apiServer: kc.getCurrentCluster()?.server,
    node: process.version,
  });
  await forwarder.start();
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      logger.info('signal received, shutting down', { signal });
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  await forwarder.stop();
  await new Promise<void>((r) => server.close(() => r()));
  return 0;
}

function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`podlife-forwarder: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}
