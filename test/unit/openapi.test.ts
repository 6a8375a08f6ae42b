/**
 * docs/openapi.yaml is generated from the contract (scripts/gen-openapi.ts; `npm run check` runs
 * its `--check`): here, that the generation says what the code does. Every implemented route is
 * described and nothing else, each GET with SigV4 security, the parameters its schema accepts
 * (path ones in the path), its answer's schema as a component; and the answer schemas refuse a
 * field the contract does not list and a missing one. The real handler's answers are parsed
 * with the same schemas in test/integration/query.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROUTES } from '../../functions/query/router.ts';
import {
  ErrorBody,
  PendingResponse,
  ROUTE_PARAMS,
  ROUTE_PATHS,
  ROUTE_RESPONSES,
} from '../../model/api-schemas.ts';
import { openApiText } from '../../scripts/gen-openapi.ts';

interface Operation {
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  responses: Record<
    string,
    { $ref?: string; content?: { 'application/json': { schema: { $ref: string } } } }
  >;
}
interface OpenApi {
  openapi: string;
  security: unknown;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, unknown> };
}

const text = openApiText();
const api = parse(text) as OpenApi;
const op = (path: string) => api.paths[path]?.get as Operation;

describe('docs/openapi.yaml', () => {
  it('is the generated document (npm run openapi)', () => {
    expect(readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8')).toBe(text);
  });

  it('is OpenAPI 3.1 and signs everything with SigV4', () => {
    expect(api.openapi).toMatch(/^3\.1\./);
    expect(api.security).toEqual([{ sigv4: [] }]);
  });

  it('describes exactly the implemented routes, each only GET', () => {
    expect(Object.keys(api.paths).sort()).toEqual([...ROUTE_PATHS].sort());
    expect(ROUTES.map((r) => r.path).sort()).toEqual([...ROUTE_PATHS].sort());
    for (const [path, ops] of Object.entries(api.paths)) expect(Object.keys(ops), path).toEqual(['get']);
  });

  it.each(ROUTE_PATHS)(
    '%s: the parameters the route accepts, path ones in the path, each described',
    (path) => {
      const params = op(path).parameters ?? [];
      expect(params.map((p) => p.name).sort()).toEqual(Object.keys(ROUTE_PARAMS[path].shape).sort());
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(
        params
          .filter((p) => p.in === 'path')
          .map((p) => p.name)
          .sort(),
      ).toEqual(inPath);
      for (const p of params) expect(p.description, p.name).toBeTruthy();
      // Every route is about one cluster, but for the list of clusters and the silences (all, or one cluster's).
      if (path === '/silences') expect(params.find((p) => p.name === 'cluster')?.required).toBeFalsy();
      else if (path !== '/clusters') expect(params.find((p) => p.name === 'cluster')?.required).toBe(true);
    },
  );

  it.each(ROUTE_PATHS)('%s: its answer is its contract schema, errors are the error body', (path) => {
    const responses = op(path).responses;
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['200', '400', '403', '500', '503']));
    const ref = responses['200']?.content?.['application/json'].schema.$ref ?? '';
    const name = ref.replace('#/components/schemas/', '');
    expect(name).toBe(`${ROUTE_RESPONSES[path].meta()?.id}`);
    expect(api.components.schemas[name]).toMatchObject({ type: 'object', additionalProperties: false });
    expect(api.components.responses).toHaveProperty('BadParameter.content.application/json.schema', {
      $ref: '#/components/schemas/Error',
    });
  });

  it('every $ref points at a component', () => {
    const refs = [...text.matchAll(/\$ref: "#\/components\/(schemas|responses)\/(\w+)"/g)];
    expect(refs.length).toBeGreaterThan(20);
    for (const [, kind, name] of refs)
      expect(api.components[kind as 'schemas' | 'responses'], `${kind}/${name}`).toHaveProperty(name!);
  });
});

describe('the answer schemas', () => {
  const pending = {
    cluster: 'demo',
    now: '2026-11-02T08:03:05.000Z',
    olderThanSeconds: 0,
    dataAsOf: '2026-11-02T08:02:40.000Z',
    stale: false,
    pods: [
      {
        cluster: 'demo',
        namespace: 'default',
        name: 'web-1',
        uid: 'u1',
        owner: { kind: 'Deployment', name: 'web' },
        node: null,
        phase: 'Pending',
        createdAt: '2026-11-02T08:00:00Z',
        createdAtSource: 'creationTimestamp',
        ageSeconds: 185,
        waitingReason: null,
        unschedulableMessage: '0/3 nodes are available',
        statusReason: null,
        thresholdSeconds: 300,
        stuck: false,
      },
    ],
  };

  it('accept a well-formed answer and refuse an undocumented, a missing or a mistyped field', () => {
    expect(PendingResponse.safeParse(pending).success).toBe(true);
    expect(ErrorBody.safeParse({ error: 'x' }).success).toBe(true);
    expect(ErrorBody.safeParse({ error: 'x', extra: 1 }).error?.issues[0]).toMatchObject({
      code: 'unrecognized_keys',
      keys: ['extra'],
    });
    expect(ErrorBody.safeParse({}).error?.issues[0]?.path).toEqual(['error']);
    const { stuck: _, ...missing } = pending.pods[0]!;
    expect(PendingResponse.safeParse({ ...pending, pods: [missing] }).error?.issues[0]?.path).toEqual([
      'pods',
      0,
      'stuck',
    ]);
    const mistyped = { ...pending, pods: [{ ...pending.pods[0], createdAt: 'yesterday' }] };
    expect(PendingResponse.safeParse(mistyped).error?.issues[0]?.path).toEqual(['pods', 0, 'createdAt']);
  });
});
