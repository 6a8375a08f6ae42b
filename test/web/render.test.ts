/**
 * The page's markup: API text is escaped wherever it lands (text, attributes, SVG), and the
 * figures shown are the engine's, formatted as the CLI prints them.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { replayFiles } from '../../cli/replay.ts';
import { type GroupStats, statsBy } from '../../core/stats.ts';
import { formatSeconds } from '../../core/time.ts';
import {
  adaptCrash,
  adaptPending,
  adaptPod,
  adaptStatsGroup,
  CrashItemSchema,
  type Listed,
  PendingItemSchema,
  PodRecordSchema,
  StatsGroupSchema,
} from '../../web/src/api.ts';
import { esc, html, raw } from '../../web/src/html.ts';
import {
  barText,
  pickIncarnation,
  renderCrashloops,
  renderPending,
  renderPod,
  renderStats,
  triple,
  worthAHistogram,
} from '../../web/src/render.ts';
import { parseHash, type ViewState } from '../../web/src/state.ts';
import { renderWaterfall, sliText, waterfallOf } from '../../web/src/waterfall.ts';
import { answer, type EngineState } from './engine-api.ts';

const TRACE = join(import.meta.dirname, '..', '..', 'demo', 'trace.jsonl');
const EVIL = '<img src=x onerror=alert(1)>';
const view: ViewState = parseHash('#cluster=demo');
const listed = <T>(items: T[]): Listed<T> => ({ items, rejected: 0, truncated: false, now: null });

/** No element that API text could have smuggled in (escaped, `onerror=` is only text). */
function expectInert(markup: string) {
  expect(markup).not.toMatch(/<(img|script|iframe|b>|svg onload)/i);
}

