import { readFileSync } from 'node:fs';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';

/**
 * `cdk synth` prints "N feature flags are not configured" unless cdk.json sets each flag the
 * installed aws-cdk-lib recommends, as `cdk init` writes them for a new app (issue 14's "quiet by
 * default"). An aws-cdk-lib upgrade that adds a flag fails here until cdk.json says what it wants.
 */
describe('cdk.json: the feature flags a new app sets', () => {
  const context: Record<string, unknown> = JSON.parse(readFileSync('cdk.json', 'utf8')).context;

  it('sets every flag aws-cdk-lib currently recommends, to the recommended value', () => {
    const missing = Object.keys(CURRENTLY_RECOMMENDED_FLAGS).filter((k) => !(k in context));
    expect(missing).toEqual([]);
    const differing = Object.entries(CURRENTLY_RECOMMENDED_FLAGS)
      .filter(([k, v]) => JSON.stringify(context[k]) !== JSON.stringify(v))
      .map(([k]) => k);
    expect(differing).toEqual([]);
  });
});
