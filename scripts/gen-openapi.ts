/**
 * Generates docs/openapi.yaml (OpenAPI 3.1) from the API contract in model/api-schemas.ts: the
 * routes (ROUTE_PATHS), each route's parameters (ROUTE_PARAMS, path ones in the path) and its
 * answer (ROUTE_RESPONSES), the error body, all through zod's `z.toJSONSchema`. The prose (what
 * each route does, what each parameter means) is here, keyed by the contract's names, so a
 * route or parameter without words fails the typecheck or this script. `--check` fails when
 * the committed file is stale (run by `npm run check`).
 *
 *   node --import tsx scripts/gen-openapi.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import {
  ErrorBody,
  ForbiddenBody,
  NUMERIC_FIGURES,
  QUERY_BOUNDS,
  ROUTE_PARAMS,
  ROUTE_PATHS,
  ROUTE_RESPONSES,
  type RoutePath,
} from '../model/api-schemas.ts';

const FILE = join(import.meta.dirname, '..', 'docs', 'openapi.yaml');

type Json = Record<string, unknown>;
type ErrorStatus = '400' | '403' | '404' | '503';

const INFO = {
  title: 'podlife query API',
  version: '1.0.0',
  summary: 'Pod lifecycle histories, pods Pending and crash-looping now, lifecycle statistics.',
  description: `Every route is GET and needs an AWS SigV4 signature (service \`execute-api\`): the HTTP API's
IAM authorizer refuses an unsigned or unauthorised call with 403 before it reaches podlife.
Grant callers \`execute-api:Invoke\` on \`arn:aws:execute-api:REGION:ACCOUNT:API_ID/$default/GET/*\`
(\`PodlifeQueryApi.grantQuery\`). \`podlife history | pending | crashloops | stats\` sign for you.

Figures are defined in docs/lifecycle-metrics.md; the DynamoDB requests and read cost of each
route are in docs/query-api.md. Every answer carries \`x-podlife-requests\`,
\`x-podlife-read-units\` and \`x-podlife-items-read\` headers: what that call cost.

A bad parameter is a 400 naming it: \`{"error": "bad parameter", "parameter": "olderThan",
"reason": "not a duration: use e.g. 300, 90s, 5m, 1h30m, 2d"}\`. Unknown query parameters are
refused the same way. Lists are paginated: pass the answer's \`nextToken\` back unchanged (it
is checked: a token of another route or cluster is a 400).
`,
  license: { name: 'Apache-2.0' },
};

const SERVERS = [
  {
    url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
    variables: {
      apiId: { default: 'API_ID', description: 'the stack output of PodlifeQueryApi (`api.apiEndpoint`)' },
      region: { default: 'eu-west-1' },
    },
  },
  {
    url: 'http://127.0.0.1:{port}',
    description: 'local mode (no authentication, loopback only)',
    variables: { port: { default: '4000' } },
  },
];

interface RouteDoc {
  operationId: string;
  summary: string;
  description: string;
  /** The 200 answer's description. */
  ok: string;
  /** Error answers besides 400, 403 and 503. */
  notFound?: true;
}

