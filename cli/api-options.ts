/**
 * What the query commands (history, pending, crashloops, stats) share: their API options, the
 * client they make from them, the clusters to ask about, and one way to fail: a single line on
 * stderr and exit status 1.
 */

import { safeText } from '../core/terminal-text.ts';
import { ClustersResponse } from '../model/api-schemas.ts';
import { ApiClient, ApiError } from './api-client.ts';
import { parseCliArgs } from './args.ts';
import { UsageError } from './errors.ts';
import { OUTPUT_OPTIONS, outputFormatOf, outputOptionsHelp } from './output.ts';

/** The API options' --help, then the output options' (with the command's `-o` formats). */
export const apiOptionsHelp = (command: string) => `${API_OPTIONS_HELP}
${outputOptionsHelp(command)}`;

export const API_OPTIONS_HELP = `API options:
  --api URL            the deployed API (SigV4-signed with your AWS credentials);
                       default: $PODLIFE_API_URL
  --local URL          local mode on 127.0.0.1 (plain HTTP, no credentials): its dashboard
                       URL (http://127.0.0.1:8787) or its API's (http://127.0.0.1:8787/api)
  --profile NAME       AWS profile to sign with (default: the usual AWS chain: env, SSO, ~/.aws)
  --region NAME        AWS region (default: from the API's URL, then $AWS_REGION)
  --cluster NAME       one cluster (default: every cluster the API knows)
  -h, --help           this help`;

export const API_OPTIONS = {
  api: { type: 'string' },
  local: { type: 'string' },
  profile: { type: 'string' },
  region: { type: 'string' },
  cluster: { type: 'string' },
  ...OUTPUT_OPTIONS,
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export interface ApiOptionValues {
  api?: string;
  local?: string;
  profile?: string;
  region?: string;
  cluster?: string;
  output?: string;
  'no-headers'?: boolean;
  'sort-by'?: string;
}

export interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Ends a --watch (tests; Ctrl-C does it on a terminal). */
  signal?: AbortSignal;
}

export const defaultIo = (): Io => ({ out: process.stdout, err: process.stderr, env: process.env });

const isLoopback = (url: URL) =>
  url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/** The client the options ask for. PODLIFE_API_URL on 127.0.0.1 over http is local mode. */
export function clientOf(v: ApiOptionValues, env: NodeJS.ProcessEnv): ApiClient {
  if (v.api && v.local) throw new UsageError('--api and --local are exclusive: one API at a time');
  const raw = v.api ?? v.local ?? env.PODLIFE_API_URL;
  if (!raw) {
    throw new UsageError(
      'which API? Give --api URL (deployed), --local URL (local mode) or set PODLIFE_API_URL',
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`not a URL: ${raw}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError(`not an http(s) URL: ${raw}`);
  const local = v.local !== undefined || (v.api === undefined && isLoopback(url));
  if (!local && url.protocol !== 'https:' && !isLoopback(url)) {
    throw new UsageError(`the deployed API is https; got ${raw}`);
  }
  return new ApiClient({
    baseUrl: raw,
    // Local mode serves its dashboard at / and the API under /api: given the dashboard's URL
    // (what its banner prints first), the client finds the API as the page does.
    discover: local && (url.pathname === '/' || url.pathname === ''),
    mode: local ? 'local' : 'aws',
    profile: v.profile,
    region: v.region,
    env,
  });
}

/** The `-o` format, checked before anything is asked of the API. */
export function outputOf(command: string, v: ApiOptionValues): string {
  return outputFormatOf(command, v.output);
}

/** The clusters to ask about: the one given (if the API knows it), else every one it knows. */
export async function clustersOf(client: ApiClient, cluster: string | undefined): Promise<string[]> {
  const { clusters } = await client.get('/clusters', ClustersResponse);
  const known = clusters.map((c) => c.name);
  if (cluster) {
    // An unknown cluster would answer "No Pending pods.": good news that is a typo.
    if (!known.includes(cluster)) {
      throw new ApiError(
        known.length
          ? `unknown cluster ${JSON.stringify(cluster)}: the API at ${client.givenUrl} knows ${known.join(', ')} (choose one with --cluster, or leave --cluster out for all)`
          : `unknown cluster ${JSON.stringify(cluster)}: the API at ${client.givenUrl} knows no cluster yet: has the forwarder sent anything?`,
      );
    }
    return [cluster];
  }
  if (known.length === 0)
    throw new ApiError(
      `the API at ${client.givenUrl} knows no cluster yet: has the forwarder sent anything?`,
    );
  return known;
}

/** Exactly one cluster (for stats): the one given, or the only one the API knows. */
export async function oneCluster(client: ApiClient, cluster: string | undefined): Promise<string> {
  const all = await clustersOf(client, cluster);
  const [only, ...more] = all;
  if (more.length > 0 || only === undefined)
    throw new UsageError(`several clusters (${all.join(', ')}): choose one with --cluster`);
  return only;
}

/** Parses a command's arguments: the API options plus its own. */
export function parseCommand<
  O extends Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean }>,
>(argv: string[], own: O) {
  return parseCliArgs({ args: argv, allowPositionals: true, options: { ...API_OPTIONS, ...own } });
}

/** Runs a query command: an API failure is one line on stderr and exit status 1. */
export async function runQueryCommand(name: string, io: Io, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ApiError) {
      io.err.write(`podlife ${name}: ${safeText(err.message)}\n`);
      return 1;
    }
    throw err;
  }
}
