/**
 * The forwarder's flags, declared once: each row gives the flag, its environment variable, how
 * its value is read, its default, its validation (zod) and its help. `--help`, the parser
 * (`parseConfig`), the environment names (`FLAG_ENV`, checked against the kustomize ConfigMaps)
 * and docs/forwarder.md's flag table (`flagTable`, checked by test/forwarder/flags.test.ts) are
 * all generated from `FLAGS`.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_HEARTBEAT_SECONDS } from '../core/heartbeat.ts';

export const DEFAULT_LOCAL_URL = 'http://127.0.0.1:8787/events';
/** The per-pod linger (ForwarderConfig.lingerMs): a startup burst leaves as one entry. */
export const DEFAULT_LINGER_MS = 2000;
export const MAX_LINGER_MS = 10_000;
/**
 * The routine linger (ForwarderConfig.routineLingerMs): repeats and expected steps (a restart in
 * a back-off loop, a Terminating before its DELETED...) wait up to this for more. 30 s: the
 * default termination grace period, and under the crash-loop alert's 15-minute `for`.
 */
export const DEFAULT_ROUTINE_LINGER_MS = 30_000;
export const MAX_ROUTINE_LINGER_MS = 300_000;
export const PAYLOADS = ['facts', 'facts-json', 'snapshot'] as const;
export type Payload = (typeof PAYLOADS)[number];
export const SINKS = ['eventbridge', 'local', 'stdout'] as const;
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL', 'TRACE'] as const;

/** How a flag's text (or its variable's) becomes a value. */
type Kind = 'string' | 'number' | 'boolean' | 'list';

interface Flag<K extends string = string, S extends z.ZodType = z.ZodType> {
  /** The option, without `--`. */
  flag: string;
  /** The config key it sets. */
  key: K;
  /** Its environment variable (a flag wins over it). */
  env: string;
  kind: Kind;
  /** The value's name in the help (none for a boolean). */
  arg?: string;
  /** Read when neither the flag nor its variable is set (before the default). */
  fallbackEnv?: readonly string[];
  /** The default, which may depend on the sink. */
  default?: string | number | ((sink: string) => string);
  /** The default as the help says it (when it is not simply `default`). */
  defaultText?: string;
  schema: S;
  help: string;
}

const flag = <K extends string, S extends z.ZodType>(f: Flag<K, S>) => f;

