/**
 * DynamoDB Local as podlife starts it (issue 10, "Local mode's exposure"): its listener is bound
 * to 127.0.0.1 only (the bare jar listens on every interface), a web page on another origin
 * gets no CORS allowance (the jar's default allows `*`), a rebound DNS name is refused by Host,
 * the SDK still works, and the JVM does not outlive the process that started it, even when that
 * process is killed with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, localDynamoClient, startDynamoDbLocal } from '../../local/dynamodb-local.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Local addresses (hex, as the kernel prints them) of the sockets listening on `port`. */
function listeners(port: number): string[] {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A: LISTEN
      const [addr, portHex] = cols[1]!.split(':');
      if (Number.parseInt(portHex!, 16) === port) out.push(addr!);
    }
  }
  return out;
}

const LOOPBACK_V4 = '0100007F'; // 127.0.0.1, little-endian
const LOOPBACK_V4_MAPPED = '0000000000000000FFFF00000100007F'; // ::ffff:127.0.0.1

/** Running (a zombie waiting for its new parent to reap it counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

const LIST_TABLES = {
  method: 'POST',
  headers: {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': 'DynamoDB_20120810.ListTables',
    authorization:
      'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
  },
  body: '{}',
};

describe('DynamoDB Local as podlife starts it', () => {
  let ddb: DynamoDbLocal;
  beforeAll(async () => {
    ddb = await startDynamoDbLocal();
  });
  afterAll(async () => {
    await ddb?.stop();
  });

  it('listens on 127.0.0.1 only, not on every interface', () => {
    const addrs = listeners(ddb.port);
    expect(addrs.length).toBeGreaterThan(0);
    for (const a of addrs) expect([LOOPBACK_V4, LOOPBACK_V4_MAPPED]).toContain(a.toUpperCase());
  });

  it('answers the SDK as before', async () => {
    const client = localDynamoClient(ddb.endpoint);
    const out = await client.send(new ListTablesCommand({}));
    expect(Array.isArray(out.TableNames)).toBe(true);
    client.destroy();
  });

  it('gives a web page on another origin no CORS allowance: preflight and request refused', async () => {
    const preflight = await fetch(ddb.endpoint, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-amz-target,content-type,authorization',
      },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    const res = await fetch(ddb.endpoint, {
      ...LIST_TABLES,
      headers: { ...LIST_TABLES.headers, origin: 'http://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await res.text()).not.toMatch(/TableNames/);
  });

  it('refuses a Host that is not 127.0.0.1:PORT or localhost:PORT (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: ddb.port,
          method: 'POST',
          headers: { ...LIST_TABLES.headers, host: `rebound.evil.example:${ddb.port}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(LIST_TABLES.body);
    });
    expect(status).toBe(403);
    const ok = await fetch(`http://localhost:${ddb.port}`, LIST_TABLES).catch(() => null);
    // localhost may resolve to ::1 first, where nothing listens: then there is nothing to check.
    if (ok) expect(ok.status).toBe(200);
  });
});

describe('the JVM does not outlive podlife', () => {
  it('exits when the process that started it is killed with SIGKILL', async () => {
    const script = `
      import { startDynamoDbLocal } from ${JSON.stringify(join(ROOT, 'local', 'dynamodb-local.ts'))};
      const d = await startDynamoDbLocal();
      process.stdout.write(d.pid + '\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const javaPid = await new Promise<number>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /^(\d+)\n/.exec(buf);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`starter exited (${code}) before DynamoDB Local ran`)));
    });
    expect(alive(javaPid)).toBe(true);
    child.kill('SIGKILL');
    const gone = await until(() => !alive(javaPid), 10_000);
    if (!gone) process.kill(javaPid, 'SIGKILL');
    expect(gone).toBe(true);
  });
});
