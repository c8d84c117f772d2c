// A grid of phased jobs for the `lp` scheduler, modelled on the parameter table of the thesis's
// evaluation (Opitz 2024, chapter 5) but NOT that evaluation: other job shapes (work of 1-16 h
// plus the startup; 30/60-min blocks or their averaged constant; no "long high" / "short high"
// patterns), the bundled DE-2024 trace (Electricity Maps data portal, direct values) instead of the
// thesis's life-cycle API export, and the continuous-time oracle as the reference instead of
// GAIA's hourly oracle. The thesis's own evaluation is `carbon-sim bench thesis` (docs/thesis.md).
// On DE-2024 from 2024-07-01 00:00 UTC: work of 1, 2, 4, 8, 16 h; max wait 6, 12, 24, 48, 96 h;
// startup 0, or 300, 600, 1800 s at 100 W or 200 W; work alternating 200 W / 100 W in 30- or
// 60-min blocks, or the averaged constant variant of each (same duration and energy, one phase).
// Jobs save continuously (no checkpoint phase) and arrive at time 0; one slot = the carbon
// resolution (1 h). Prints every lp solve's time (p50, p99, max, total; wall clock and CPU), each
// scheduler's carbon relative to the continuous-time oracle, the plan-space checks, and single
// solves over a 2,000-slot window; `lp grid` is lp restricted to the slot grid (no free instants).
// Run `npx tsup` first; usage: node bench/lp-grid.mjs [--solver dp|highs|jslp]
import {
  chargePlan,
  compileProfile,
  createScheduler,
  loadCarbon,
  loadMilpBackend,
  lpProblem,
  slotBoundaries,
  solveCheckpointResume,
} from '../dist/index.js';

const H = 3600;
const args = process.argv.slice(2);
const solver = args.includes('--solver') ? args[args.indexOf('--solver') + 1] : 'dp';
if (!['dp', 'highs', 'jslp'].includes(solver)) throw new Error(`--solver must be dp, highs or jslp, got ${solver}`);
if (solver !== 'dp') await loadMilpBackend(solver);
// the MILP holds the slot-grid plan space only: with --solver highs|jslp `lp` is `lp grid`
const free = solver === 'dp';

const carbon = loadCarbon('DE-2024', { startMs: Date.UTC(2024, 6, 1) });
const WORK_H = [1, 2, 4, 8, 16];
const MAX_WAIT_H = [6, 12, 24, 48, 96];
const STARTUPS = [
  { label: 'none', duration: 0, power: 0 },
  ...[300, 600, 1800].flatMap((duration) => [100, 200].map((power) => ({ label: `${duration}s@${power}W`, duration, power }))),
];

/** Alternating 200 W / 100 W blocks of `blockMin` minutes filling `hours`. */
function alternating(hours, blockMin) {
  const phases = [];
  for (let t = 0, i = 0; t < hours * 60; t += blockMin, i++) {
    phases.push({ name: i % 2 ? 'Low' : 'High', duration: Math.min(blockMin, hours * 60 - t) * 60, power: i % 2 ? 100 : 200 });
  }
  return phases;
}

/** One constant phase with the same duration and energy. */
function averaged(phases) {
  const duration = phases.reduce((a, p) => a + p.duration, 0);
  const energy = phases.reduce((a, p) => a + p.duration * p.power, 0);
  return [{ name: 'Work', duration, power: energy / duration }];
}

const WORKS = [
  { label: 'alt30', make: (h) => alternating(h, 30) },
  { label: 'alt60', make: (h) => alternating(h, 60) },
  { label: 'avg30', make: (h) => averaged(alternating(h, 30)) },
  { label: 'avg60', make: (h) => averaged(alternating(h, 60)) },
];

function jobOf(id, startup, work, maxWaitS) {
  const profile = compileProfile({ startup: startup.duration > 0 ? [{ name: 'Start', duration: startup.duration, power: startup.power }] : [], work });
  return { id, type: 'phases', arrival: 0, deadline: profile.durationS + maxWaitS, cpus: 1, profile };
}

