// The `lp` scheduler: registered, charged by the engine exactly what its solver reported, never
// worse than the plans its plan space contains (waitawhile's grid-aligned plans, uninterrupted runs
// started on the grid), and reachable from the CLI with --solver and --max-starts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import {
  CarbonSignal,
  chargePlan,
  compileProfile,
  createScheduler,
  InputError,
  loadCarbon,
  lpProblem,
  lpScheduler,
  maxWaitRule,
  parseWorkload,
  runWorkload,
  schedulerNames,
  simulate,
  slotBoundaries,
  solveByDp,
  TIME_EPS_S,
  toJobs,
  type Job,
  type Phase,
  type PlanContext,
  type PowerProfile,
} from '../src/index.js';
import { cli, ROOT } from './helpers.js';

const H = 3600;
const close = (a: number, b: number, rel = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.abs(b));
const JULY = loadCarbon('DE-2024', { startMs: Date.UTC(2024, 6, 1) });
const ROBERTA_FILE = join(ROOT, 'traces/workloads/roberta.csv');
const [ROBERTA] = toJobs(parseWorkload(readFileSync(ROBERTA_FILE, 'utf8'), { file: ROBERTA_FILE }), maxWaitRule(24 * H)) as [Job];

function jobOf(id: string, profile: PowerProfile, arrival: number, maxWaitS: number): Job {
  const compiled = compileProfile(profile);
  return { id, type: 'phases', arrival, deadline: arrival + compiled.durationS + maxWaitS, cpus: 1, profile: compiled };
}

function contextOf(job: Job, carbon: CarbonSignal): PlanContext {
  return { now: job.arrival, deadline: job.deadline, carbon, slot: carbon.resolutionS, slotOrigin: carbon.start, rng: () => 0 };
}

/** The best uninterrupted run started on a slot boundary, as the engine charges it. */
function bestGridRun(job: Job, ctx: PlanContext): number {
  let best = Infinity;
  for (const s of slotBoundaries(ctx.now, ctx.deadline, ctx.slot, ctx.slotOrigin)) {
    if (s + job.profile.durationS > job.deadline) break;
    best = Math.min(best, chargePlan(job, [[s, s + job.profile.durationS]], ctx.carbon).carbonG);
  }
  return best;
}

const alternating = (hours: number, blockMin: number): Phase[] =>
  Array.from({ length: (hours * 60) / blockMin }, (_, i) => ({ name: 'Block', duration: blockMin * 60, power: i % 2 ? 100 : 200 }));

