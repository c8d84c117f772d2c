#!/usr/bin/env node
// MILP against MILP on the lp scheduler's checkpoint-resume problems: HiGHS (wasm, in process) and
// CBC (the `cbc` program, Debian package coinor-cbc, through an LP file) solve the same 0/1 network
// model (networkMilp), next to the dynamic program (`dp`, exact, not a MILP) on the same problems.
// The cases: constant jobs (the averaged variants of bench/lp-grid.mjs) of 1, 2, 4, 8, 16 h work, max
// wait 6, 12, 24, 48, 96 h, startup none, 600 s at 100 W or 1800 s at 200 W: 75 problems, DE-2024
// from 2024-07-01 00:00 UTC, hourly slots, arrival at 0, runs on the slot grid (`lp grid`, no free
// instants). CBC is skipped when `cbc` is not on PATH.
// Run `npx tsup` first; usage: node bench/milp-compare.mjs [--reps 3]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lib from '../dist/index.js';

const H = 3600;
const JOULES_PER_KWH = 3.6e6;
const reps = Number(process.argv.includes('--reps') ? process.argv[process.argv.indexOf('--reps') + 1] : 3);
const carbon = lib.loadCarbon('DE-2024', { startMs: Date.UTC(2024, 6, 1) });
const highs = await lib.loadMilpBackend('highs');
const hasCbc = spawnSync('cbc', ['-quit'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-milp-'));

/** The model as a CPLEX LP file (what CBC reads): min c'x, rows from the CSC matrix, x binary. */
function lpFile(model) {
  const rows = Array.from({ length: model.numRows }, () => []);
  const { starts, indices, values } = model.matrix;
  for (let c = 0; c < model.numCols; c++) for (let k = starts[c]; k < starts[c + 1]; k++) rows[indices[k]].push(`${values[k] >= 0 ? '+' : '-'} ${Math.abs(values[k])} x${c}`);
  const out = ['Minimize', ` obj: ${Array.from(model.colCost, (v, c) => `${v >= 0 ? '+' : '-'} ${Math.abs(v)} x${c}`).join(' ')}`, 'Subject To'];
  rows.forEach((terms, r) => {
    if (terms.length === 0) return;
    const lo = model.rowLower[r];
    const hi = model.rowUpper[r];
    if (lo === hi) out.push(` r${r}: ${terms.join(' ')} = ${lo}`);
    else {
      if (lo !== -Infinity) out.push(` l${r}: ${terms.join(' ')} >= ${lo}`);
      if (hi !== Infinity) out.push(` u${r}: ${terms.join(' ')} <= ${hi}`);
    }
  });
  out.push('Binary');
  for (let c = 0; c < model.numCols; c++) out.push(` x${c}`);
  out.push('End', '');
  return out.join('\n');
}

/** CBC on the model: wall ms of the process, CBC's own seconds, objective and the 0/1 solution. */
function cbc(model, id) {
  const lp = join(dir, 'model.lp');
  const sol = join(dir, 'model.sol');
  writeFileSync(lp, lpFile(model));
  const t0 = performance.now();
  const r = spawnSync('cbc', [lp, 'ratioGap', '0', 'allowableGap', '0', 'seconds', '60', 'solve', 'solution', sol], { encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`cbc failed on ${id}: ${r.stderr || r.stdout}`);
  const own = /Total time \(CPU seconds\):\s*([\d.]+)\s*\(Wallclock seconds\):\s*([\d.]+)/.exec(r.stdout);
  const text = readFileSync(sol, 'utf8').split('\n');
  if (!/^Optimal/.test(text[0])) throw new Error(`cbc on ${id}: ${text[0]}\n${r.stdout.split('\n').slice(-12).join('\n')}`);
  const objective = Number(/objective value\s+(\S+)/.exec(text[0])[1]);
  const x = new Float64Array(model.numCols);
  for (const line of text.slice(1)) {
    const m = /^\s*\d+\s+x(\d+)\s+(\S+)/.exec(line);
    if (m) x[Number(m[1])] = Number(m[2]);
  }
  return { wall, cpu: own ? Number(own[1]) * 1000 : NaN, objective, x };
}

const min = (f) => {
  let best;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const value = f();
    const ms = performance.now() - t0;
    if (!best || ms < best.ms) best = { ms, value };
  }
  return best;
};

const rows = [];
for (const workH of [1, 2, 4, 8, 16]) {
  for (const waitH of [6, 12, 24, 48, 96]) {
    for (const startup of [{ d: 0, p: 0 }, { d: 600, p: 100 }, { d: 1800, p: 200 }]) {
      // the averaged constant of alternating 200 W / 100 W blocks: 150 W over the work
      const profile = lib.compileProfile({ startup: startup.d > 0 ? [{ name: 'Start', duration: startup.d, power: startup.p }] : [], work: [{ name: 'Work', duration: workH * H, power: 150 }] });
      const job = { id: `${workH}h-${waitH}h-${startup.d}s`, type: 'phases', arrival: 0, deadline: profile.durationS + waitH * H, cpus: 1, profile };
      const ctx = { now: 0, deadline: job.deadline, carbon, slot: carbon.resolutionS, slotOrigin: carbon.start, rng: () => 0 };
      // on the slot grid (no free instants): the free-instant network of the lp scheduler's default is
      // 10-100x larger, and CBC does not prove an optimum on the bigger ones within a minute
      const problem = lib.lpProblem(job, ctx, Infinity, false);
      const dp = min(() => lib.solveCheckpointResume(problem, { solver: 'dp' }));
      const net = lib.buildIntervalNetwork(problem);
      let scale = 0;
      for (const c of net.cost) scale = Math.max(scale, c);
      scale = scale > 0 ? scale / 1000 : 1;
      const model = lib.networkMilp(net, scale);
      const h = min(() => highs.solve(model, { timeLimitS: 60 }));
      if (h.value.status !== 'optimal') throw new Error(`${job.id}: HiGHS ${h.value.status}`);
      const row = { id: job.id, cols: model.numCols, dpMs: dp.ms, highsMs: h.ms, dpG: dp.value.emissionsG, highsG: lib.planFromArcs(net, h.value.x).cost / JOULES_PER_KWH };
      if (hasCbc) {
        let c;
        for (let r = 0; r < reps; r++) {
          const one = cbc(model, job.id);
          if (!c || one.wall < c.wall) c = one;
        }
        row.cbcMs = c.wall;
        row.cbcOwnMs = c.cpu;
        row.cbcG = lib.planFromArcs(net, c.x).cost / JOULES_PER_KWH;
        row.objectiveGap = Math.abs(c.objective - h.value.objective) / Math.max(1, Math.abs(h.value.objective));
      }
      rows.push(row);
    }
  }
}
rmSync(dir, { recursive: true, force: true });

const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)];
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const line = (name, xs) => console.log(`  ${name.padEnd(44)} p50 ${q(xs, 0.5).toFixed(3).padStart(9)}  p90 ${q(xs, 0.9).toFixed(3).padStart(9)}  max ${Math.max(...xs).toFixed(3).padStart(9)}  total ${sum(xs).toFixed(1).padStart(8)} ms`);
console.log(`# MILP vs MILP: ${rows.length} constant-job problems (DE-2024 from 2024-07-01, hourly slots), ${rows[0].cols}-${Math.max(...rows.map((r) => r.cols))} binary columns; min of ${reps} per problem; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
line('dp (dynamic program, exact; not a MILP)', rows.map((r) => r.dpMs));
line('HiGHS (wasm, in process) on the MILP', rows.map((r) => r.highsMs));
if (hasCbc) {
  line('CBC, process wall (LP file read, solve, write)', rows.map((r) => r.cbcMs));
  line("CBC, its own reported CPU time", rows.map((r) => r.cbcOwnMs));
  console.log(`  HiGHS total / CBC total (process wall): ${(sum(rows.map((r) => r.highsMs)) / sum(rows.map((r) => r.cbcMs))).toFixed(2)}`);
  console.log(`  largest objective difference HiGHS vs CBC (relative): ${Math.max(...rows.map((r) => r.objectiveGap)).toExponential(2)}`);
} else console.log('  CBC: `cbc` is not on PATH (Debian: apt-get install coinor-cbc): skipped');
const worst = Math.max(...rows.map((r) => Math.max(Math.abs(r.highsG - r.dpG), hasCbc ? Math.abs(r.cbcG - r.dpG) : 0) / r.dpG));
console.log(`  plans: worst relative emissions difference of the MILP optima from the dp optimum: ${worst.toExponential(2)}`);