function contextOf(job) {
  return { now: job.arrival, deadline: job.deadline, carbon, slot: carbon.resolutionS, slotOrigin: carbon.start, rng: () => 0 };
}

/** The best uninterrupted run started on a slot boundary of [arrival, deadline), as the engine charges it. */
function bestGridRun(job, ctx) {
  let best = Infinity;
  for (const s of slotBoundaries(ctx.now, ctx.deadline, ctx.slot, ctx.slotOrigin)) {
    if (s + job.profile.durationS > job.deadline) break;
    best = Math.min(best, chargePlan(job, [[s, s + job.profile.durationS]], carbon).carbonG);
  }
  return best;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const fmt = (x, d = 3) => x.toFixed(d);

const schedulers = ['agnostic', 'waitawhile', 'oracle'].map((name) => [name, createScheduler(name)]);
const rows = [];
const solveMs = [];
const solveCpuMs = [];
const gridMs = [];
let worstReplay = 0;
const t0 = performance.now();
for (const workH of WORK_H) {
  for (const maxWaitH of MAX_WAIT_H) {
    for (const startup of STARTUPS) {
      for (const w of WORKS) {
        const job = jobOf(`${workH}h-${maxWaitH}h-${startup.label}-${w.label}`, startup, w.make(workH), maxWaitH * H);
        const ctx = contextOf(job);
        const row = { job, workH, maxWaitH, startup: startup.label, work: w.label, carbon: {}, missed: {} };
        for (const [name, scheduler] of schedulers) {
          const plan = scheduler.plan(job, ctx);
          const charged = chargePlan(job, plan.intervals, carbon);
          row.carbon[name] = charged.carbonG;
          row.missed[name] = charged.execution.finish > job.deadline + 1e-7;
        }
        const problem = lpProblem(job, ctx, Infinity, free);
        const c0 = process.cpuUsage();
        const s0 = performance.now();
        const solution = solveCheckpointResume(problem, { solver });
        solveMs.push(performance.now() - s0);
        const c1 = process.cpuUsage(c0);
        solveCpuMs.push((c1.user + c1.system) / 1000);
        const g0 = performance.now();
        row.carbon['lp grid'] = solveCheckpointResume(lpProblem(job, ctx, Infinity, false), { solver }).emissionsG;
        gridMs.push(performance.now() - g0);
        const charged = chargePlan(job, solution.intervals, carbon);
        worstReplay = Math.max(worstReplay, Math.abs(charged.carbonG - solution.emissionsG) / solution.emissionsG);
        row.carbon.lp = charged.carbonG;
        row.missed.lp = charged.execution.finish > job.deadline + 1e-7;
        row.starts = solution.starts;
        row.carbon['grid-run'] = bestGridRun(job, ctx);
        row.carbon['lp K=1'] = solveCheckpointResume(lpProblem(job, ctx, 1, free), { solver }).emissionsG;
        rows.push(row);
      }
    }
  }
}
const wholeMs = performance.now() - t0;

const distribution = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const total = xs.reduce((a, b) => a + b, 0);
  return `p50 ${fmt(quantile(sorted, 0.5))} ms, p90 ${fmt(quantile(sorted, 0.9))} ms, p99 ${fmt(quantile(sorted, 0.99))} ms, max ${fmt(sorted[sorted.length - 1])} ms, total ${fmt(total, 1)} ms`;
};
console.log(`# lp on a phased-job grid (not the thesis's evaluation: bench thesis): DE-2024 from 2024-07-01 00:00 UTC, ${rows.length} jobs, slot ${carbon.resolutionS} s, solver ${solver}`);
console.log(`lp solves (wall): ${distribution(solveMs)}`);
console.log(`lp solves (CPU):  ${distribution(solveCpuMs)}`);
console.log(`lp solves on the slot grid only (wall): ${distribution(gridMs)}`);
console.log(`whole grid with all schedulers and checks: ${fmt(wholeMs / 1000, 2)} s`);

