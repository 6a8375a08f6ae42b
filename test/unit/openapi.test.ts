/**
 * docs/openapi.yaml against the code: every implemented route is described and nothing else,
 * each GET with SigV4 security and the parameters the route's schema accepts (no more, no
 * less). The answers themselves are validated against it in test/integration/query.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/query/router.ts';
import { ROUTE_PARAMS, ROUTE_PATHS } from '../../model/api-schemas.ts';
import { loadOpenApi, validate } from '../../testkit/openapi-check.ts';

const api = loadOpenApi();

describe('docs/openapi.yaml', () => {
  it('is OpenAPI 3.1 and signs everything with SigV4', () => {
    expect(api.openapi).toMatch(/^3\.1\./);
    expect((api as unknown as { security: unknown }).security).toEqual([{ sigv4: [] }]);
  });

  it('describes exactly the implemented routes, each only GET', () => {
    expect(Object.keys(api.paths).sort()).toEqual([...ROUTE_PATHS].sort());
    expect(ROUTES.map((r) => r.path).sort()).toEqual([...ROUTE_PATHS].sort());
    for (const [path, ops] of Object.entries(api.paths)) expect(Object.keys(ops), path).toEqual(['get']);
  });

  it.each(ROUTE_PATHS)('%s: the parameters the route accepts, path ones in the path', (path) => {
    const params = (api.paths[path].get.parameters ?? []).map((p) =>
      p.$ref
        ? api.components.parameters[p.$ref.replace('#/components/parameters/', '')]
        : (p as { name: string; in: string }),
    );
    expect(params.map((p) => p.name).sort()).toEqual(Object.keys(ROUTE_PARAMS[path].shape).sort());
    const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    expect(
      params
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort(),
    ).toEqual(inPath);
    expect(Object.keys(api.paths[path].get.responses)).toEqual(expect.arrayContaining(['200', '400', '403']));
  });

  it('the validator catches undocumented and missing fields', () => {
    const schema = { $ref: '#/components/schemas/Error' };
    expect(validate(api, schema, { error: 'x' })).toEqual([]);
    expect(validate(api, schema, { error: 'x', extra: 1 })).toEqual(['$.extra: not in the schema']);
    expect(validate(api, schema, {})).toEqual(['$.error: required, missing']);
  });
});
