#!/usr/bin/env node
// Performance figures of carbon-sim, measured against the built package (run `npx tsup` first):
//   1. the event engine against a bare binary-heap loop over the same events (events/s, ratio);
//   2. checkpoint-resume solver times per job (dp, highs, jslp) for the thesis's ML jobs;
//   3. time and peak memory of whole runs of 10k, 100k and 1M jobs resampled (seed 1) from the
//      pai-100k distribution (../shared/data/workloads/gaia/pai-100k.csv, hours), each run in its
//      own process so that its peak RSS is its own.
// Usage: node bench/perf.mjs [--only engine,solvers,scaling] [--sizes 10000,100000,1000000]
//                            [--schedulers agnostic,oracle,waitawhile] [--lp-max-jobs 10000]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';

const here = dirname(fileURLToPath(import.meta.url));
const lib = await import(join(here, '..', 'dist', 'index.js')).catch(() => {
  console.error('dist/index.js not found: build first (npx tsup)');
  process.exit(1);
});

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await main();

async function main() {
  const only = new Set(option('only', 'engine,solvers,scaling').split(','));
  console.log(`carbon-sim perf | node ${process.version} | ${process.platform} ${process.arch}\n`);
  if (only.has('engine')) engine();
  if (only.has('solvers')) await solvers();
  if (only.has('scaling')) scaling();
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * Median seconds per case over `reps` rounds after one warm-up round. Rounds interleave the cases,
 * so load from other processes on a shared machine falls on all of them alike.
 */
function timeCases(cases, reps = 7) {
  const names = Object.keys(cases);
  const ts = Object.fromEntries(names.map((n) => [n, []]));
  const results = {};
  for (let r = -1; r < reps; r++) {
    for (const n of names) {
      const t0 = performance.now();
      results[n] = cases[n]();
      if (r >= 0) ts[n].push((performance.now() - t0) / 1000);
    }
  }
  return { times: Object.fromEntries(names.map((n) => [n, median(ts[n])])), results };
}

// ---------------------------------------------------------------- 1. engine vs bare heap

/**
 * Bare loops: a minimal binary min-heap on typed arrays, no clock, no event slots. `tieBreak`: keyed on
 * (time, push sequence) like EventQueue, so equal times pop in push order (like with like); without it,
 * on time alone (equal times pop in whatever order the heap's shape gives: not the engine's contract).
 */
function bareHeap(capacity, tieBreak) {
  const times = new Float64Array(capacity);
  const seqs = new Float64Array(capacity);
  const payloads = new Int32Array(capacity);
  let n = 0;
  let nextSeq = 0;
  if (!tieBreak) {
    return {
      size: () => n,
      push(t, p) {
        let i = n++;
        while (i > 0) {
          const parent = (i - 1) >> 1;
          if (times[parent] <= t) break;
          times[i] = times[parent];
          payloads[i] = payloads[parent];
          i = parent;
        }
        times[i] = t;
        payloads[i] = p;
      },
      pop() {
        const top = payloads[0];
        const m = --n;
        const t = times[m];
        const p = payloads[m];
        let i = 0;
        const half = m >> 1;
        while (i < half) {
          let c = 2 * i + 1;
          if (c + 1 < m && times[c + 1] < times[c]) c++;
          if (t <= times[c]) break;
          times[i] = times[c];
          payloads[i] = payloads[c];
          i = c;
        }
        times[i] = t;
        payloads[i] = p;
        return top;
      },
      peek: () => times[0],
    };
  }
  return {
    size: () => n,
    push(t, p) {
      const q = nextSeq++;
      let i = n++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const pt = times[parent];
        if (pt < t || (pt === t && seqs[parent] < q)) break;
        times[i] = pt;
        seqs[i] = seqs[parent];
        payloads[i] = payloads[parent];
        i = parent;
      }
      times[i] = t;
      seqs[i] = q;
      payloads[i] = p;
    },
    pop() {
      const top = payloads[0];
      const m = --n;
      const t = times[m];
      const q = seqs[m];
      const p = payloads[m];
      let i = 0;
      const half = m >> 1;
      while (i < half) {
        let c = 2 * i + 1;
        if (c + 1 < m && (times[c + 1] < times[c] || (times[c + 1] === times[c] && seqs[c + 1] < seqs[c]))) c++;
        const ct = times[c];
        if (t < ct || (t === ct && q < seqs[c])) break;
        times[i] = ct;
        seqs[i] = seqs[c];
        payloads[i] = payloads[c];
        i = c;
      }
      times[i] = t;
      seqs[i] = q;
      payloads[i] = p;
      return top;
    },
    peek: () => times[0],
  };
}