describe('lp in the registry', () => {
  it('is registered and reads only --solver and --max-starts', () => {
    expect(schedulerNames()).toContain('lp');
    expect(createScheduler('lp').name).toBe('lp');
    expect(() => createScheduler('oracle', { solver: 'dp' })).toThrow(/--solver does not apply to scheduler "oracle"/);
    expect(() => createScheduler('waitawhile', { maxStarts: 2 })).toThrow(/--max-starts does not apply/);
  });

  it('rejects a cap that is not a positive integer, naming the option', () => {
    for (const bad of [0, -1, 1.5, NaN]) {
      const err = (() => {
        try {
          createScheduler('lp', { maxStarts: bad });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).field).toBe('max-starts');
    }
  });

  it('needs a MILP back-end loaded before it plans with one', () => {
    expect(() => lpScheduler({ solver: 'jslp' })).toThrow(/not loaded/);
  });
});

describe('lp plans, replayed through the engine, cost what the solver reported', () => {
  it('on 60 random phased jobs with startups and checkpoints simulated on DE-2024', () => {
    const rng = seedrandom('lp-replay');
    const jobs: Job[] = [];
    for (let i = 0; i < 60; i++) {
      const startup: Phase[] = [{ name: 'Start', duration: [300, 600, 1800, 5400][i % 4]!, power: 50 + Math.round(rng() * 150) }];
      const work: Phase[] =
        i % 3 === 0
          ? alternating(1 + (i % 5), 30)
          : Array.from({ length: 2 + (i % 6) }, () => [
              { name: 'Train', duration: 600 + Math.round(rng() * 3000), power: 220 },
              { name: 'Save', duration: 120, power: 100, isCheckpoint: true },
            ]).flat();
      jobs.push(jobOf(`j${i}`, { startup, work }, Math.round(rng() * 20 * 24 * H), [6, 12, 24, 48, 96][i % 5]! * H));
    }
    const sim = simulate(jobs, { scheduler: createScheduler('lp'), carbon: JULY });
    let interrupted = 0;
    for (const r of sim.results) {
      const solution = solveByDp(lpProblem(r.job, contextOf(r.job, JULY)))!;
      close(r.carbonG, solution.emissionsG);
      expect(r.missed).toBe(false);
      expect(r.plan.intervals).toEqual(solution.intervals);
      if (r.execution.starts > 1) interrupted++;
    }
    expect(interrupted).toBeGreaterThanOrEqual(3);
  });
});

describe('lp is never worse than the plans its plan space contains', () => {
  const waitawhile = createScheduler('waitawhile');
  const lp = createScheduler('lp');
  const oracle = createScheduler('oracle');
  const OTHERS = ['oracle', 'waitawhile', 'lowest-window', 'lowest-slot', 'carbon-time'] as const;

  /** Whether every interval but the last ends on a slot boundary (the grid plan space, no free instant). */
  const onGrid = (intervals: readonly (readonly [number, number])[], boundaries: Float64Array): boolean =>
    intervals.slice(0, -1).every(([, e]) => boundaries.some((b) => Math.abs(b - e) <= TIME_EPS_S));

  const compare = (job: Job, carbon = JULY) => {
    const ctx = contextOf(job, carbon);
    const lpG = chargePlan(job, lp.plan(job, ctx).intervals, carbon).carbonG;
    const w = chargePlan(job, waitawhile.plan(job, ctx).intervals, carbon);
    return {
      lpG,
      gridG: bestGridRun(job, ctx),
      oracleG: chargePlan(job, oracle.plan(job, ctx).intervals, carbon).carbonG,
      wawG: w.carbonG,
      wawMet: w.execution.finish <= job.deadline + TIME_EPS_S,
      wawOnGrid: onGrid(w.execution.intervals, slotBoundaries(ctx.now, ctx.deadline, ctx.slot, ctx.slotOrigin)),
      wawStarts: w.execution.starts,
    };
  };

  it('the RoBERTa job (thesis listing 4.9): at or below the oracle, every grid-aligned run and waitawhile whenever it meets the deadline', () => {
    let compared = 0;
    let cases = 0;
    for (const maxWaitH of [6, 12, 24, 48, 96]) {
      for (let arrival = 0; arrival < 14 * 24 * H; arrival += 5 * H + 1234) {
        const job = { ...ROBERTA, arrival, deadline: arrival + ROBERTA.profile.durationS + maxWaitH * H };
        const c = compare(job);
        cases++;
        expect(c.lpG).toBeLessThanOrEqual(c.gridG * (1 + 1e-9));
        expect(c.lpG).toBeLessThanOrEqual(c.oracleG * (1 + 1e-9));
        // A last slot shorter than the job makes waitawhile split it, restart and overrun the deadline.
        if (!c.wawMet) continue;
        expect(c.lpG).toBeLessThanOrEqual(c.wawG * (1 + 1e-9));
        compared++;
      }
    }
    expect(cases).toBe(315);
    expect(compared).toBeGreaterThan(300);
  });

  it('jobs with 300-1800 s startups: at or below the oracle and waitawhile whenever it meets the deadline, its plan on the grid or not', () => {
    let onGridMultiStart = 0;
    let offGrid = 0;
    let cases = 0;
    for (const workH of [1, 2, 4, 8]) {
      for (const [startupS, powerW] of [300, 600, 1800].flatMap((s) => [100, 200].map((p) => [s, p] as const))) {
        for (const work of [alternating(workH, 30), [{ name: 'Work', duration: workH * H, power: 150 }]]) {
          for (const maxWaitH of [6, 24, 48]) {
            for (const arrival of [0, 3 * 24 * H + 7 * H, 9 * 24 * H + 13 * H]) {
              const job = jobOf('s', { startup: [{ name: 'Start', duration: startupS, power: powerW }], work }, arrival, maxWaitH * H);
              const c = compare(job);
              cases++;
              expect(c.lpG).toBeLessThanOrEqual(c.gridG * (1 + 1e-9));
              expect(c.lpG).toBeLessThanOrEqual(c.oracleG * (1 + 1e-9));
              if (!c.wawMet) continue;
              expect(c.lpG).toBeLessThanOrEqual(c.wawG * (1 + 1e-9));
              if (!c.wawOnGrid) offGrid++;
              else if (c.wawStarts > 1) onGridMultiStart++;
            }
          }
        }
      }
    }
    expect(cases).toBe(432);
    expect(onGridMultiStart).toBeGreaterThan(20); // the comparison is not vacuous
    expect(offGrid).toBeGreaterThan(5); // nor is the free instant's part of it
  });

  it('the former counterexample: waitawhile stops five minutes into a slot; lp now matches or beats it', () => {
    // 16 h of work at 150 W after a 300 s startup at 100 W, 48 h of wait, from 2024-07-01 (bench/lp-grid.mjs)
    const job = jobOf('x', { startup: [{ name: 'Start', duration: 300, power: 100 }], work: [{ name: 'Work', duration: 16 * H, power: 150 }] }, 0, 48 * H);
    const c = compare(job);
    expect(c.wawMet).toBe(true);
    expect(c.wawOnGrid).toBe(false);
    const plan = waitawhile.plan(job, contextOf(job, JULY)).intervals;
    expect(plan[0]).toEqual([9 * H, 15 * H + 300]); // five minutes into the slot [15 h, 16 h)
    expect(c.lpG).toBeLessThanOrEqual(c.wawG * (1 + 1e-9));
    const grid = solveByDp(lpProblem(job, contextOf(job, JULY), Infinity, false))!.emissionsG;
    expect(grid).toBeGreaterThan(c.wawG); // on the grid alone lp could not (0.027 % more)
  });

  it('property: at or below oracle, waitawhile, lowest-window, lowest-slot and carbon-time on 400 random jobs wherever they meet the deadline', () => {
    const rng = seedrandom('lp-dominates');
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
    const schedulers = Object.fromEntries(OTHERS.map((n) => [n, createScheduler(n)]));
    const carbons = [JULY, loadCarbon('GB-2023')];
    let compared = 0;
    let wawInterruptedMet = 0;
    let belowGrid = 0;
    let belowOracle = 0;
    for (let i = 0; i < 400; i++) {
      const startup: Phase[] = [];
      const su = pick([0, 0, 300, 600, 1800, 1234, 5400]);
      if (su > 0) startup.push({ name: 'Start', duration: su, power: pick([50, 100, 200]) });
      if (su > 0 && rng() < 0.3) startup.push({ name: 'Load', duration: pick([120, 700]), power: pick([20, 300]) });
      const shape = pick(['constant', 'alternating', 'epochs', 'random']);
      const workH = pick([0.5, 1, 2, 3.7, 6, 9]);
      let work: Phase[];
      if (shape === 'constant') work = [{ name: 'Work', duration: Math.round(workH * H), power: pick([100, 150, 250]) }];
      else if (shape === 'alternating') work = alternating(Math.max(1, Math.round(workH)), pick([30, 60]));
      else if (shape === 'epochs')
        work = Array.from({ length: Math.max(1, Math.round(workH * 2)) }, () => [
          { name: 'Train', duration: 1500, power: 220 },
          { name: 'Save', duration: 300, power: 100, isCheckpoint: true },
        ]).flat();
      else work = Array.from({ length: 1 + Math.floor(rng() * 6) }, () => ({ name: 'P', duration: 300 + Math.round(rng() * 5000), power: pick([80, 160, 320]) }));
      const carbon = pick(carbons);
      const arrival = Math.floor(rng() * 20 * 24) * H + (rng() < 0.5 ? Math.round(rng() * H) : 0);
      const job = jobOf(`r${i}`, { startup, work }, carbon.start + arrival, pick([0, 2, 6, 12, 24, 48]) * H + (rng() < 0.3 ? Math.round(rng() * H) : 0));
      const ctx = contextOf(job, carbon);
      const lpG = chargePlan(job, lp.plan(job, ctx).intervals, carbon).carbonG;
      for (const name of OTHERS) {
        const other = chargePlan(job, schedulers[name]!.plan(job, ctx).intervals, carbon);
        if (other.execution.finish > job.deadline + TIME_EPS_S) continue;
        expect(lpG, `${job.id} vs ${name}`).toBeLessThanOrEqual(other.carbonG * (1 + 1e-9));
        compared++;
        if (name === 'waitawhile' && other.execution.starts > 1) wawInterruptedMet++;
        if (name === 'oracle' && lpG < other.carbonG * (1 - 1e-9)) belowOracle++;
      }
      if (lpG < bestGridRun(job, ctx) * (1 - 1e-9)) belowGrid++;
    }
    expect(compared).toBeGreaterThan(1500);
    expect(wawInterruptedMet).toBeGreaterThan(40);
    expect(belowOracle).toBeGreaterThan(30);
    expect(belowGrid).toBeGreaterThan(100);
  });
});

describe('lp on pai_1k dominates oracle, waitawhile and lowest-window job by job', () => {
  it('DE-2023 and GB-2023, waits 6 h and 24 h', async () => {
    const workload = join(ROOT, 'traces/workloads/pai_1k.csv');
    for (const carbon of ['DE-2023', 'GB-2023']) {
      for (const waitH of [6, 24]) {
        const run = (scheduler: string) => runWorkload({ workload, carbon, scheduler, deadlineRule: maxWaitRule(waitH * H), events: false });
        const lpJobs = (await run('lp')).jobs;
        for (const name of ['oracle', 'waitawhile', 'lowest-window']) {
          const { jobs } = await run(name);
          let met = 0;
          const above: string[] = [];
          jobs.forEach((j, i) => {
            if (j.finish > j.deadline + TIME_EPS_S) return;
            met++;
            if (lpJobs[i]!.carbon_g > j.carbon_g * (1 + 1e-9)) above.push(j.id);
          });
          expect(above, `${carbon} ${waitH} h: lp above ${name}`).toEqual([]);
          expect(met).toBe(1000);
        }
      }
    }
  });
});

describe('lp falls back and follows the forecast view', () => {
  it('runs uninterrupted at arrival when even that misses the deadline', () => {
    const job = { ...ROBERTA, deadline: ROBERTA.arrival + ROBERTA.profile.durationS - 1 };
    const plan = createScheduler('lp').plan(job, contextOf(job, JULY));
    expect(plan).toEqual({ intervals: [[job.arrival, job.arrival + job.profile.durationS]] });
  });

  it('plans against the view; the engine charges the actual signal', () => {
    const times = Float64Array.from({ length: 6 }, (_, i) => i * H);
    const actual = new CarbonSignal({ times, values: Float64Array.from([300, 100, 300, 300, 300, 300]) });
    const view = actual.withValues(Float64Array.from([300, 300, 300, 100, 300, 300]), { name: 'forecast' });
    const job = jobOf('f', { startup: [], work: [{ name: 'Work', duration: H, power: 1000 }] }, 0, 4 * H);
    const [r] = simulate([job], { scheduler: createScheduler('lp'), carbon: actual, view }).results;
    expect(r!.plan.intervals).toEqual([[3 * H, 4 * H]]);
    close(r!.carbonG, 300);
  });
});

describe('lp from runWorkload and the CLI', () => {
  it('runWorkload loads a MILP back-end lazily; it solves the slot-grid plan space, exactly as the DP does there', async () => {
    const base = { workload: ROBERTA_FILE, carbon: 'DE-2024', start: '2024-07-01T00:00:00Z', scheduler: 'lp', events: false };
    const dp = await runWorkload(base);
    const jslp = await runWorkload({ ...base, solver: 'jslp' });
    expect(jslp.jobs.length).toBe(dp.jobs.length);
    jslp.simulation.results.forEach((r, i) => {
      // each job costs what the DP's optimum on the grid costs; the DP with free instants is at or below
      const ctx = { now: r.job.arrival, deadline: r.job.deadline, carbon: jslp.view, slot: jslp.view.resolutionS, slotOrigin: jslp.view.start, rng: () => 0 };
      close(r.carbonG, solveByDp(lpProblem(r.job, ctx, Infinity, false))!.emissionsG);
      expect(dp.jobs[i]!.carbon_g).toBeLessThanOrEqual(r.carbonG * (1 + 1e-9));
    });
  });

  it('carbon-sim run --scheduler lp with each solver and a cap', () => {
    const run = (...extra: string[]) => cli(['run', 'traces/workloads/roberta.csv', '--carbon', 'DE-2024', '--start', '2024-07-01T00:00:00Z', '--scheduler', 'lp', '--format', 'json', ...extra]);
    const outs = [run(), run('--solver', 'highs'), run('--solver', 'jslp'), run('--max-starts', '1')];
    for (const o of outs) expect(o.code, o.stderr).toBe(0);
    const [dp, highs, jslp, oneStart] = outs.map((o) => JSON.parse(o.stdout).summary.carbon_g as number) as [number, number, number, number];
    close(jslp, highs); // both MILPs: the slot-grid plan space
    expect(dp).toBeLessThanOrEqual(highs * (1 + 1e-9)); // the DP's free instants can only help
    expect(dp).toBeLessThanOrEqual(oneStart * (1 + 1e-9));
    const carbons = [dp];
    const waw = cli(['run', 'traces/workloads/roberta.csv', '--carbon', 'DE-2024', '--start', '2024-07-01T00:00:00Z', '--scheduler', 'waitawhile', '--format', 'json']);
    expect(carbons[0]!).toBeLessThanOrEqual(JSON.parse(waw.stdout).summary.carbon_g * (1 + 1e-12));
  });

  it('bad --max-starts and --solver are one line on stderr and exit code 2', () => {
    const bad = [
      ['--scheduler', 'lp', '--max-starts', '0'],
      ['--scheduler', 'lp', '--max-starts', '2.5'],
      ['--scheduler', 'lp', '--solver', 'gurobi'],
      ['--scheduler', 'oracle', '--solver', 'highs'],
    ];
    for (const args of bad) {
      const o = cli(['run', 'traces/workloads/roberta.csv', '--carbon', 'DE-2024', ...args]);
      expect(o.code).toBe(2);
      expect(o.stdout).toBe('');
      expect(o.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