const NAMES = ['agnostic', 'waitawhile', 'grid-run', 'lp grid', 'lp', 'oracle'];
const ratio = (subset, name) => subset.reduce((a, r) => a + r.carbon[name], 0) / subset.reduce((a, r) => a + r.carbon.oracle, 0);
const table = (title, key, values) => {
  console.log(`\n## carbon relative to oracle (sum over jobs), by ${title}`);
  console.log(`| ${title} | ${NAMES.join(' | ')} | waitawhile missed |`);
  console.log(`|${' --- |'.repeat(NAMES.length + 2)}`);
  for (const v of values) {
    const subset = rows.filter((r) => r[key] === v);
    console.log(`| ${v} | ${NAMES.map((n) => fmt(ratio(subset, n))).join(' | ')} | ${subset.filter((r) => r.missed.waitawhile).length}/${subset.length} |`);
  }
  console.log(`| all | ${NAMES.map((n) => fmt(ratio(rows, n))).join(' | ')} | ${rows.filter((r) => r.missed.waitawhile).length}/${rows.length} |`);
};
table('startup', 'startup', STARTUPS.map((s) => s.label));
table('max wait (h)', 'maxWaitH', MAX_WAIT_H);
table('work (h)', 'workH', WORK_H);

const rel = (a, b) => (a - b) / b;
const above = (name) => rows.filter((r) => !r.missed[name] && rel(r.carbon.lp, r.carbon[name]) > 1e-9);
console.log('\n## checks');
console.log(`lp plans replayed through the engine vs the solver's objective: worst relative difference ${worstReplay.toExponential(2)}`);
console.log(`lp missed deadlines: ${rows.filter((r) => r.missed.lp).length}; lp plans with more than one interval: ${rows.filter((r) => r.starts > 1).length}`);
for (const name of ['oracle', 'waitawhile', 'grid-run', 'lp grid']) {
  const a = above(name);
  const met = rows.filter((r) => !r.missed[name]).length;
  console.log(`lp above ${name} where it met the deadline: ${a.length} of ${met}${a.length ? ` (${a.map((r) => r.job.id).join(', ')})` : ''}`);
}
console.log(`lp below lp grid (a free instant pays): ${rows.filter((r) => rel(r.carbon.lp, r.carbon['lp grid']) < -1e-9).length}; below the oracle: ${rows.filter((r) => rel(r.carbon.lp, r.carbon.oracle) < -1e-9).length}`);
const single = free ? 'oracle' : 'grid-run'; // the best uninterrupted run in lp's plan space
console.log(`lp with --max-starts 1 differing from the ${single} (both the best uninterrupted run ${free ? 'in continuous time' : 'started on the grid'}): ${rows.filter((r) => Math.abs(rel(r.carbon['lp K=1'], r.carbon[single])) > 1e-9).length}`);

console.log('\n## single solves over a 2,000-slot window (median of 7 after warm-up)');
if (solver !== 'dp') console.log(`skipped for ${solver}: a MILP over 2,000 slots takes minutes (the grid above shows the scale)`);
for (const [label, startup, work] of solver !== 'dp' ? [] : [
  ['16 h alt30, startup 300 s', STARTUPS[1], WORKS[0].make(16)],
  ['16 h alt60, startup 1800 s', STARTUPS[5], WORKS[1].make(16)],
  ['16 h avg30, startup 600 s', STARTUPS[3], WORKS[2].make(16)],
  ['4 h alt30, no startup', STARTUPS[0], WORKS[0].make(4)],
]) {
  const job = jobOf(label, startup, work, 2000 * H - compileProfile({ startup: [], work }).durationS - startup.duration);
  const problem = lpProblem(job, contextOf(job), Infinity, free);
  solveCheckpointResume(problem, { solver });
  const times = [];
  let solution;
  for (let r = 0; r < 7; r++) {
    const s0 = performance.now();
    solution = solveCheckpointResume(problem, { solver });
    times.push(performance.now() - s0);
  }
  times.sort((a, b) => a - b);
  console.log(`${label}: ${problem.boundaries.length - 1} slots, ${fmt(times[3], 1)} ms (min ${fmt(times[0], 1)}), ${solution.starts} interval(s), ${fmt(solution.emissionsG)} g`);
}
