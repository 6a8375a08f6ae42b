/**
 * `podlife-forwarder`: the process that runs in the user's cluster. Parses flags (each with a
 * PODLIFE_* environment equivalent, flags win), loads the Kubernetes config (in-cluster, or a
 * kubeconfig and context), picks the sink, serves /healthz /readyz /metrics, and on SIGTERM or
 * SIGINT stops watching and flushes its buffer before exiting.
 */
import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { KubeConfig } from '@kubernetes/client-node';
import { boundSource } from '../core/sender-binding.ts';
import { type CliConfig, ConfigError, helpText, parseConfig } from './flags.ts';
import { Forwarder } from './forwarder.ts';
import { ForwarderMetrics } from './metrics.ts';
import { createProbeServer, listen } from './server.ts';
import { EventBridgeSink, LocalSink, type Sink, StdoutSink } from './sinks.ts';

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

/** The entries' source: bound to the cluster with --cluster-source, else the default (podlife.forwarder). */
export function sourceOf(cfg: Pick<CliConfig, 'cluster' | 'clusterSource'>): string | undefined {
  return cfg.clusterSource ? boundSource(cfg.cluster) : undefined;
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
    process.stderr.write(`podlife-forwarder: ${(err as Error).message}\n\n${helpText()}\n`);
    return 2;
  }
  if (cfg === 'help') {
    process.stdout.write(`${helpText()}\n`);
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
      source: sourceOf(cfg),
      namespaces: cfg.namespaces,
      selector: cfg.selector,
      events: cfg.events,
      forwardMessages: cfg.forwardMessages,
      payload: cfg.payload,
      flushDeadlineMs: cfg.flushSeconds * 1000,
      lingerMs: Math.round(cfg.lingerSeconds * 1000),
      routineLingerMs: Math.round(cfg.routineLingerSeconds * 1000),
      heartbeatMs: cfg.heartbeatSeconds * 1000,
      // The pod's name (the Deployment passes it with the downward API), else host and pid.
      instance: env.POD_NAME || `${hostname()}-${process.pid}`,
      version: env.PODLIFE_VERSION || 'dev',
    },
    {
      kubeConfig: kc,
      sink: makeSink(cfg),
      logger,
      // The process's own metrics (CPU, memory, GC, event-loop lag) beside the forwarder's.
      metrics: new ForwarderMetrics({ processMetrics: true }),
      sender: { maxBufferEntries: cfg.bufferEntries },
    },
  );
  // The signal handlers first: a SIGTERM while the forwarder starts (a rollout, a slow API
  // server) is a clean shutdown too, not the default action (killed, buffer lost).
  const stopping = new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      logger.info('signal received, shutting down', { signal });
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  const server = createProbeServer({ metrics: forwarder.metrics, isReady: () => forwarder.ready });
  const port = await listen(server, cfg.port, cfg.host);
  logger.info('serving /healthz /readyz /metrics', {
    port,
    sink: cfg.sink,
    apiServer: kc.getCurrentCluster()?.server,
    node: process.version,
  });
  await forwarder.start();
  await stopping;
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
