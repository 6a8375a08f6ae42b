import { availableParallelism, loadavg } from 'node:os';
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * The `unit` project: pure and fast, the watch loop. No DynamoDB Local, no Kubernetes API server
 * (fake or real), no Chromium, no esbuild, no CDK synth, no child process; an in-process
 * loopback listener is fine. test/unit/test-projects.test.ts fails when a file listed here
 * starts one of those, or when a test file is in no project or in both.
 */
export const UNIT_TESTS = [
  'test/unit/**/*.test.ts',
  'test/forwarder/{delta,events-rule,flags,main,manifests,sender}.test.ts',
  'test/web/{api,first-view,gantt,histogram,render,silences-render}.test.ts',
];

/** Every test file; `integration` is every one the unit project does not take. */
export const ALL_TESTS = ['test/**/*.test.ts'];

/**
 * `npx vitest` (watch mode, on a terminal) runs the unit project only: vitest has no "default
 * project" option, so this reads the command line. `vitest run`, `--project`, a file filter or CI
 * keep both projects (`npx vitest --project integration` watches the slow ones).
 */
const args = process.argv.slice(2);
const watchLoop =
  !process.env.CI &&
  Boolean(process.stdin.isTTY) &&
  !args.some((a) => a === '--run' || a.startsWith('--project') || a.startsWith('--watch=')) &&
  args.filter((a) => !a.startsWith('-')).every((a) => a === 'watch' || a === 'dev');

/**
 * The unit project's timeout: 20 s on a quiet machine, stretched by the load per core when the
 * machine is shared (a property test that takes 1 s alone takes 8 s at a load of 16 on 2 cores).
 * 20 s, not 5: CI runs with coverage, whose instrumentation slows the engine's property tests
 * about 2× (bounded-facts' lattice test: 2.6 s plain, 4.7 s instrumented, and it timed out at
 * 5 s in a CI run). A unit test that waits on I/O it should not do still fails in CI.
 */
const CORES = availableParallelism();
const UNIT_TIMEOUT_MS = Math.round(20_000 * Math.max(1, (loadavg()[0] ?? 0) / CORES));

const unit: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: 'unit',
    include: UNIT_TESTS,
    testTimeout: UNIT_TIMEOUT_MS,
    hookTimeout: 2 * UNIT_TIMEOUT_MS,
    // Pure files share their workers' module cache (zod, yaml, the engine load once per worker)
    // and use every core; unit runs first (groupOrder), then integration with vitest's default.
    isolate: false,
    maxWorkers: CORES,
    sequence: { groupOrder: 0 },
  },
};

const integration: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: 'integration',
    include: ALL_TESTS,
    exclude: [...configDefaults.exclude, ...UNIT_TESTS],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    sequence: { groupOrder: 1 },
  },
};

export default defineConfig({
  test: {
    // Integration tests share one DynamoDB Local per file; files run in parallel on 2 cores.
    fileParallelism: true,
    env: {
      AWS_EC2_METADATA_DISABLED: 'true',
      POWERTOOLS_DEV: 'false',
    },
    projects: watchLoop ? [unit] : [unit, integration],
    coverage: {
      provider: 'v8',
      // Off unless asked (`--coverage`, as .ci/run does): the summary is printed, nothing enforced.
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      reportOnFailure: true,
      include: [
        'core/**/*.ts',
        'model/**/*.ts',
        'store/**/*.ts',
        'functions/**/*.ts',
        'forwarder/**/*.ts',
        'local/**/*.ts',
        'cli/**/*.ts',
        'web/src/**/*.ts',
        'infra/**/*.ts',
      ],
    },
  },
});
