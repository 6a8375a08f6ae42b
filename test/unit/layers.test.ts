/**
 * The layers (docs/architecture.md): every import of every source file points down, never up
 * or sideways into a layer it must not know. `core` and `model` are pure: no AWS SDK, no
 * Kubernetes client, no file, socket or process I/O.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** What each top-level folder may import from the repository (besides itself). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  model: ['core'],
  store: ['core', 'model'],
  functions: ['core', 'model', 'store', 'web'],
  forwarder: ['core', 'model'],
  infra: ['core', 'model'],
  web: ['core', 'model'],
  local: ['core', 'model', 'store', 'functions', 'forwarder', 'web'],
  cli: ['core', 'model', 'local'],
  testkit: ['core', 'model', 'store', 'functions', 'forwarder', 'infra', 'local', 'cli', 'web'],
  bench: ['core', 'model', 'store', 'functions', 'forwarder', 'infra', 'local', 'cli', 'testkit'],
  scripts: ['core', 'model', 'infra', 'local'],
  demo: ['core'],
};

/** Packages a pure layer must not import (prefixes). */
const IMPURE = [
  '@aws-sdk/',
  '@aws-lambda-powertools/',
  '@kubernetes/client-node',
  'aws-cdk-lib',
  'node:fs',
  'node:net',
  'node:http',
  'node:https',
  'node:child_process',
  'node:os',
  'node:worker_threads',
];
const PURE = new Set(['core', 'model']);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...sources(rel));
    else if (/\.(ts|mts|mjs)$/.test(name)) out.push(rel);
  }
  return out;
}

const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;

function importsOf(text: string): string[] {
  return [...text.matchAll(SPEC)].map((m) => m[2] as string);
}

function layerOf(path: string): string {
  return path.split(sep)[0] as string;
}

/** Every import of `file` (whose text is `text`) that breaks the rules, as `file → specifier (why)`. */
function violationsOf(file: string, text: string): string[] {
  const bad: string[] = [];
  const layer = layerOf(file);
  const allowed = new Set([layer, ...(MAY_IMPORT[layer] ?? [])]);
  for (const spec of importsOf(text)) {
    if (spec.startsWith('.')) {
      const target = normalize(join(dirname(file), spec));
      const to = layerOf(relative('.', target));
      if (!allowed.has(to)) bad.push(`${file} → ${spec} (${layer} may not import ${to})`);
    } else if (PURE.has(layer) && IMPURE.some((p) => spec === p || spec.startsWith(p))) {
      bad.push(`${file} → ${spec} (${layer} is pure)`);
    }
  }
  return bad;
}

describe('layers', () => {
  const files = Object.keys(MAY_IMPORT).flatMap(sources);

  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain(join('core', 'engine.ts'));
  });

  it('every import points the allowed way', () => {
    expect(files.flatMap((f) => violationsOf(f, readFileSync(join(ROOT, f), 'utf8')))).toEqual([]);
  });

  it('catches an import that points up, and an impure import in a pure layer', () => {
    expect(importsOf(`import { x } from '../store/pod-store.ts';\nimport('./a.ts');`)).toEqual([
      '../store/pod-store.ts',
      './a.ts',
    ]);
    const up = `import { PodStore } from '../store/pod-store.ts';\nimport { x } from './facts.ts';`;
    expect(violationsOf(join('core', 'engine.ts'), up)).toEqual([
      `${join('core', 'engine.ts')} → ../store/pod-store.ts (core may not import store)`,
    ]);
    expect(violationsOf(join('model', 'keys.ts'), `import { readFileSync } from 'node:fs';`)).toHaveLength(1);
    expect(violationsOf(join('store', 'x.ts'), `import { readFileSync } from 'node:fs';`)).toEqual([]);
    expect(violationsOf(join('forwarder', 'x.ts'), `import { y } from '../functions/env.ts';`)).toHaveLength(
      1,
    );
  });
});