describe('html``', () => {
  it('escapes values, keeps nested html and raw, joins arrays, drops null and false', () => {
    expect(esc(`<a href="x" onclick='y'>&`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
    const inner = html`<b>${'<i>'}</b>`;
    expect(
      html`<p title="${'"><script>'}">${inner}${[1, '<', raw('<br>')]}${null}${false}${0}</p>`.text,
    ).toBe('<p title="&quot;&gt;&lt;script&gt;"><b>&lt;i&gt;</b>1&lt;<br>0</p>');
  });
});

describe('hostile API text renders as text', () => {
  const hostile = {
    cluster: 'demo',
    namespace: '"><svg onload=alert(3)>',
    name: EVIL,
    uid: `u"${EVIL}`,
    owner: { kind: 'Deployment', name: '<script>alert(4)</script>' },
    createdAt: '2026-11-02T08:00:00Z',
    ageSeconds: 600,
    unschedulableMessage: '<script>alert(2)</script> 0/1 nodes are available',
    waitingReason: '<b>x</b>',
    stuck: true,
  };

  it('in the pending list', () => {
    const out = renderPending(listed([adaptPending(PendingItemSchema.parse(hostile), 'demo')]), view).text;
    expectInert(out);
    expect(out).not.toContain('<svg');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).toContain('&lt;script&gt;alert(2)&lt;/script&gt; 0/1 nodes are available');
  });

  it('in the pending list, a gated pod’s gates (issue 11)', () => {
    const gated = { ...hostile, unschedulableMessage: null, schedulingGates: ['example.com/<b>bar</b>'] };
    const out = renderPending(listed([adaptPending(PendingItemSchema.parse(gated), 'demo')]), view).text;
    expectInert(out);
    expect(out).toContain('<td class="status">SchedulingGated</td>');
    expect(out).toContain('<strong>SchedulingGated</strong>');
    expect(out).toContain('gates: example.com/&lt;b&gt;bar&lt;/b&gt;');
  });

  it('in the crash-loop list', () => {
    const out = renderCrashloops(
      listed([
        adaptCrash(CrashItemSchema.parse({ ...hostile, restarts: 2, lastTerminationReason: EVIL }), 'demo'),
      ]),
      view,
    ).text;
    expectInert(out);
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('in a pod: header, figures, Gantt lanes and bars, terminations, timeline', () => {
    const record = PodRecordSchema.parse({
      ...hostile,
      phase: '<i>Running</i>',
      node: EVIL,
      timeline: [
        { at: '2026-11-02T08:00:00Z', type: 'Created' },
        { at: '2026-11-02T08:00:01Z', type: 'ContainerStarted', container: EVIL },
        {
          at: '2026-11-02T08:00:09Z',
          type: 'ContainerTerminated',
          container: EVIL,
          reason: '<script>',
          exitCode: 1,
          message: `line one ${EVIL}\nline two`,
        },
        {
          at: '2026-11-02T08:00:10Z',
          type: 'ContainerWaiting',
          container: EVIL,
          reason: EVIL,
          message: EVIL,
        },
      ],
    });
    const pod = adaptPod(record, 'demo');
    const out = renderPod([pod], view, Date.parse('2026-11-02T08:01:00Z'), pod).text;
    expectInert(out);
    expect(out).not.toContain('<svg onload');
    expect(out).not.toContain('<i>Running');
    expect(out).toContain('<svg class="gantt"'); // our own SVG is there
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('in statistics: group keys', () => {
    const stats = StatsGroupSchema.parse({ key: EVIL, stats: { pods: 1 }, values: {} });
    const out = renderStats([adaptStatsGroup(stats)], view).text;
    expectInert(out);
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('figures on the demo trace, as the CLI prints them', () => {
  let engine: EngineState;
  beforeAll(async () => {
    engine = await replayFiles([TRACE], { cluster: 'demo', stuckAfterSeconds: 300 });
  });
  const get = (path: string) =>
    answer(new URL(path, 'http://x'), 'demo', engine) as Record<string, unknown[] | undefined>;

  it('crash-looping my-pod: restarts 3, Error (1), 44s of back-off', () => {
    const rows = get('/crashloops?cluster=demo').pods!.map((p) =>
      adaptCrash(CrashItemSchema.parse(p), 'demo'),
    );
    const out = renderCrashloops(listed(rows), view).text;
    const row = out.split('<tr').find((r) => r.includes('data-pod="argocd/my-pod"'))!;
    expect(row).toContain('<span class="val">3</span>');
    expect(row).toContain('<td class="term">Error (1)</td>');
    expect(row).toContain('>44s<');
  });

  it('the stuck router pod first, with its scheduler message', () => {
    const rows = get('/pending?cluster=demo').pods!.map((p) =>
      adaptPending(PendingItemSchema.parse(p), 'demo'),
    );
    const out = renderPending(listed(rows), view).text;
    const body = out.slice(out.indexOf('<tbody>'));
    const first = body.split('<tr').find((r) => r.includes('data-pod'))!;
    expect(first).toContain('class="stuck"');
    expect(out).toMatch(
      /<strong>Unschedulable<\/strong> <span class="msg" title="0\/2 nodes are available[^"]*">0\/2 nodes are available: 1 node\(s\)/,
    );
    expect(out).toMatch(/<strong>\d+<\/strong> pending · <strong class="bad">\d+<\/strong> stuck/);
  });

  it('per-namespace p50 / p90 / p99 equal statsBy', () => {
    const groups = get('/stats?cluster=demo&groupBy=namespace').groups!.map((g) =>
      adaptStatsGroup(StatsGroupSchema.parse(g)),
    );
    const out = renderStats(groups, view).text;
    const expected = statsBy(engine.records, (r) => r.namespace);
    const t = (d: GroupStats['pendingSeconds']) =>
      d.count ? `${formatSeconds(d.p50)} / ${formatSeconds(d.p90)} / ${formatSeconds(d.p99)}` : '—';
    for (const [key, s] of expected) {
      const row = out.split('<tr').find((r) => r.includes(`data-group="${key}"`))!;
      for (const f of [
        'scheduledAfterSeconds',
        'pendingSeconds',
        'timeToReadySeconds',
        'crashLoopBackOffSeconds',
      ] as const) {
        expect(row).toContain(`data-figure="${f}"><span class="pct">${t(s[f])}</span>`);
      }
    }
    expect(triple({ count: 13, p50: 4, p90: 10800, p99: 10800, values: [] })).toBe('4s / 3h / 3h');
  });

  it('a pod: both incarnations of my-pod linked, the crash-looping one drawn with its back-off', () => {
    const pods = get('/pods/demo/argocd/my-pod').pods!.map((p) => adaptPod(PodRecordSchema.parse(p), 'demo'));
    const crashing = pods.find((p) => p.restarts === 3)!;
    const out = renderPod(pods, { ...view, uid: crashing.uid }, engine.now, crashing).text;
    expect(out).toContain(`data-uid="${crashing.uid}"`);
    expect(out).toContain('2 incarnations');
    expect(out).toContain('<dd data-figure="crashLoopBackOffSeconds">15s + 29s = 44s</dd>');
    expect(out).toContain('<dd data-figure="lastTerminationReason">Error (1)</dd>');
    expect(out.match(/data-kind="back-off"/g)).toHaveLength(3);
    expect(out).toMatch(/aria-label="Timeline of argocd\/my-pod: /);
  });

  it('a pod asked by name only: the newest incarnation, whatever the order or duplicates of the answer', () => {
    const pods = get('/pods/demo/argocd/my-pod').pods!.map((p) => adaptPod(PodRecordSchema.parse(p), 'demo'));
    expect(pods.length).toBe(2);
    const created = (p: (typeof pods)[number]) =>
      Date.parse(p.timeline.find((e) => e.type === 'Created')!.at!);
    const newest = pods.reduce((a, b) => (created(b) > created(a) ? b : a));
    fc.assert(
      fc.property(fc.shuffledSubarray([...pods, ...pods], { minLength: 4 }), (answer) => {
        expect(pickIncarnation(answer, null)?.uid).toBe(newest.uid);
        for (const p of pods) expect(pickIncarnation(answer, p.uid)?.uid).toBe(p.uid);
      }),
    );
    // The shown one is the one the lists highlight once its uid is in the address.
    const out = renderPod(pods, { ...view, uid: null }, engine.now, pods[0]!).text;
    expect(out).toContain(`data-uid="${newest.uid}"`);
  });

  it("the startup waterfall of redis-1: every stage and pull with the replay's own figures, in the table and as bars", () => {
    const rec = (engine as unknown as { records: Record<string, unknown>[] }).records.find(
      (r) => r.namespace === 'default' && r.name === 'redis-1',
    )!;
    const pod = adaptPod(PodRecordSchema.parse(get('/pods/demo/default/redis-1').pods![0]), 'demo');
    const out = renderPod([pod], { ...view, uid: pod.uid }, engine.now, pod).text;
    const cell = (key: string) => out.match(new RegExp(`<tr data-row="${key}"[\\s\\S]*?</tr>`))?.[0] ?? '';
    for (const f of [
      'scheduledAfterSeconds',
      'sandboxReadyAfterSeconds',
      'initializedAfterSeconds',
      'imagePullSeconds',
      'containersStartedAfterSeconds',
      'containersReadyAfterSeconds',
    ]) {
      const v = rec[f] as number | null;
      expect([f, cell(f).match(/data-seconds="([^"]*)"/)?.[1]]).toEqual([f, v == null ? '' : String(v)]);
      expect(cell(f)).toContain(v == null ? '>—<' : `>${v} s<`);
    }
    // redis-1: scheduled 2, sandbox 6, initialized 2, started 5, ready 6; pull 1.617 s of 116976307 bytes.
    expect(cell('sandboxReadyAfterSeconds')).toContain('took 4 s'); // from scheduled (2 s) to 6 s
    expect(cell('containersStartedAfterSeconds')).toContain('took 3 s'); // from initialized (2 s) to 5 s
    const pull = cell('pull:redis');
    expect(pull).toContain('data-seconds="1.617"');
    expect(pull).toContain('117.0 MB');
    expect(pull).toContain('<svg class="wf-bar wf-pull"');
    // The pull ends at the container's start (5 s of a 6 s axis): x = (5 - 1.617) / 6 · 1000.
    expect(pull).toContain('x="563.8"');
    expect(out).toContain('axis 0–6 s');
    expect(out).toContain('not measured: the pod mounts a persistent volume');
    expect(rec.startupSliExcludedReason).toBe('stateful');
  });

  it('the waterfall: a missing stage is "—" and not drawn; the SLI says why it is absent (init containers and sidecar)', () => {
    const pod = adaptPod(PodRecordSchema.parse(get('/pods/demo/default/sleep').pods![0]), 'demo');
    const rows = waterfallOf(pod);
    const total = rows.find((r) => r.key === 'imagePullSeconds')!;
    expect(total).toMatchObject({ seconds: null, from: null, to: null });
    for (const r of rows.filter((r) => r.kind === 'pull'))
      expect(r).toMatchObject({ seconds: null, to: null });
    expect(rows.map((r) => r.label)).toEqual([
      'Scheduled',
      'Sandbox ready',
      'Initialized',
      'Image pull: sleep',
      'Image pull: init (init)',
      'Image pull: sidecar (sidecar)',
      'Images pulled (sum)',
      'Containers started',
      'Containers ready',
    ]);
    const out = renderPod([pod], { ...view, uid: pod.uid }, engine.now, pod).text;
    expect(out).toContain('not measured: the pod has init containers');
    expect(
      out
        .match(/<tr data-row="pull:[\s\S]*?<\/tr>/g)!
        .every((r) => r.includes('<span class="wf-none">—</span>')),
    ).toBe(true);
    expect(sliText({ ...pod, startupSliSeconds: 2.5, startupSliExcludedReason: null })).toBe(
      '2.5 s (within the 5 s objective)',
    );
    expect(sliText({ ...pod, startupSliSeconds: 7, startupSliExcludedReason: null })).toBe(
      '7 s (over the 5 s objective)',
    );
  });

  it('the waterfall: every bar inside its axis, null figures never drawn, whatever the stage values', () => {
    const sec = fc.option(
      fc.integer({ min: 0, max: 100_000 }).map((n) => n / 1000),
      { nil: null },
    );
    const base = adaptPod(PodRecordSchema.parse(get('/pods/demo/default/redis-1').pods![0]), 'demo');
    fc.assert(
      fc.property(sec, sec, sec, sec, sec, sec, sec, (a, b, c, d, e, pull, start) => {
        const pod = {
          ...base,
          scheduledAfterSeconds: a,
          sandboxReadyAfterSeconds: b,
          initializedAfterSeconds: c,
          containersStartedAfterSeconds: d,
          containersReadyAfterSeconds: e,
          containerStartups: [
            { ...base.containerStartups[0]!, pullSeconds: pull, startedAfterSeconds: start },
          ],
        };
        const rows = waterfallOf(pod);
        const axis = Math.max(1, ...rows.map((r) => r.to ?? 0));
        for (const r of rows) {
          if (r.kind === 'stage') expect(r.seconds).toBe(pod[r.key as 'scheduledAfterSeconds']);
          if (r.seconds == null) expect(r.to).toBeNull();
          if (r.to == null) expect(r.from).toBeNull();
          else {
            expect(r.from!).toBeGreaterThanOrEqual(0);
            expect(r.from!).toBeLessThanOrEqual(r.to);
            expect(r.to).toBeLessThanOrEqual(axis);
          }
        }
        // The title is API text: escaped.
        expect(renderWaterfall(pod, EVIL).text).not.toContain('<img');
      }),
    );
  });

  it('the lists carry a STATUS column: CrashLoopBackOff for my-pod, the waiting reason or Pending for pending pods', () => {
    const crash = get('/crashloops?cluster=demo').pods!.map((p) =>
      adaptCrash(CrashItemSchema.parse(p), 'demo'),
    );
    const row = renderCrashloops(listed(crash), view)
      .text.split('<tr')
      .find((r) => r.includes('data-pod="argocd/my-pod"'))!;
    expect(row).toContain('<td class="status"><strong>CrashLoopBackOff</strong></td>');
    const pending = get('/pending?cluster=demo').pods!.map((p) =>
      adaptPending(PendingItemSchema.parse(p), 'demo'),
    );
    const out = renderPending(listed(pending), view).text;
    expect(out).toContain('<th scope="col">Status</th>');
    expect(out.match(/<td class="status">/g)).toHaveLength(pending.length);
  });
});

describe('bar labels and histograms', () => {
  it('a bar label is whole or absent, never cut with …, and fits its room', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          'CrashLoopBackOff after Error (1)',
          'back-off after OOMKilled (137)',
          'running',
          'ready',
        ),
        fc.constantFrom('0s', '15s', '16h29m'),
        fc.integer({ min: 0, max: 900 }),
        (label, dur, room) => {
          const t = barText(label, dur, room);
          if (t == null) return;
          expect(t).not.toContain('…');
          expect(t.length * 6.6).toBeLessThanOrEqual(room);
          expect(
            [`${label} · ${dur}`, label, dur].some((whole) => whole === t) ||
              t.startsWith(label.split(' ')[0]!),
          ).toBe(true);
        },
      ),
    );
    expect(barText('CrashLoopBackOff after Error (1)', '16h29m', 130)).toBe('CrashLoopBackOff');
  });

  it('no histogram of one bar: values that share one bin are said in words', () => {
    expect(worthAHistogram([0, 0, 0])).toBe(false);
    expect(worthAHistogram([])).toBe(false);
    expect(worthAHistogram([0, 4])).toBe(true);
    fc.assert(
      fc.property(fc.array(fc.nat(100_000), { maxLength: 30 }), (values) => {
        const shuffled = [...values].reverse();
        expect(worthAHistogram([...shuffled, ...values])).toBe(worthAHistogram(values));
      }),
    );
    const g = adaptStatsGroup(
      StatsGroupSchema.parse({
        key: 'ns',
        stats: { pods: 3, pendingSeconds: { count: 3, p50: 0, p90: 0, p99: 0 } },
        values: { pendingSeconds: [0, 0, 0] },
      }),
    );
    const out = renderStats([g], view).text;
    expect(out).not.toContain('<svg class="hist"');
    expect(out).not.toContain('<svg class="spark"');
    expect(out).toContain('all 3 in');
  });
});
