/**
 * Local mode in a process of its own, for tests that must watch it from outside (a stalled event
 * loop stalls only this process): starts LocalMode on a free port without the web build, replays
 * the demo trace, prints `{"url": ...}` on one line, and stops (DynamoDB Local too) on SIGTERM,
 * SIGINT or when stdin closes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalMode } from '../local/local-mode.ts';

const TRACE = join(import.meta.dirname, '..', 'demo', 'trace.jsonl');

const mode = await LocalMode.start({
  port: 0,
  webDir: mkdtempSync(join(tmpdir(), 'podlife-noweb-')),
  log: () => {},
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await mode.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
await mode.replay({ files: [TRACE], cluster: 'demo', speed: 'max' });
process.stdout.write(`${JSON.stringify({ url: mode.url })}\n`);
