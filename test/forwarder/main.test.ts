/**
 * The command line: flags, their PODLIFE_* environment equivalents (flags win), validation
 * that names the flag, the kubeconfig choice, and the probe server's answers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { type CliConfig, ConfigError, DEFAULT_LOCAL_URL, parseConfig } from '../../forwarder/flags.ts';
import { Forwarder } from '../../forwarder/forwarder.ts';
import { loadKubeConfig, main, makeSink, sourceOf } from '../../forwarder/main.ts';
import { Counter, ForwarderMetrics, Gauge } from '../../forwarder/metrics.ts';
import { createProbeServer, listen } from '../../forwarder/server.ts';

const cfg = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseConfig(argv, env) as CliConfig;

describe('flags and environment', () => {
  it('reads every flag', () => {
    const c = cfg([
      '--cluster=prod-eu-1',
      '--bus',
      'podlife',
      '--region',
      'eu-west-1',
      '--namespaces',
      'a, b,,c',
      '--selector',
      'app=web',
      '--events',
      '--forward-messages',
      '--kubeconfig',
      '/k',
      '--context',
      'kind-x',
      '--sink',
      'local',
      '--payload',
      'facts-json',
      '--local-url',
      'http://127.0.0.1:9999/events',
      '--port',
      '9102',
      '--host',
      '127.0.0.1',
      '--buffer-entries',
      '5000',
      '--flush-seconds',
      '5',
      '--linger-seconds',
      '0.5',
      '--heartbeat-seconds',
      '30',
      '--log-level',
      'debug',
    ]);
    expect(c).toEqual({
      cluster: 'prod-eu-1',
      bus: 'podlife',
      region: 'eu-west-1',
      namespaces: ['a', 'b', 'c'],
      selector: 'app=web',
      events: true,
      forwardMessages: true,
      kubeconfig: '/k',
      context: 'kind-x',
      sink: 'local',
      payload: 'facts-json',
      localUrl: 'http://127.0.0.1:9999/events',
      port: 9102,
      host: '127.0.0.1',
      bufferEntries: 5000,
      flushSeconds: 5,
      lingerSeconds: 0.5,
      routineLingerSeconds: 30,
      heartbeatSeconds: 30,
      clusterSource: false,
      logLevel: 'DEBUG',
    });
  });

  it('--cluster-source (PODLIFE_CLUSTER_SOURCE) sends with the bound source podlife.forwarder.CLUSTER', () => {
    expect(sourceOf(cfg(['--cluster=prod-eu-1', '--sink=stdout']))).toBeUndefined();
    expect(cfg(['--cluster=prod-eu-1', '--sink=stdout', '--cluster-source']).clusterSource).toBe(true);
    expect(sourceOf(cfg(['--cluster=prod-eu-1', '--sink=stdout', '--cluster-source']))).toBe(
      'podlife.forwarder.prod-eu-1',
    );
    expect(sourceOf(cfg(['--sink=stdout'], { PODLIFE_CLUSTER: 'c', PODLIFE_CLUSTER_SOURCE: 'true' }))).toBe(
      'podlife.forwarder.c',
    );
    // Local mode has no bindings: its rules would take none of it.
    expect(() => parseConfig(['--cluster=c', '--sink=local', '--cluster-source'], {})).toThrow(
      '--cluster-source (PODLIFE_CLUSTER_SOURCE): local mode has no bound clusters',
    );
  });

  it('has an environment equivalent for each, and the flag wins', () => {
    const env = {
      PODLIFE_CLUSTER: 'from-env',
      PODLIFE_BUS: 'bus-env',
      AWS_REGION: 'us-east-1',
      PODLIFE_NAMESPACES: 'x,y',
      PODLIFE_EVENTS: 'true',
      PODLIFE_FORWARD_MESSAGES: 'true',
      PODLIFE_SINK: 'eventbridge',
      PODLIFE_PORT: '7000',
      PODLIFE_LINGER_SECONDS: '2',
    };
    const c = cfg([], env);
    expect(c).toMatchObject({
      cluster: 'from-env',
      bus: 'bus-env',
      region: 'us-east-1',
      namespaces: ['x', 'y'],
      events: true,
      forwardMessages: true,
      port: 7000,
      lingerSeconds: 2,
    });
    expect(cfg(['--linger-seconds', '0'], env).lingerSeconds).toBe(0);
    expect(cfg(['--cluster', 'from-flag'], env).cluster).toBe('from-flag');
    expect(cfg(['--region', 'ap-south-1'], { ...env, PODLIFE_REGION: 'eu-north-1' }).region).toBe(
      'ap-south-1',
    );
    expect(cfg([], { ...env, PODLIFE_REGION: 'eu-north-1' }).region).toBe('eu-north-1');
  });

  it('defaults: eventbridge sink, facts payload, port 8080, INFO (WARN and readable facts with the stdout sink, whose stdout carries the entries)', () => {
    const c = cfg(['--cluster', 'c', '--bus', 'b']);
    expect(c).toMatchObject({
      sink: 'eventbridge',
      payload: 'facts',
      port: 8080,
      host: '0.0.0.0',
      events: false,
      forwardMessages: false,
      logLevel: 'INFO',
      localUrl: DEFAULT_LOCAL_URL,
      lingerSeconds: 2,
      routineLingerSeconds: 30,
    });
    expect(cfg(['--cluster', 'c', '--sink', 'stdout']).logLevel).toBe('WARN');
    expect(cfg(['--cluster', 'c', '--sink', 'stdout']).payload).toBe('facts-json');
    expect(cfg(['--cluster', 'c', '--sink', 'stdout', '--payload', 'snapshot']).payload).toBe('snapshot');
  });

  it.each([
    [[], /--cluster \(PODLIFE_CLUSTER\)/],
    [['--cluster', 'x'.repeat(64), '--bus', 'b'], /--cluster/],
    [['--cluster', 'has space', '--bus', 'b'], /--cluster/],
    [['--cluster', 'c'], /--bus \(PODLIFE_BUS\) is required/],
    [['--cluster', 'c', '--sink', 'kafka'], /--sink/],
    [['--cluster', 'c', '--sink', 'stdout', '--port', 'eighty'], /--port \(PODLIFE_PORT\): not a number/],
    [['--cluster', 'c', '--sink', 'stdout', '--namespaces', 'Bad_NS'], /--namespaces/],
    [['--cluster', 'c', '--sink', 'local', '--local-url', 'not a url'], /--local-url/],
    [['--cluster', 'c', '--nope'], /Unknown option '--nope'/],
    [
      ['--cluster', 'c', '--sink', 'stdout', '--linger-seconds', '11'],
      /--linger-seconds \(PODLIFE_LINGER_SECONDS\)/,
    ],
    [['--cluster', 'c', '--sink', 'stdout', '--linger-seconds', '-1'], /--linger-seconds/],
    [
      ['--cluster', 'c', '--sink', 'stdout', '--routine-linger-seconds', '301'],
      /--routine-linger-seconds \(PODLIFE_ROUTINE_LINGER_SECONDS\)/,
    ],
  ])('rejects %j naming the flag', (argv, message) => {
    expect(() => parseConfig(argv as string[], {})).toThrow(ConfigError);
    expect(() => parseConfig(argv as string[], {})).toThrow(message);
  });

  it('--help', () => {
    expect(parseConfig(['--help'], {})).toBe('help');
  });

  it('picks the sink', () => {
    expect(makeSink(cfg(['--cluster', 'c', '--bus', 'b', '--region', 'eu-west-1'])).name).toBe('eventbridge');
    expect(makeSink(cfg(['--cluster', 'c', '--sink', 'local'])).name).toBe('local');
    expect(makeSink(cfg(['--cluster', 'c', '--sink', 'stdout'])).name).toBe('stdout');
  });

  it('loads a kubeconfig file and a context', () => {
    const dir = mkdtempSync(join(tmpdir(), 'podlife-kc-'));
    const file = join(dir, 'config');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- {name: one, cluster: {server: "https://one.example:6443"}}',
        '- {name: two, cluster: {server: "https://two.example:6443"}}',
        'users: [{name: u, user: {token: t}}]',
        'contexts:',
        '- {name: one, context: {cluster: one, user: u}}',
        '- {name: two, context: {cluster: two, user: u}}',
        'current-context: one',
      ].join('\n'),
    );
    expect(loadKubeConfig({ kubeconfig: file }).getCurrentCluster()?.server).toBe('https://one.example:6443');
    expect(loadKubeConfig({ kubeconfig: file, context: 'two' }).getCurrentCluster()?.server).toBe(
      'https://two.example:6443',
    );
    expect(() => loadKubeConfig({ kubeconfig: file, context: 'three' })).toThrow(/--context/);
  });
});

describe('shutdown', () => {
  it('a SIGTERM while the forwarder starts is a clean shutdown: the handlers are there before start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'podlife-sig-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: c, context: {cluster: c, user: u}}]',
        'current-context: c',
      ].join('\n'),
    );
    const before = new Set(process.listeners('SIGTERM'));
    const added = () =>
      process.listeners('SIGTERM').find((l) => !before.has(l)) as ((s: string) => void) | undefined;
    let atStart: ((signal: string) => void) | undefined;
    // Forwarder.start is where a slow start spends its time: the signal comes in the middle of it.
    const start = vi.spyOn(Forwarder.prototype, 'start').mockImplementation(async () => {
      atStart = added();
      atStart?.('SIGTERM'); // as Node calls it (not process.emit: the test runner listens too)
    });
    try {
      const exit = main(
        [
          '--cluster=c',
          `--kubeconfig=${kubeconfig}`,
          '--sink=local',
          '--local-url=http://127.0.0.1:9/events',
          '--port=0',
          '--host=127.0.0.1',
          '--flush-seconds=1',
          '--heartbeat-seconds=0',
          '--log-level=ERROR',
        ],
        {},
      );
      // Without a handler at start, the signal would have killed the process: end the run anyway.
      if (!atStart) {
        await vi.waitFor(() => expect(added()).toBeDefined());
        added()?.('SIGTERM');
      }
      expect(await exit).toBe(0);
      expect(atStart, 'no SIGTERM handler while the forwarder starts').toBeDefined();
    } finally {
      start.mockRestore();
      for (const sig of ['SIGTERM', 'SIGINT'] as const)
        for (const l of process.listeners(sig)) if (!before.has(l)) process.off(sig, l);
    }
  });
});

describe('probes and metrics', () => {
  it('/healthz, /readyz before and after the first list, /metrics in Prometheus text format', async () => {
    const metrics = new ForwarderMetrics();
    let ready = false;
    const server = createProbeServer({ metrics, isReady: () => ready });
    const port = await listen(server, 0, '127.0.0.1');
    const get = (p: string, method = 'GET') => fetch(`http://127.0.0.1:${port}${p}`, { method });
    try {
      expect((await get('/healthz')).status).toBe(200);
      expect((await get('/readyz')).status).toBe(503);
      ready = true;
      expect((await get('/readyz')).status).toBe(200);
      metrics.forwarded.inc({ detail_type: 'Pod Snapshot' }, 3);
      metrics.dropped.inc({ reason: 'superseded' });
      metrics.bufferEntries.set(7);
      const res = await get('/metrics');
      expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      const body = await res.text();
      expect(body).toContain('# TYPE podlife_forwarder_forwarded_total counter');
      expect(body).toContain('podlife_forwarder_forwarded_total{detail_type="Pod Snapshot"} 3');
      expect(body).toContain('podlife_forwarder_dropped_total{reason="superseded"} 1');
      expect(body).toContain('podlife_forwarder_buffer_entries 7');
      // Every sample line is `name{labels} value` or `name value`.
      for (const line of body.split('\n').filter((l) => l && !l.startsWith('#'))) {
        expect(line).toMatch(/^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+]+$/);
      }
      for (const name of [
        'forwarded',
        'skipped_noop',
        'failed',
        'retried',
        'dropped',
        'buffer_entries',
        'watch_restarts',
      ]) {
        expect(body).toContain(`podlife_forwarder_${name}`);
      }
      expect((await get('/nope')).status).toBe(404);
      expect((await get('/healthz', 'POST')).status).toBe(405);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('label values are escaped and series are sorted by label name', async () => {
    const c = new Counter('x_total', 'help', ['b', 'a']);
    c.inc({ b: 'q"uo\\te', a: 'new\nline' });
    expect(await c.render()).toContain('x_total{a="new\\nline",b="q\\"uo\\\\te"} 1');
    const g = new Gauge('g', 'help');
    expect(await g.render()).toContain('g 0');
  });

  it("one Registry per instance; the process adds prom-client's process and event-loop metrics", async () => {
    // Several forwarders in one process (tests, local mode) each count on their own.
    const a = new ForwarderMetrics();
    const b = new ForwarderMetrics({ processMetrics: true });
    a.forwarded.inc({ detail_type: 'Pod Facts' }, 2);
    expect(b.forwarded.total()).toBe(0);
    const body = await b.render();
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'podlife_forwarder_forwarded_total',
      'podlife_forwarder_buffer_entries',
    ]) {
      expect(body).toContain(`# TYPE ${name} `);
    }
    expect(await a.render()).not.toContain('process_cpu_user_seconds_total');
    expect(await a.render()).toContain('podlife_forwarder_forwarded_total{detail_type="Pod Facts"} 2');
  });
});
