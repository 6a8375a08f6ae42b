/**
 * docs/openapi.yaml, loaded, and a small validator for the JSON Schema subset it uses (type
 * with null, properties, required, additionalProperties, items, enum, $ref), so tests check
 * real answers against the published description: a field the docs do not list, or a missing
 * required one, fails.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
};

export interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { $ref?: string; name?: string; in?: string }[];
        responses: Record<string, { $ref?: string; content?: Record<string, { schema: Schema }> }>;
      }
    >
  >;
  components: {
    schemas: Record<string, Schema>;
    parameters: Record<string, { name: string; in: string }>;
    responses: Record<string, unknown>;
  };
}

export function loadOpenApi(): OpenApi {
  return parse(readFileSync(new URL('../docs/openapi.yaml', import.meta.url), 'utf8')) as OpenApi;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Problems of `value` against `schema` (empty: valid). */
export function validate(api: OpenApi, schema: Schema, value: unknown, at = '$'): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = api.components.schemas[name];
    if (!target) return [`${at}: unknown $ref ${schema.$ref}`];
    return validate(api, target, value, at);
  }
  const problems: string[] = [];
  const t = typeOf(value);
  if (schema.type) {
    const types = [schema.type].flat();
    const ok = types.includes(t) || (t === 'integer' && types.includes('number'));
    if (!ok) return [`${at}: ${t}, expected ${types.join('|')}`];
  }
  if (schema.enum && !schema.enum.includes(value))
    problems.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (t === 'object' && (schema.properties || schema.additionalProperties !== undefined)) {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) problems.push(`${at}.${r}: required, missing`);
    for (const [k, v] of Object.entries(obj)) {
      const p = schema.properties?.[k];
      if (p) problems.push(...validate(api, p, v, `${at}.${k}`));
      else if (schema.additionalProperties === false) problems.push(`${at}.${k}: not in the schema`);
      else if (typeof schema.additionalProperties === 'object')
        problems.push(...validate(api, schema.additionalProperties, v, `${at}.${k}`));
    }
  }
  if (t === 'array' && schema.items) {
    for (const [i, v] of (value as unknown[]).entries())
      problems.push(...validate(api, schema.items, v, `${at}[${i}]`));
  }
  return problems;
}

/** Problems of a route's 200 answer against its documented schema. */
export function validateAnswer(api: OpenApi, path: string, body: unknown): string[] {
  const schema = api.paths[path]?.get?.responses['200']?.content?.['application/json']?.schema;
  if (!schema) return [`${path}: no documented 200 answer`];
  return validate(api, schema, body);
}
