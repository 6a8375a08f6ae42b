/**
 * The app's settings from CDK context (cdk.json or `-c key=value`), validated: a wrong value
 * fails the synth with the key's name instead of deploying something unintended.
 */
import type { PodLifecyclePipelineProps } from './pipeline.ts';

type Lookup = (key: string) => unknown;

/** Context values given on the command line arrive as strings: accept JSON or comma lists. */
function list(key: string, v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  let value = v;
  if (typeof value === 'string')
    value = value.trim().startsWith('[') ? JSON.parse(value) : value.split(',').filter(Boolean);
  if (!Array.isArray(value) || !value.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 63)) {
    throw new Error(`context ${key} must be a list of cluster names, got ${JSON.stringify(v)}`);
  }
  return value.map((s) => s.trim());
}

function positive(key: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0)
    throw new Error(`context ${key} must be a positive whole number, got ${JSON.stringify(v)}`);
  return n;
}

function bool(key: string, v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new Error(`context ${key} must be true or false, got ${JSON.stringify(v)}`);
}

function text(key: string, v: unknown): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new Error(`context ${key} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

export function pipelinePropsFromContext(get: Lookup): PodLifecyclePipelineProps {
  return {
    clusterNames: list('podlife:clusterNames', get('podlife:clusterNames')),
    retentionDays: positive('podlife:retentionDays', get('podlife:retentionDays')),
    stuckPendingSeconds: positive('podlife:stuckPendingSeconds', get('podlife:stuckPendingSeconds')),
    deletionProtection: bool('podlife:deletionProtection', get('podlife:deletionProtection')),
    alertEmail: text('podlife:alertEmail', get('podlife:alertEmail')),
    healthEmail: text('podlife:healthEmail', get('podlife:healthEmail')),
    runbookBaseUrl: text('podlife:runbookBaseUrl', get('podlife:runbookBaseUrl')),
    eventBusName: text('podlife:eventBusName', get('podlife:eventBusName')),
    ingestReservedConcurrency: positive(
      'podlife:ingestReservedConcurrency',
      get('podlife:ingestReservedConcurrency'),
    ),
  };
}

/** The query API's settings from context: `podlife:queryReservedConcurrency` (default 10). */
export function queryPropsFromContext(get: Lookup): { reservedConcurrency?: number } {
  return {
    reservedConcurrency: positive(
      'podlife:queryReservedConcurrency',
      get('podlife:queryReservedConcurrency'),
    ),
  };
}
