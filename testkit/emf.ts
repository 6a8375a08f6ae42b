/**
 * The EMF records Powertools' Metrics write to stdout while `run` runs, parsed. Metrics are
 * switched on around it (a Metrics reads POWERTOOLS_METRICS_DISABLED when it is made, so `run`
 * makes its own); stdout is captured, not printed.
 */
import { vi } from 'vitest';

export type EmfRecord = Record<string, any>;

export async function emfRecords(run: () => Promise<unknown>): Promise<EmfRecord[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  try {
    await run();
  } finally {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    spy.mockRestore();
  }
  return lines.filter((l) => l.startsWith('{"_aws"')).map((l) => JSON.parse(l) as EmfRecord);
}
