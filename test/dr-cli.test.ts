// `carbon-sim dr scenario.json`: the JSON shapes in and out, bad input as one line naming
// file and field with exit 2 and nothing written, the engine run, the report, grid-signal events.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDr } from '../src/cli/dr.js';
import { cli, ROOT, sharedData } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-dr-'));
const put = (name: string, json: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof json === 'string' ? json : JSON.stringify(json));
  return p;
};

// draw per GPU = cap, throughput ratio = cap / 400 (docs/demand-response.md, the worked example)
const lin = { caps: [100, 400], ppg_W: [100, 400], thr_norm: [0.25, 1], profile_gpus: 10 };
const scenario = {
  profiles: { lin },
  jobs: [
    ['A', 'lin', 10, 2],
    ['B', 'lin', 10, 3, { flex_window: 60, uses_dvfs: true }],
  ],
  signal: { event_start: 0, event_end: 60, ramp_duration: 0, target_power: 7000 },
  ramp_step: 5,
  margin_frac: 0,
  gpu_step: 2,
  fair_mode: 'headroom',
};

describe('carbon-sim dr', () => {
  it('prints {plan, throughput} in the issue\'s shape: minutes, W, t1 null for the open segment', () => {
    const r = cli(['dr', put('s.json', scenario), '--policy', 'dvfs-fair', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['plan', 'throughput']);
    expect(out.plan).toEqual([
        { t0: 0, t1: 60, budget: 7000, jobs: { A: { gpus: 10, cap: 366 }, B: { gpus: 10, cap: 333 } }, power: 6990 },
        { t0: 60, t1: null, budget: null, jobs: { A: { gpus: 10, cap: 400 }, B: { gpus: 10, cap: 400 } }, power: 8000 },
      ]);
    expect(out.throughput).toEqual({ A: { event_ratio: 366 / 400, r_min: 0.75 }, B: { event_ratio: expect.closeTo(333 / 400, 15), r_min: 0.5 } });
  });

  it('pausing: gpus 0 for a paused job; the table format', () => {
    const s = { ...scenario, signal: { ...scenario.signal, target_power: '50%' } };
    const out = runDr(put('p.json', s), { policy: 'pausing-greedy', format: 'json' });
    const plan = JSON.parse(out.json).plan as { t0: number; jobs: Record<string, { gpus: number }> }[];
    // shares 1/4 and 1/2: 4 rows of 15 min; B (more flexible) stands still 2 rows, then A 1 row
    expect(plan.map((p) => [p.t0, p.jobs.A!.gpus, p.jobs.B!.gpus])).toEqual([
      [0, 10, 0],
      [15, 10, 0],
      [30, 0, 10],
      [45, 10, 10],
      [60, 10, 10],
    ]);
    const table = runDr(put('p.json', s), { policy: 'pausing-greedy' }).text;
    expect(table).toMatch(/^pausing-greedy: 2 jobs, baseline 8000 W, margin 0 W, 1 event\(s\)/);
    expect(table).toMatch(/paused/);
    expect(table).toMatch(/over target: 15 min \(largest excess 4000 W\)/);
  });

  it('bad input: one line naming file and field, exit 2, nothing written', () => {
    const report = join(dir, 'never.html');
    const cases: [string[], string][] = [
      [['dr', put('b1.json', { ...scenario, jobs: [['A', 'lin', 10, 7]] }), '--report', report], 'b1.json (field "jobs[0][3]"): job "A": unknown flexibility bucket 7'],
      [['dr', put('b2.json', { ...scenario, signal: { ...scenario.signal, ramp_duration: 40 } })], 'b2.json (field "signal.ramp_duration"): ramp 40 min is longer than the event allows'],
      [['dr', put('b3.json', { ...scenario, signal: { ...scenario.signal, target_power: 9000 } })], 'b3.json (field "signal.target_power"): target 9000 W is above the baseline 8000 W'],
      [['dr', put('b4.json', scenario), '--dr', put('e4.json', { events: [{ start: 0, end: 60, ramp: 10, target: '80%' }, { start: 30, end: 90, target: '80%' }] })], 'e4.json (field "events[1].start"): event 1 starts at 30 min, before event 0 ends at 60 min'],
      [['dr', put('b5.json', { ...scenario, jobs: [['A', 'nope', 10, 1]] })], 'b5.json (field "jobs[0][1]"): job "A": unknown profile "nope"'],
      [['dr', put('b6.json', '{"jobs": [')], 'b6.json: not JSON'],
      [['dr', put('b7.json', { ...scenario, extra: 1 })], 'b7.json (field "extra"): unknown field'],
      [['dr', put('b8.json', { ...scenario, jobs: [['A', 'lin', 10, 2, { flex_window: 30 }], scenario.jobs[1]] })], 'b8.json (field "jobs[0][4].flex_window"): job "A": flex window 30 min is shorter than the event'],
      [['dr', put('b9.json', { ...scenario, profiles: { lin: { ...lin, caps: [100, 50] } } })], 'b9.json (field "profiles.lin.caps[1]")'],
      [['dr', put('b10.json', scenario), '--policy', 'nope'], "option '--policy <name>' argument 'nope' is invalid"],
    ];
    for (const [args, line] of cases) {
      const r = cli(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(line);
    }
    expect(existsSync(report)).toBe(false);
  });

  it('--engine: the online policy agrees with the plan; --report draws power against the band and the caps', () => {
    const report = join(dir, 'r.html');
    const r = cli(['dr', put('e.json', scenario), '--policy', 'dvfs-fair', '--format', 'json', '--engine', '--carbon', 'DE-2023', '--start', '2023-06-01T12:00:00Z', '--report', report]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.engine.policy).toBe('dvfs-fair');
    expect(out.engine.max_segment_power_diff_w).toBeLessThan(1e-6);
    expect(out.engine.over_target_min).toBe(0);
    expect(out.engine.jobs.A.event_ratio).toBeCloseTo(0.915, 12);
    expect(out.engine.carbon_g).toBeGreaterThan(0);
    expect(out.engine.actions.map((a: { t: number; job: string; cap: number }) => [a.t, a.job, a.cap])).toEqual([
      [0, 'A', 366],
      [0, 'B', 333],
      [60, 'A', 400],
      [60, 'B', 400],
    ]);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Cluster power: dvfs-fair');
    expect(html).toContain('Per-job GPU power cap');
  });

  it('the bundled SRP scenario: every policy meets every minimum', () => {
    for (const policy of ['dvfs-fair', 'dvfs-pausing-fair', 'pausing-greedy', 'pausing-resize-fair']) {
      const out = JSON.parse(runDr(join(ROOT, 'traces/dr/srp-2025-05-03.json'), { policy, format: 'json' }).json);
      for (const t of Object.values(out.throughput) as { event_ratio: number; r_min: number }[]) expect(t.event_ratio).toBeGreaterThanOrEqual(t.r_min - 1e-12);
    }
  });

  const caiso = sharedData('grid/emerald/CAISO-netdemand-cleaned.csv');
  it.skipIf(caiso.skip)('events from a grid signal: the CAISO net-demand peak of 14 Aug 2020', () => {
    const out = runDr(join(ROOT, 'traces/dr/srp-2025-05-03.json'), { policy: 'dvfs-fair', gridSignal: caiso.path, gridColumn: 'Day-ahead net forecast', gridThreshold: 'p90', gridTarget: '75%', gridRamp: '15m' });
    const ev = out.scenario.timeline.events;
    expect(ev).toHaveLength(1);
    // the top decile of the 5-min day-ahead net forecast: 18:25 to 20:55, with 15-min ramps around it
    expect([ev[0]!.startS / 60, ev[0]!.endS / 60].map((m) => `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`)).toEqual(['18:10', '21:10']);
  });
});
