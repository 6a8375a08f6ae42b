/**
 * Local mode on a live cluster (kind, minikube, any kubeconfig): the forwarder runs in this
 * process with a sink that puts its entries straight onto the local bus, so the cluster's pods
 * go through the same projection, no-op filter and batching as in production, then the
 * stack's rules and handlers. Time is the wall clock.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { KubeConfig } from '@kubernetes/client-node';
import { Forwarder } from '../forwarder/forwarder.ts';
import { loadKubeConfig } from '../forwarder/main.ts';
import type { Entry, Sink, SinkResult } from '../forwarder/sinks.ts';
import type { LocalBus } from './local-bus.ts';
import type { LocalMode } from './local-mode.ts';

/** A forwarder sink that puts entries on the local bus (what `--sink local` does over HTTP). */
function localBusSink(bus: LocalBus): Sink {
  return {
    name: 'local-bus',
    async put(entries: Entry[]): Promise<SinkResult> {
      return { failed: bus.putEvents(entries).failed };
    },
  };
}

interface LiveClusterOptions {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  log?: (line: string) => void;
}

/** The kubeconfig to watch, or an error with a one-line reason (read before anything starts). */
export function loadClusterConfig(opts: Pick<LiveClusterOptions, 'kubeconfig' | 'context'>): KubeConfig {
  try {
    return loadKubeConfig({ kubeconfig: opts.kubeconfig, context: opts.context });
  } catch (err) {
    const where = opts.kubeconfig ? ` ${opts.kubeconfig}` : '';
    throw new Error(`cannot use the kubeconfig${where}: ${(err as Error).message}`);
  }
}

/** Starts a forwarder on the cluster of `kubeConfig`, feeding `mode`, until mode stops. */
export async function watchClusterInto(
  mode: LocalMode,
  kubeConfig: KubeConfig,
  opts: LiveClusterOptions = {},
): Promise<Forwarder> {
  const cluster = opts.cluster ?? opts.context ?? kubeConfig.getCurrentContext() ?? 'local';
  const forwarder = new Forwarder(
    // Messages kept: the local bus and DynamoDB Local are this machine's; nothing leaves it.
    { cluster: cluster.slice(0, 63), events: true, forwardMessages: true },
    {
      kubeConfig,
      sink: localBusSink(mode.bus),
      logger: new Logger({ serviceName: 'podlife-forwarder', logLevel: 'WARN' }),
    },
  );
  mode.onStop(() => forwarder.stop());
  await forwarder.start();
  opts.log?.(`forwarding pods of ${kubeConfig.getCurrentCluster()?.server} as cluster "${cluster}"`);
  mode.bus.startSchedules();
  return forwarder;
}