const ROUTE_DOCS: Record<RoutePath, RouteDoc> = {
  '/clusters': {
    operationId: 'listClusters',
    summary: 'The clusters podlife has data from',
    description: 'One Query on the registry partition (`pk = CLUSTERS`).',
    ok: 'Every cluster the ingest has seen, with when it last wrote.',
  },
  '/pods/{cluster}/{namespace}/{name}': {
    operationId: 'getPodHistory',
    summary: "A pod's history by name, every incarnation, a page at a time",
    description: `Every incarnation (uid) of the name, newest first, each the full record that
\`podlife replay --json\` prints: figures and timeline. A StatefulSet pod that keeps its
name gets a new uid each time it is recreated; all of them are here, \`limit\` a page
(default 100), and a page stops before its JSON passes 1 MB (one record at least); follow
\`nextToken\` for the older ones. One Query on the name's partition per page (at most
5,000 items: a name with more is a 400 naming \`name\`).
`,
    ok: 'One page of the incarnations, newest first.',
    notFound: true,
  },
  '/pods/by-uid/{cluster}/{uid}': {
    operationId: 'getPodByUid',
    summary: 'One incarnation by uid',
    description: `The byUid index (keys only) gives the pod's key; then GetItem of the pod and of its name's
name-only Events item. When such Events exist, the name's partition is read so they attach
exactly as in the history route. A cluster named \`by-uid\` is not reachable by the history
route.
`,
    ok: "The pod's record.",
    notFound: true,
  },
  '/pending': {
    operationId: 'listPendingPods',
    summary: 'Pods Pending now, oldest first',
    description: `Pods no container of which has started, not deleted, not finished, created more than
\`olderThan\` ago, oldest first: the sparse \`pending\` index of the cluster, so the cost
follows the Pending pods, never the pods stored. \`stuck\` says whether the pod is older than
its namespace's threshold.
`,
    ok: 'One page of Pending pods.',
  },
  '/crashloops': {
    operationId: 'listCrashLoopingPods',
    summary: 'Pods crash-looping now',
    description: `Pods whose latest state shows a container waiting in CrashLoopBackOff, oldest first (the
sparse \`crashLooping\` index), with restarts in all and within \`window\` before now, the
last termination's reason and exit code. \`minRestarts\` keeps the pods with at least that
many restarts in the window.
`,
    ok: 'One page of crash-looping pods.',
  },
  '/stats': {
    operationId: 'getStats',
    summary: 'Lifecycle statistics of a cluster, namespace or owner over a time range',
    description: `Count and nearest-rank p50/p90/p99 (and max) of scheduling, pending, time-to-ready and
crash-loop back-off seconds, restarts and terminations by reason, over the pods created
in [since, until) (pods without a creation time are in no range). The same function as
\`podlife replay\` computes it. Reads every pod of the range: byNamespace (for an owner, the
namespace's pods that name it), or for a whole cluster byClusterDay, one UTC day partition at a
time, up to ${QUERY_BOUNDS.statsBudget.concurrency} creation-time segments side by side. The range spans at most ${QUERY_BOUNDS.maxStatsDays} days (any
scope) and lies between 2014-06-01 and now (plus a day of skew). A request stops starting
pages once it has spent its budget (${QUERY_BOUNDS.statsBudget.readUnits} read units, ${QUERY_BOUNDS.statsBudget.ms / 1000} s, ${QUERY_BOUNDS.statsBudget.values.toLocaleString('en-US')} figure values); a range it
could not finish is a pass: each page answers \`mergePages: true\`, its pods as mergeable
\`parts\` (every figure value with its count), \`progress\` and a \`nextToken\`; merged
(core/stats.ts statsOfParts) the pages' parts are exactly the one-request answer.
`,
    ok: 'The statistics.',
  },
  '/pods/by-uid/{cluster}/{uid}/trace': {
    operationId: 'getPodTrace',
    summary: "One incarnation's life as an OpenTelemetry trace (OTLP/JSON)",
    description: `The record of \`/pods/by-uid/{cluster}/{uid}\` (same reads) as an OTLP/JSON
ExportTraceServiceRequest: a root span for the pod, spans for scheduling, initializing (its
init containers inside), image pulls, each container run (status ERROR for a failed run),
each back-off and waiting for Ready, the timeline's points as events; attributes from the
OpenTelemetry semantic conventions for Kubernetes. Ids are hashes of the cluster, the uid
and the span's place, so a re-export keeps them. POST it as it is to a collector's
\`/v1/traces\` (Jaeger, Grafana Tempo, the ADOT collector for AWS X-Ray).
`,
    ok: 'The trace.',
    notFound: true,
  },
  '/pods': {
    operationId: 'findPods',
    summary: 'Find pods by what happened to them',
    description: `Pods created in [since, until), filtered by namespace, owner, node, phase, kubectl STATUS,
last termination reason, waiting reason and \`min.<figure>\` (any numeric figure at least N),
sorted by creation or any numeric figure, a page at a time. Served from one index chosen by the
most selective filter (byNamespace, for an owner too, else byClusterDay per UTC day), keys read in
creation order, then the pod items by BatchGetItem; never a Scan. Each request spends at most
QUERY_BOUNDS.searchBudget (read units, wall time): past it the answer carries \`capped\`,
\`progress\` (examined and matched over every page so far) and a \`nextToken\` that goes on.
Sorted by a figure over more than one request, \`mergePages\`: merge the pages to the last and
keep \`limit\`. Cost per request: docs/query-api.md.
`,
    ok: 'One page of the pods found.',
  },
  '/silences': {
    operationId: 'listSilences',
    summary: 'The silences of pod alerts, and the episodes each holds',
    description: `Every stored silence (or one cluster's): its scope (cluster, namespace, owner, reason), who
created it and why, when it ends, whether it holds now (\`active\`), and the episodes it holds
(\`silenced\`: the pods the sweep recorded as silenced instead of alerting). Read-only, served by
the query function like every GET; creating and deleting silences (POST /silences, DELETE
/silences/{id}) are the operations function's (docs/alerts.md#silences).
`,
    ok: 'The silences, active first.',
  },
};

