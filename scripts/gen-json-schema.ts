/**
 * Generates the JSON Schemas of podlife's EventBridge events from the zod contract, into
 * docs/schemas/. `--check` fails when the committed files are stale (run by `npm run check`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PodInventory } from '../core/inventory.ts';
import { PodFactsDetail } from '../core/pod-facts.ts';
import { PodEventSnapshot, PodSnapshot } from '../core/snapshot.ts';

const DIR = join(import.meta.dirname, '..', 'docs', 'schemas');

const SCHEMAS: [string, z.ZodType, string][] = [
  [
    'pod-facts.schema.json',
    PodFactsDetail,
    'podlife Pod Facts (EventBridge detail, detail-type "Pod Facts"; exactly one of facts and factsDeflate)',
  ],
  [
    'pod-snapshot.schema.json',
    PodSnapshot,
    'podlife Pod Snapshot (EventBridge detail, detail-type "Pod Snapshot")',
  ],
  [
    'pod-event.schema.json',
    PodEventSnapshot,
    'podlife Pod Event (EventBridge detail, detail-type "Pod Event")',
  ],
  [
    'pod-inventory.schema.json',
    PodInventory,
    'podlife Pod Inventory (EventBridge detail, detail-type "Pod Inventory"; every uid in [from, to))',
  ],
];

let stale = false;
for (const [file, schema, title] of SCHEMAS) {
  const json = { title, ...z.toJSONSchema(schema, { target: 'draft-2020-12' }) };
  const text = `${JSON.stringify(json, null, 2)}\n`;
  const path = join(DIR, file);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {}
    if (current !== text) {
      console.error(`docs/schemas/${file} is stale: run npm run schema`);
      stale = true;
    }
  } else {
    writeFileSync(path, text);
    console.log(`wrote docs/schemas/${file}`);
  }
}
process.exitCode = stale ? 1 : 0;
