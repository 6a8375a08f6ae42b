/**
 * The two vitest projects (vitest.config.ts): `integration` takes every test file `unit` does
 * not, so each runs exactly once; and a file of the fast `unit` project starts nothing slow: no DynamoDB Local, no Kubernetes API server,
 * no Chromium, no esbuild, no CDK synth, no child process. A file that needs one belongs to
 * `integration` (or moves its slow part there).
 */
import { globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_TESTS, UNIT_TESTS } from '../../vitest.config.ts';

const ROOT = join(import.meta.dirname, '..', '..');

const files = (patterns: readonly string[]) => [...new Set(globSync([...patterns], { cwd: ROOT }))].sort();

/** What a unit test must not start (runtime uses; a type-only import is fine). */
const SLOW: readonly (readonly [RegExp, string])[] = [
  [/\bstartLocalTable\b|\bstartDynamoDbLocal\b|new LocalMode\b/, 'DynamoDB Local'],
  [/new FakeApiServer\b/, 'a Kubernetes API server'],
  [/\blaunchChromium\b|from 'playwright-core'/, 'Chromium'],
  [/from 'node:child_process'/, 'a child process'],
  [/from '(?:esbuild|[^']*\/build(?:-cli)?\.(?:ts|mjs))'/, 'esbuild'],
  [/\bsynth(?:Query)?Stack\b|new App\(|Template\.from/, 'a CDK synth'],
];

/** Why `text` (a test file) does not belong to the unit project, or [] when it does. */
function slowPartsOf(text: string): string[] {
  return SLOW.filter(([re]) => re.test(text)).map(([, what]) => what);
}

describe('vitest projects', () => {
  const all = files(ALL_TESTS);
  const unit = files(UNIT_TESTS);

  it('the unit project takes the pure tests of test/unit, the forwarder and the web page', () => {
    expect(all.length).toBeGreaterThan(60);
    for (const dir of ['test/unit/', 'test/forwarder/', 'test/web/']) {
      expect(unit.some((f) => f.startsWith(dir))).toBe(true);
    }
    expect(unit.every((f) => all.includes(f))).toBe(true);
  });

  it('no unit test starts DynamoDB Local, an API server, Chromium, esbuild, a synth or a process', () => {
    const slow = unit
      .filter((f) => f !== 'test/unit/test-projects.test.ts') // this file names them
      .map((f) => [f, slowPartsOf(readFileSync(join(ROOT, f), 'utf8'))] as const)
      .filter(([, why]) => why.length > 0);
    expect(slow).toEqual([]);
  });

  it('catches each kind of slow part, and lets type-only imports through', () => {
    expect(slowPartsOf(`const t = await startLocalTable('x');`)).toEqual(['DynamoDB Local']);
    expect(slowPartsOf(`server = await new FakeApiServer().start();`)).toEqual(['a Kubernetes API server']);
    expect(slowPartsOf(`import type { Obj } from '../../testkit/fake-apiserver.ts';`)).toEqual([]);
    expect(slowPartsOf(`browser = await launchChromium();`)).toEqual(['Chromium']);
    expect(slowPartsOf(`import { spawn } from 'node:child_process';`)).toEqual(['a child process']);
    expect(slowPartsOf(`import { buildPage } from '../../web/build.ts';`)).toEqual(['esbuild']);
    expect(slowPartsOf(`expect(text).toContain('forwarder/build.ts');`)).toEqual([]);
    expect(slowPartsOf(`const t = Template.fromStack(synthStack({ bundle: false }));`)).toEqual([
      'a CDK synth',
    ]);
  });
});