const DURATION_DOC = {
  description: `Seconds (\`300\`) or units (\`90s\`, \`5m\`, \`1h30m\`, \`2d\`); at most ${QUERY_BOUNDS.maxDurationSeconds / 86_400}d.`,
  pattern: '^(\\d+(\\.\\d+)?|(\\d+(\\.\\d+)?(ms|s|m|h|d))+)$',
};

/** What each parameter means (by name; `route` entries win), and schema facts zod cannot say. */
const PARAM_DOCS: Record<string, { description?: string; schema?: Json }> = {
  cluster: { description: 'The cluster name the forwarder was given.' },
  namespace: { description: "The pod's namespace (a Kubernetes namespace name)." },
  name: { description: 'The pod name.' },
  uid: {
    description: "metadata.uid (URL-encoded; podlife's stand-in `synthetic:NS/NAME@CREATED` contains `/`).",
  },
  limit: {
    description: `Records per page, ${QUERY_BOUNDS.limit.min}–${QUERY_BOUNDS.limit.max} (default ${QUERY_BOUNDS.limit.default}).`,
    schema: { default: String(QUERY_BOUNDS.limit.default) },
  },
  nextToken: {
    description: "The previous page's `nextToken`, unchanged.",
    schema: { pattern: '^[A-Za-z0-9_-]+$' },
  },
  olderThan: {
    description: 'Only pods created longer ago than this (default 0, every Pending pod).',
    schema: { ...DURATION_DOC, default: '0' },
  },
  window: {
    description: 'Restarts are counted within this long before now (default 1h).',
    schema: { ...DURATION_DOC, default: '1h' },
  },
  minRestarts: {
    description: 'Keep only pods with at least this many restarts in the window (default 0).',
    schema: { default: '0' },
  },
  owner: {
    description: "`KIND/NAME` of the controller (a ReplicaSet's Deployment); needs `namespace`.",
    schema: { examples: ['Deployment/web'] },
  },
  since: {
    description: 'Start of the range, an RFC 3339 time or a duration before now (default 24h).',
    schema: { examples: ['24h', '2026-11-01T00:00:00Z'] },
  },
  until: { description: 'End of the range, excluded (default now).' },
  groupBy: { description: 'Also give the statistics per namespace or per owner (`namespace/Kind/name`).' },
  node: { description: 'Only pods on this node (exact name).' },
  phase: { description: 'Only pods in this phase.' },
  status: {
    description:
      'Only pods whose kubectl STATUS (the `status` figure) is this, e.g. `OOMKilled`, `Init:CrashLoopBackOff`.',
  },
  terminationReason: {
    description: "Only pods whose last container termination's reason is this (`OOMKilled`, `Error`, ...).",
  },
  waitingReason: {
    description: 'Only pods whose container waits for this reason now (`ImagePullBackOff`, ...).',
  },
  sortBy: { description: '`created` (default) or any numeric figure (docs/lifecycle-metrics.md).' },
  order: {
    description: '`desc` (default: newest or largest first) or `asc`. Pods without the figure come last.',
  },
  ...Object.fromEntries(
    NUMERIC_FIGURES.map((f) => [
      `min.${f}`,
      { description: `Only pods whose \`${f}\` is at least this number.` },
    ]),
  ),
};

const SAFE_INT = Number.MAX_SAFE_INTEGER;

/** JSON Schema of a zod schema, without the noise a reader does not need. */
function tidy(schema: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$schema' || k === '$id') continue;
    if ((k === 'minimum' && v === -SAFE_INT) || (k === 'maximum' && v === SAFE_INT)) continue;
    if (k === 'pattern' && schema.format === 'date-time') continue;
    if (k === 'propertyNames' && JSON.stringify(v) === '{"type":"string"}') continue;
    out[k] = tidyValue(v);
  }
  return out;
}
function tidyValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(tidyValue);
  if (v && typeof v === 'object') return tidy(v as Json);
  if (typeof v === 'string') return v.replaceAll('#/$defs/', '#/components/schemas/');
  return v;
}