/** An order-sensitive checksum of the popped payloads: equal only for the same pop order. */
function mix(h, p) {
  return (Math.imul(h, 31) + p) | 0;
}

function engine() {
  const N = 1_000_000;
  const HOLD = 10_000;
  const rng = seedrandom('perf');
  // continuous times (no two equal) and the same draws on whole hours (many equal times: ties)
  const draws = Float64Array.from({ length: N }, () => rng() * 1e7);
  const gapDraws = Float64Array.from({ length: N }, () => rng());
  const workloads = [
    ['continuous times', draws, Float64Array.from(gapDraws, (g) => g * 1e3)],
    ['whole-hour times (ties)', Float64Array.from(draws, (t) => Math.floor(t / 3600) * 3600), Float64Array.from(gapDraws, (g) => Math.floor(g * 4) * 3600)],
  ];
  const checks = {};
  for (const [what, times, gaps] of workloads) {
    // fill + drain: push N events, pop them all
    const fill = {
      'Sim.at + next': () => {
        const e = new lib.Sim();
        for (let i = 0; i < N; i++) e.at(times[i], 'timer', i);
        let h = 0;
        while (e.next()) h = mix(h, e.job);
        return h;
      },
      'EventQueue push + pop': () => {
        const q = new lib.EventQueue(1024);
        for (let i = 0; i < N; i++) q.push(times[i], i);
        let h = 0;
        while (q.size > 0) h = mix(h, q.pop());
        return h;
      },
      'bare heap, (time, seq) ties': () => {
        const b = bareHeap(N, true);
        for (let i = 0; i < N; i++) b.push(times[i], i);
        let h = 0;
        while (b.size() > 0) h = mix(h, b.pop());
        return h;
      },
      'bare heap, time only': () => {
        const b = bareHeap(N, false);
        for (let i = 0; i < N; i++) b.push(times[i], i);
        let h = 0;
        while (b.size() > 0) h = mix(h, b.pop());
        return h;
      },
      // the floor: order the same N times, nothing else (no payloads, no ties to keep)
      'Float64Array sort (floor)': () => {
        const a = Float64Array.from(times).sort();
        return a[N >> 1] | 0;
      },
    };
    // hold model (the classic DES workload): HOLD pending events, each pop schedules one later event
    const bareHold = (tieBreak) => {
      const b = bareHeap(HOLD, tieBreak);
      for (let i = 0; i < HOLD; i++) b.push(times[i], i);
      let k = HOLD;
      let h = 0;
      while (b.size() > 0) {
        const t = b.peek();
        h = mix(h, b.pop());
        if (k < N) b.push(t + gaps[k], k++);
      }
      return h;
    };
    const hold = {
      'Sim.at + next': () => {
        const e = new lib.Sim();
        for (let i = 0; i < HOLD; i++) e.at(times[i], 'timer', i);
        let k = HOLD;
        let h = 0;
        while (e.next()) {
          h = mix(h, e.job);
          if (k < N) e.at(e.now + gaps[k], 'timer', k++);
        }
        return h;
      },
      'EventQueue push + pop': () => {
        const q = new lib.EventQueue(1024);
        for (let i = 0; i < HOLD; i++) q.push(times[i], i);
        let k = HOLD;
        let h = 0;
        while (q.size > 0) {
          const t = q.peekTime();
          h = mix(h, q.pop());
          if (k < N) q.push(t + gaps[k], k++);
        }
        return h;
      },
      'bare heap, (time, seq) ties': () => bareHold(true),
      'bare heap, time only': () => bareHold(false),
    };
    for (const [title, cases] of [
      [`Event queue, fill then drain ${N.toLocaleString('en')} events, ${what}`, fill],
      [`Event queue, hold model: ${HOLD.toLocaleString('en')} pending, ${N.toLocaleString('en')} events, ${what}`, hold],
    ]) {
      console.log(`${title} (median of 7 interleaved rounds; load average ${loadavg()[0].toFixed(2)})`);
      const { times: ts, results } = timeCases(cases);
      const rates = Object.fromEntries(Object.entries(ts).map(([name, t]) => [name, N / t]));
      const like = rates['bare heap, (time, seq) ties'];
      const floor = rates['Float64Array sort (floor)'];
      const order = results['bare heap, (time, seq) ties'];
      for (const [name, r] of Object.entries(rates)) {
        const same = name.startsWith('Float64Array') ? '' : results[name] === order ? 'same pop order' : 'other pop order';
        console.log(`  ${name.padEnd(28)} ${fmtRate(r)} events/s   vs like-for-like heap ${(r / like).toFixed(2)}${floor ? `   vs floor ${(r / floor).toFixed(2)}` : ''}   ${same}`);
      }
      checks[title] = ['Sim.at + next', 'EventQueue push + pop'].every((n) => results[n] === order);
      console.log('');
    }
  }
  const bad = Object.entries(checks).filter(([, ok]) => !ok);
  if (bad.length) console.log(`WARNING: the engine popped in another order than the (time, seq) heap in: ${bad.map(([t]) => t).join('; ')}\n`);
}

