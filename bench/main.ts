/**
 * `npm run bench`: every benchmark podlife has, each printing its figures and ratios.
 *
 *   npm run bench                      # all suites, human-readable
 *   npm run bench -- --json            # one JSON object: { suite: { figure: value } }
 *   npm run bench -- --only engine     # some suites (engine, ingest, forwarder, items, reader, query, cli; comma-separated)
 *   npm run bench -- --quick           # smaller inputs, for a smoke run
 *   npm run bench -- --only scale --rate 50 --minutes 2 --existing 150000 --list-ingest 10000   # cluster scale (not in "all")
 *
 * A full run (not --quick) merges its suites' figures into bench/figures.json (`suite.figure` →
 * value, with each suite's date and machine): the figures docs/ quotes, checked by
 * `scripts/doc-figures.ts --check` (in `npm run check`) and rewritten by its `--write`.
 *
 * Benchmarks, not tests: nothing here asserts a time. Targets are printed beside the figures.
 */
import { parseArgs } from 'node:util';
import { mergeFigures } from './figures-file.ts';

type Suite = {
  module: string;
  run: string;
  targets?: Record<string, string>;
  full: Record<string, unknown>;
  quick: Record<string, unknown>;
  /** Only run when named in --only (too long for every run). */
  onlyWhenNamed?: boolean;
};

const SUITES: Record<string, Suite> = {
  engine: {
    module: './engine.ts',
    run: 'runEngineBench',
    targets: { engineToJsonParseRatio: '≤ 3', heapMbAfter1000000Snapshots: 'flat once all pods exist' },
    full: { churnPods: 20_000, steadySnapshots: 1_000_000, steadyPods: 10_000 },
    quick: { churnPods: 2_000, steadySnapshots: 50_000, steadyPods: 2_000 },
  },
  ingest: {
    module: './ingest.ts',
    run: 'runIngestBench',
    targets: {
      writeRequestsPerNewFact: '≤ 1',
      'duplicate.writeRequestsPerEvent': '0',
      invocationsPerEntry: '≤ 0.05',
      writeRequestsPerLifecycle: '≤ 2.5',
      wcuPerWrite: '≤ 3',
      'usdPerMillionLifecycles.total': '≤ 8',
      'throughput.ratioToBarePutItem': '≥ 1',
    },
    // 1,000 churn pods by default: DynamoDB Local takes ~110 events/s here (see bench/ingest.ts).
    full: { pods: 1_000 },
    quick: { pods: 200, bundle: false },
  },
  forwarder: {
    module: './forwarder.ts',
    run: 'runForwarderBench',
    targets: {
      noopEntriesSent: '0',
      bytesRatio: '≤ 0.10',
      heapBytesPerPod: '≤ 2048',
      entriesPerLifecycle: '≤ 3',
    },
    full: {},
    quick: { churnPods: 1_000, steadyPods: 1_000, steadySeconds: 30, scalePods: 10_000, scaleSeconds: 10 },
  },
  items: {
    module: './items.ts',
    run: 'runItemsBench',
    targets: { itemBytes: '< 65536 (64 KB)', exactFigures: '1' },
    full: {},
    quick: { restarts: [1_000, 5_000] },
  },
  reader: {
    module: './reader.ts',
    run: 'runReaderBench',
    targets: { 'brokenFirstLine.pods': 'all (43)', 'brokenFirstLine.peakRssMb': 'flat: not the file size' },
    full: { mb: 50 },
    quick: { mb: 5 },
  },
  query: {
    module: './query.ts',
    run: 'runQueryBench',
    full: {},
    quick: { sizes: [2_000, 10_000], calls: 10 },
  },
  scale: {
    module: './scale.ts',
    run: 'runScaleBench',
    targets: {
      entriesPerLifecycle: '≤ 3',
      invocationsPerEntry: '≤ 0.05',
      writeRequestsPerLifecycle: '≤ 2.5',
      wcuPerWrite: '≤ 3',
      'usdPerMillionLifecycles.total': '≤ 8',
    },
    // Issue 12's cluster: 50 creations/s for 10 minutes (30,000 lifecycles); --rate, --minutes.
    full: { rate: 50, minutes: 10, existing: 150_000, listIngest: 10_000 },
    quick: { rate: 50, minutes: 0.5, existing: 5_000 },
    onlyWhenNamed: true,
  },
  cli: {
    module: './cli.ts',
    run: 'runCliBench',
    targets: {
      'help.medianMs': '≤ 300',
      'replayDemo.medianMs': '≤ 600',
      helpToNodeRatio: 'node -e 0 = 1',
      replayDemoToNodeRatio: 'node -e 0 = 1',
    },
    full: { runs: 9 },
    quick: { runs: 3 },
  },
};

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    rate: { type: 'string' },
    minutes: { type: 'string' },
    existing: { type: 'string' },
    'list-ingest': { type: 'string' },
    'batch-size': { type: 'string' },
  },
});

const selected = values.only
  ? values.only.split(',')
  : Object.keys(SUITES).filter((k) => !SUITES[k]?.onlyWhenNamed);
/** --rate, --minutes, --existing, --list-ingest and --batch-size, for the suites that take them (scale). */
const sizes: Record<string, number> = {
  ...(values.rate !== undefined ? { rate: Number(values.rate) } : {}),
  ...(values.minutes !== undefined ? { minutes: Number(values.minutes) } : {}),
  ...(values.existing !== undefined ? { existing: Number(values.existing) } : {}),
  ...(values['list-ingest'] !== undefined ? { listIngest: Number(values['list-ingest']) } : {}),
  ...(values['batch-size'] !== undefined ? { batchSize: Number(values['batch-size']) } : {}),
};
const results: Record<string, Record<string, number>> = {};
const log = values.json ? () => {} : (line: string) => console.error(line);
for (const name of selected) {
  const suite = SUITES[name];
  if (!suite) {
    console.error(`unknown suite "${name}"; suites: ${Object.keys(SUITES).join(', ')}`);
    process.exit(1);
  }
  const mod = (await import(suite.module)) as Record<string, (o: unknown) => Promise<Record<string, number>>>;
  const started = Date.now();
  const run = mod[suite.run];
  if (typeof run !== 'function') {
    console.error(`suite "${name}": ${suite.module} exports no function ${suite.run}`);
    process.exit(1);
  }
  results[name] = await run({
    ...(values.quick ? suite.quick : suite.full),
    ...(name === 'scale' ? sizes : {}),
    log,
  });
  if (!values.json) {
    console.log(`\n${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    for (const [k, v] of Object.entries(results[name])) {
      // Figures may be prefixed by their trace (demo.writeRequestsPerNewFact): match the end.
      const target = Object.entries(suite.targets ?? {}).find(([t]) => k === t || k.endsWith(`.${t}`))?.[1];
      console.log(`  ${k.padEnd(40)} ${String(v).padStart(12)}${target ? `   target ${target}` : ''}`);
    }
  }
}
if (values.json) console.log(JSON.stringify(results));
if (!values.quick) {
  const file = mergeFigures(results);
  if (!values.json) console.log(`\nfigures of ${selected.join(', ')} merged into ${file}`);
}