export const FLAGS = [
  flag({
    flag: 'cluster',
    key: 'cluster',
    env: 'PODLIFE_CLUSTER',
    kind: 'string',
    arg: 'NAME',
    schema: z
      .string({ message: 'required' })
      .min(1)
      .max(63)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only'),
    defaultText: 'required',
    help: 'cluster name carried by every entry (1-63 characters)',
  }),
  flag({
    flag: 'bus',
    key: 'bus',
    env: 'PODLIFE_BUS',
    kind: 'string',
    arg: 'NAME|ARN',
    schema: z.string().min(1).optional(),
    defaultText: 'required with --sink eventbridge',
    help: 'EventBridge bus',
  }),
  flag({
    flag: 'cluster-source',
    key: 'clusterSource',
    env: 'PODLIFE_CLUSTER_SOURCE',
    kind: 'boolean',
    schema: z.boolean(),
    defaultText: 'false: source podlife.forwarder',
    help:
      'send with the source podlife.forwarder.CLUSTER, the only one the role of a cluster bound to its ' +
      'sender (podlife:senders) may put; the pipeline then refuses any other sender speaking for it',
  }),
  flag({
    flag: 'region',
    key: 'region',
    env: 'PODLIFE_REGION',
    kind: 'string',
    arg: 'REGION',
    fallbackEnv: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
    schema: z.string().min(1).optional(),
    defaultText: 'AWS_REGION',
    help: 'AWS region',
  }),
  flag({
    flag: 'namespaces',
    key: 'namespaces',
    env: 'PODLIFE_NAMESPACES',
    kind: 'list',
    arg: 'a,b',
    schema: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'not a namespace name')).optional(),
    defaultText: 'all',
    help: 'watch only these namespaces',
  }),
  flag({
    flag: 'selector',
    key: 'selector',
    env: 'PODLIFE_SELECTOR',
    kind: 'string',
    arg: 'SEL',
    schema: z.string().min(1).optional(),
    defaultText: 'none',
    help: 'label selector for pods, e.g. app=web,tier!=batch',
  }),
  flag({
    flag: 'events',
    key: 'events',
    env: 'PODLIFE_EVENTS',
    kind: 'boolean',
    schema: z.boolean(),
    defaultText: 'false',
    help: 'also forward core/v1 Events about pods',
  }),
  flag({
    flag: 'forward-messages',
    key: 'forwardMessages',
    env: 'PODLIFE_FORWARD_MESSAGES',
    kind: 'boolean',
    schema: z.boolean(),
    defaultText: 'false',
    help:
      'also send application-written text: termination messages, probe and hook output in Event ' +
      'messages (without it each is replaced by "(withheld: ...)"; the scheduler\'s, kubelet\'s ' +
      "and runtime's messages are always sent)",
  }),
  flag({
    flag: 'kubeconfig',
    key: 'kubeconfig',
    env: 'PODLIFE_KUBECONFIG',
    kind: 'string',
    arg: 'FILE',
    schema: z.string().min(1).optional(),
    defaultText: 'in-cluster, else KUBECONFIG / ~/.kube/config',
    help: 'kubeconfig to use',
  }),
  flag({
    flag: 'context',
    key: 'context',
    env: 'PODLIFE_CONTEXT',
    kind: 'string',
    arg: 'NAME',
    schema: z.string().min(1).optional(),
    defaultText: 'the current one',
    help: 'kubeconfig context',
  }),
  flag({
    flag: 'sink',
    key: 'sink',
    env: 'PODLIFE_SINK',
    kind: 'string',
    arg: 'KIND',
    default: 'eventbridge',
    schema: z.enum(SINKS),
    help: 'eventbridge | local | stdout',
  }),
  flag({
    flag: 'payload',
    key: 'payload',
    env: 'PODLIFE_PAYLOAD',
    kind: 'string',
    arg: 'KIND',
    default: (sink) => (sink === 'stdout' ? 'facts-json' : 'facts'),
    defaultText: 'facts; facts-json with --sink stdout',
    schema: z.enum(PAYLOADS),
    help:
      'facts (only what is new, as readable JSON; compressed only for an entry that would pass ' +
      '64 KB) | facts-json (the same, never compressed) | snapshot (the whole compact pod every time)',
  }),
  flag({
    flag: 'linger-seconds',
    key: 'lingerSeconds',
    env: 'PODLIFE_LINGER_SECONDS',
    kind: 'number',
    arg: 'N',
    default: DEFAULT_LINGER_MS / 1000,
    schema: z
      .number()
      .min(0)
      .max(MAX_LINGER_MS / 1000),
    help: "how long a pod's news waits for more of it, so a startup burst leaves as one entry (0 to 10)",
  }),
  flag({
    flag: 'routine-linger-seconds',
    key: 'routineLingerSeconds',
    env: 'PODLIFE_ROUTINE_LINGER_SECONDS',
    kind: 'number',
    arg: 'N',
    default: DEFAULT_ROUTINE_LINGER_MS / 1000,
    schema: z
      .number()
      .min(0)
      .max(MAX_ROUTINE_LINGER_MS / 1000),
    help: "how long a pod's routine news (a restart in a back-off loop, a Terminating...) may wait (0 to 300)",
  }),
  flag({
    flag: 'local-url',
    key: 'localUrl',
    env: 'PODLIFE_LOCAL_URL',
    kind: 'string',
    arg: 'URL',
    default: DEFAULT_LOCAL_URL,
    schema: z.url(),
    help: 'where --sink local POSTs {"entries":[...]}',
  }),
  flag({
    flag: 'port',
    key: 'port',
    env: 'PODLIFE_PORT',
    kind: 'number',
    arg: 'N',
    default: 8080,
    schema: z.number().int().min(0).max(65535),
    help: 'port of /healthz /readyz /metrics (0 = any)',
  }),
  flag({
    flag: 'host',
    key: 'host',
    env: 'PODLIFE_HOST',
    kind: 'string',
    arg: 'ADDR',
    default: '0.0.0.0',
    schema: z.string().min(1),
    help: 'address to bind',
  }),
  flag({
    flag: 'buffer-entries',
    key: 'bufferEntries',
    env: 'PODLIFE_BUFFER_ENTRIES',
    kind: 'number',
    arg: 'N',
    default: 20_000,
    schema: z.number().int().min(100),
    help: 'entries buffered before dropping',
  }),
  flag({
    flag: 'flush-seconds',
    key: 'flushSeconds',
    env: 'PODLIFE_FLUSH_SECONDS',
    kind: 'number',
    arg: 'N',
    default: 20,
    schema: z.number().min(0).max(3600),
    help: 'how long shutdown may spend flushing',
  }),
  flag({
    flag: 'heartbeat-seconds',
    key: 'heartbeatSeconds',
    env: 'PODLIFE_HEARTBEAT_SECONDS',
    kind: 'number',
    arg: 'N',
    default: DEFAULT_HEARTBEAT_SECONDS,
    schema: z.number().int().min(0).max(3600),
    help:
      'seconds between two "Forwarder Heartbeat" entries (ready, buffer depth, drops, pods watched); ' +
      'the pipeline calls a cluster stale when they stop (0: none)',
  }),
  flag({
    flag: 'log-level',
    key: 'logLevel',
    env: 'POWERTOOLS_LOG_LEVEL',
    kind: 'string',
    arg: 'LEVEL',
    default: (sink) => (sink === 'stdout' ? 'WARN' : 'INFO'),
    defaultText: 'INFO; WARN with --sink stdout',
    schema: z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(LOG_LEVELS)),
    help: 'DEBUG | INFO | WARN | ERROR',
  }),
] as const;