function fmtRate(r) {
  return `${(r / 1e6).toFixed(2).padStart(7)} M`;
}

// ---------------------------------------------------------------- 2. solvers

async function solvers() {
  const registered = lib.schedulerNames().includes('lp');
  console.log(`Checkpoint-resume solvers (the lp scheduler is ${registered ? '' : 'not yet '}registered): one job, hourly slots on DE-2023, ms per solve (median of 3)`);
  if (!lib.lpProblem || !lib.solveCheckpointResume) {
    console.log('  solver API not in this build: skipped\n');
    return;
  }
  const carbon = lib.loadCarbon('DE-2023');
  const specs = lib.parseWorkload(lib.thesisWorkload('phases'), { file: 'thesis' });
  const solverNames = [...lib.SOLVERS];
  for (const name of solverNames) if (name !== 'dp') await lib.loadMilpBackend(name);
  console.log(`  ${'job'.padEnd(22)} ${'wait'.padStart(5)} ${'slots'.padStart(6)} ${solverNames.map((s) => s.padStart(10)).join(' ')}   emissions (g)`);
  for (const epochs of [1, 3, 6, 12]) {
    const spec = specs.find((s) => Math.round((s.profile.durationS - 1200) / 3300) === epochs);
    for (const waitH of [12, 24, 48]) {
      const [job] = lib.toJobs([{ ...spec, arrival: 0 }], lib.maxWaitRule(waitH * 3600));
      const ctx = { now: 0, deadline: job.deadline, carbon, slot: 3600, slotOrigin: carbon.start, rng: () => 0 };
      const problem = lib.lpProblem(job, ctx);
      const cells = [];
      let emissions = '';
      for (const solver of solverNames) {
        let sol;
        const ts = [];
        for (let r = 0; r < 3; r++) {
          const t0 = performance.now();
          sol = lib.solveCheckpointResume(problem, { solver, timeLimitS: 60 });
          ts.push(performance.now() - t0);
        }
        cells.push(median(ts).toFixed(1).padStart(10));
        const g = sol ? sol.emissionsG.toFixed(3) : 'infeasible';
        emissions = emissions === '' || emissions === g ? g : `${emissions} != ${g}`;
      }
      console.log(`  ${`ML ${epochs} epoch(s) ${(job.profile.durationS / 3600).toFixed(2)} h`.padEnd(22)} ${`${waitH}h`.padStart(5)} ${String(problem.boundaries.length - 1).padStart(6)} ${cells.join(' ')}   ${emissions}`);
    }
  }
  console.log('');
}

// ---------------------------------------------------------------- 3. scaling