/** The answers' schemas: each schema with an id (`.meta({id})`) becomes a component. */
function componentSchemas(): Json {
  const all = z.strictObject({
    ...Object.fromEntries(ROUTE_PATHS.map((p) => [p, ROUTE_RESPONSES[p]])),
    error: ErrorBody,
    forbidden: ForbiddenBody,
  });
  const json = z.toJSONSchema(all, { target: 'draft-2020-12', io: 'output' }) as Json;
  const defs = (json.$defs ?? {}) as Json;
  for (const [p, s] of Object.entries(ROUTE_RESPONSES)) {
    if (!z.globalRegistry.get(s)?.id) throw new Error(`${p}: its answer schema has no id`);
  }
  return Object.fromEntries(Object.entries(defs).map(([k, v]) => [k, tidy(v as Json)]));
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const idOf = (s: z.ZodType) => {
  const id = z.globalRegistry.get(s)?.id;
  if (!id) throw new Error('a schema without an id');
  return id;
};

function parametersOf(path: RoutePath): Json[] {
  const inPath = new Set([...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
  return Object.entries(ROUTE_PARAMS[path].shape).map(([name, field]) => {
    const doc = PARAM_DOCS[name];
    if (!doc?.description) throw new Error(`${path}: parameter ${name} has no description in PARAM_DOCS`);
    const schema = tidy(z.toJSONSchema(field as z.ZodType, { io: 'input', target: 'draft-2020-12' }) as Json);
    const where = inPath.has(name) ? 'path' : 'query';
    const required = where === 'path' || !(field as z.ZodType).safeParse(undefined).success;
    return {
      name,
      in: where,
      ...(required ? { required: true } : {}),
      description: doc.description,
      schema: { ...schema, ...doc.schema },
    };
  });
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ref(idOf(ErrorBody)) } },
});

const RESPONSES = {
  BadParameter: errorResponse('A parameter is missing, malformed or unknown.'),
  Forbidden: {
    description: "Refused by API Gateway's IAM authorizer (no or a bad signature, or no execute-api:Invoke).",
    content: { 'application/json': { schema: ref(idOf(ForbiddenBody)) } },
  },
  NotFound: errorResponse('No such pod (or no such route).'),
  Busy: errorResponse(`DynamoDB is throttling (retry after the \`retry-after\` seconds), or the request read for
longer than its deadline (${QUERY_BOUNDS.deadlineMs / 1000} s; narrow it).
`),
  Internal: errorResponse(
    "An internal error: `reason` is the request id (the cause is in the function's log). Never for a client's input.",
  ),
} satisfies Record<string, Json>;

const responseRef = (name: keyof typeof RESPONSES) => ({ $ref: `#/components/responses/${name}` });

function pathsOf(): Json {
  const paths: Json = {};
  for (const path of ROUTE_PATHS) {
    const doc = ROUTE_DOCS[path];
    const errors: [ErrorStatus | '500', keyof typeof RESPONSES][] = [
      ['400', 'BadParameter'],
      ['403', 'Forbidden'],
      ...(doc.notFound ? [['404', 'NotFound'] as ['404', 'NotFound']] : []),
      ['500', 'Internal'],
      ['503', 'Busy'],
    ];
    const parameters = parametersOf(path);
    paths[path] = {
      get: {
        operationId: doc.operationId,
        summary: doc.summary,
        description: doc.description,
        ...(parameters.length ? { parameters } : {}),
        responses: {
          '200': {
            description: doc.ok,
            content: { 'application/json': { schema: ref(idOf(ROUTE_RESPONSES[path])) } },
          },
          ...Object.fromEntries(errors.map(([status, name]) => [status, responseRef(name)])),
        },
      },
    };
  }
  return paths;
}

/** The whole document, as YAML text. */
export function openApiText(): string {
  const doc = {
    openapi: '3.1.0',
    info: INFO,
    servers: SERVERS,
    security: [{ sigv4: [] }],
    paths: pathsOf(),
    components: {
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: 'AWS Signature Version 4, service `execute-api` (the IAM authorizer).',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
      responses: RESPONSES,
      schemas: componentSchemas(),
    },
  };
  return `# Generated from model/api-schemas.ts by scripts/gen-openapi.ts (npm run openapi): do not edit.\n${stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

if (import.meta.main ?? process.argv[1]?.endsWith('gen-openapi.ts')) {
  const text = openApiText();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(FILE, 'utf8');
    } catch {}
    if (current !== text) {
      console.error('docs/openapi.yaml is stale: run npm run openapi');
      process.exitCode = 1;
    }
  } else {
    writeFileSync(FILE, text);
    console.log('wrote docs/openapi.yaml');
  }
}