type AnyFlag = (typeof FLAGS)[number];
type Shape = { [F in AnyFlag as F['key']]: F['schema'] };

/** The validated configuration of one forwarder process. */
export const CliConfig = z
  .object(Object.fromEntries(FLAGS.map((f) => [f.key, f.schema])) as Shape)
  .refine((c) => c.sink !== 'eventbridge' || c.bus, {
    message: '--bus (PODLIFE_BUS) is required with --sink eventbridge',
    path: ['bus'],
  })
  .refine((c) => !(c.clusterSource && c.sink === 'local'), {
    message:
      '--cluster-source (PODLIFE_CLUSTER_SOURCE): local mode has no bound clusters and takes the plain source only',
    path: ['clusterSource'],
  });
export type CliConfig = z.infer<typeof CliConfig>;

/** The environment variable of each flag. */
export const FLAG_ENV: Readonly<Record<string, string>> = Object.fromEntries(
  FLAGS.map((f) => [f.flag, f.env]),
);

/** A configuration error, naming the flag (and its environment variable). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function toBool(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v);
}

function nameOf(f: AnyFlag): string {
  return `--${f.flag} (${f.env})`;
}

/** One flag's value: the flag, else its variable, else a fallback variable, else its default. */
function flagValue(
  f: AnyFlag,
  given: string | boolean | undefined,
  env: NodeJS.ProcessEnv,
  sink: string,
): unknown {
  const set = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
  if (f.kind === 'boolean') return given === true || toBool(env[f.env]);
  const fallback = (f.fallbackEnv ?? []).map((e) => set(env[e])).find((v) => v !== undefined);
  const text = (typeof given === 'string' ? given : undefined) ?? set(env[f.env]) ?? fallback;
  const dflt = typeof f.default === 'function' ? f.default(sink) : f.default;
  if (text === undefined) return dflt;
  switch (f.kind) {
    case 'number': {
      const n = Number(text);
      if (!Number.isFinite(n)) throw new ConfigError(`${nameOf(f)}: not a number: ${text}`);
      return n;
    }
    case 'list': {
      const items = text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      return items.length > 0 ? items : undefined;
    }
    default:
      return text;
  }
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
        ...Object.fromEntries(
          FLAGS.map((f) => [
            f.flag,
            { type: f.kind === 'boolean' ? ('boolean' as const) : ('string' as const) },
          ]),
        ),
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (values.help) return 'help';
  const sinkFlag = FLAGS.find((f) => f.key === 'sink');
  const sink = String((sinkFlag && flagValue(sinkFlag, values[sinkFlag.flag], env, '')) ?? 'eventbridge');
  const raw = Object.fromEntries(FLAGS.map((f) => [f.key, flagValue(f, values[f.flag], env, sink)]));
  const parsed = CliConfig.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const f = FLAGS.find((x) => x.key === issue?.path[0]);
  const message = issue?.message ?? 'invalid';
  if (message.startsWith('--') || !f) throw new ConfigError(message);
  throw new ConfigError(`${nameOf(f)}: ${message}`);
}

/** The default as the help and the docs say it. */
function defaultOf(f: AnyFlag): string {
  if (f.defaultText !== undefined) return f.defaultText;
  return f.default === undefined || typeof f.default === 'function' ? '' : String(f.default);
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** `--help`. */
export function helpText(): string {
  const rows = FLAGS.map((f) => {
    const usage = `--${f.flag}${f.arg ? ` ${f.arg}` : ''}`;
    const dflt = defaultOf(f);
    const help = `${f.help}${dflt ? ` (default: ${dflt})` : ''}`;
    const [first = '', ...rest] = wrap(help, 56);
    const env = f.kind === 'boolean' ? `${f.env}=true` : f.env;
    return [
      `  ${usage.padEnd(22)}${first}`,
      ...rest.map((l) => `${' '.repeat(24)}${l}`),
      `${' '.repeat(24)}${env}`,
    ].join('\n');
  });
  return `podlife-forwarder: watch Pods in a cluster, send their lifecycle facts to EventBridge

Usage: podlife-forwarder --cluster NAME [options]

Each option has an environment variable (shown below it); a flag wins over its variable.

${rows.join('\n')}
  --help                this text

Logs are JSON lines (Powertools Logger). They never contain a pod object, env, args, annotations
or messages.`;
}

/** docs/forwarder.md's flag table (Markdown). */
export function flagTable(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const rows = FLAGS.map((f) => {
    const usage = `\`--${f.flag}${f.arg ? ` ${f.arg}` : ''}\``;
    const env = `\`${f.kind === 'boolean' ? `${f.env}=true` : f.env}\``;
    return `| ${cell(usage)} | ${env} | ${cell(defaultOf(f))} | ${cell(f.help)} |`;
  });
  return ['| flag | environment | default | what it sets |', '|---|---|---|---|', ...rows].join('\n');
}