function scaling() {
  const source = join(here, '..', '..', 'shared', 'data', 'workloads', 'gaia', 'pai-100k.csv');
  const sizes = option('sizes', '10000,100000,1000000').split(',').map(Number);
  const lpMax = Number(option('lp-max-jobs', '10000'));
  const schedulers = option('schedulers', ['agnostic', 'oracle', 'waitawhile', ...(lib.schedulerNames().includes('lp') ? ['lp'] : [])].join(',')).split(',');
  let specs;
  let from;
  if (existsSync(source)) {
    specs = lib.parseWorkload(readFileSync(source, 'utf8'), { file: source, timeUnit: 'h' });
    from = 'pai-100k (hours)';
  } else {
    specs = lib.parseWorkload(readFileSync(join(here, '..', 'traces', 'workloads', 'pai_1k.csv'), 'utf8'), { file: 'pai_1k.csv' });
    from = 'bundled pai_1k (../shared/data/workloads/gaia/pai-100k.csv is absent)';
  }
  console.log(`Whole runs: jobs resampled (seed 1) from ${from}, arrivals over the source's span; DE-2023, 24 h max wait, extend repeat; one process per run`);
  console.log('  load + simulate: in process (node start-up and output excluded); process: the same child from spawn to exit;');
  console.log('  CLI: `node dist/cli.js run FILE --carbon DE-2023 --extend repeat --scheduler S` (table), spawn to exit');
  console.log(`  ${'jobs'.padStart(9)} ${'scheduler'.padEnd(11)} ${'load s'.padStart(8)} ${'simulate s'.padStart(11)} ${'process s'.padStart(10)} ${'CLI s'.padStart(7)} ${'lifecycle events/s'.padStart(19)} ${'peak RSS MiB'.padStart(13)} ${'CLI RSS MiB'.padStart(12)}  load`);
  const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-perf-'));
  for (const n of sizes) {
    const path = join(dir, `synth-${n}.csv`);
    writeFileSync(path, lib.synthesizeWorkloadCsv(specs, n, 1));
    for (const scheduler of schedulers) {
      if (scheduler === 'lp' && n > lpMax) {
        console.log(`  ${n.toLocaleString('en').padStart(9)} ${scheduler.padEnd(11)} skipped (more than --lp-max-jobs ${lpMax})`);
        continue;
      }
      const load = loadavg()[0].toFixed(2);
      const p0 = performance.now();
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', path, scheduler], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const processS = (performance.now() - p0) / 1000;
      const r = JSON.parse(out);
      const c = cliRun(['run', path, '--carbon', 'DE-2023', '--extend', 'repeat', '--scheduler', scheduler]);
      console.log(
        `  ${n.toLocaleString('en').padStart(9)} ${scheduler.padEnd(11)} ${r.load_s.toFixed(2).padStart(8)} ${r.simulate_s.toFixed(2).padStart(11)} ${processS.toFixed(2).padStart(10)} ${c.wall.toFixed(2).padStart(7)} ${fmtRate(r.events / r.simulate_s).padStart(19)} ${(r.max_rss_kb / 1024).toFixed(0).padStart(13)} ${c.rss === undefined ? '-'.padStart(12) : c.rss.toFixed(0).padStart(12)}  ${load}`,
      );
    }
  }
  console.log('');
}

/** The CLI as its own process, stdout discarded: wall seconds, and peak RSS (MiB) when GNU time is there. */
function cliRun(args) {
  const cli = join(here, '..', 'dist', 'cli.js');
  const timeFile = join(tmpdir(), `carbon-sim-perf-time-${process.pid}`);
  const time = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = time
    ? spawnSync('/usr/bin/time', ['-f', '%M', '-o', timeFile, process.execPath, cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawnSync(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`carbon-sim ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return { wall, rss: time ? Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) / 1024 : undefined };
}

/** One run in this process: load the workload and carbon, then simulate; print times, events and peak RSS. */
async function child(path, scheduler) {
  const t0 = performance.now();
  const { specs } = lib.readWorkloadFile(path, {});
  const jobs = lib.toJobs(specs, lib.maxWaitRule(24 * 3600));
  const carbon = lib.loadCarbon('DE-2023', { extend: 'repeat' });
  const t1 = performance.now();
  const out = await lib.runWorkload({ workload: jobs, carbon, scheduler, events: false });
  const t2 = performance.now();
  let events = 0;
  for (const r of out.simulation.results) events += 1 + 2 * r.execution.intervals.length;
  process.stdout.write(JSON.stringify({ load_s: (t1 - t0) / 1000, simulate_s: (t2 - t1) / 1000, events, max_rss_kb: process.resourceUsage().maxRSS }) + '\n');
}
