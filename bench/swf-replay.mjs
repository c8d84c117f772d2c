// SWF replays on the online engine: KTH-SP2, NASA-iPSC and LLNL-Thunder x {fcfs, easy, carbon-easy} on
// the log's own machine (`--cluster swf`: one pool of MaxProcs processors), DE-2023 hourly carbon
// repeated (a stand-in year: simulation time 0 = 2023-01-01T00:00Z), 24 h maximum wait (carbon-easy's
// latest starts). Metrics, speed, and for KTH (which ran EASY) simulated vs recorded queue waits.
// Each log runs in its own process; inside it, every figure comes from the built library (dist/).
// Run: npm run build && node bench/swf-replay.mjs            (all logs, markdown tables)
//      node bench/swf-replay.mjs <log> [--reps N] [--json]   (one log, e.g. KTH-SP2)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  DEFAULT_MAX_WAIT_S,
  loadCarbon,
  maxWaitRule,
  parseSwf,
  readWorkloadFile,
  runWorkload,
  swfHeaderValue,
  swfValue,
  toJobs,
} from '../dist/index.js';

const DIR = new URL('../../shared/data/workloads/swf/', import.meta.url);
export const LOGS = {
  'KTH-SP2': 'KTH-SP2-1996-2.1-cln.swf.gz',
  'NASA-iPSC': 'NASA-iPSC-1993-3.1-cln.swf.gz',
  'LLNL-Thunder': 'LLNL-Thunder-2007-1.1-cln.swf.gz',
};
const POLICIES = ['fcfs', 'easy', 'carbon-easy'];
const CARBON = 'DE-2023';
/** the processor power model of `--cluster swf` (src/cluster/types.ts PROCESSOR_POWER) */
const PROCESSOR = { idleW: 95, busyW: 190 };

const pathOf = (name) => fileURLToPath(new URL(LOGS[name], DIR));
/** Wall and CPU time (ms, this process: main thread plus GC helpers) of one awaited call. */
async function timed(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return { value, wall, cpu: (cpu.user + cpu.system) / 1000 };
}
const better = (a, b) => ({ wall: Math.min(a.wall, b.wall), cpu: Math.min(a.cpu, b.cpu) });
const NONE = { wall: Infinity, cpu: Infinity };

/**
 * What `runWorkload({workload: path, cluster: 'swf'})` loads, done with the public API so that
 * loading and simulating can be timed apart: skip incomplete records, then those larger than the
 * pool (app/run.ts fitToCluster), deadlines at 24 h maximum wait, the pool spec of MaxProcs.
 */
function load(path) {
  const workload = readWorkloadFile(path, { skipIncomplete: true });
  const procs = Number(swfHeaderValue({ header: workload.header }, 'MaxProcs'));
  const cluster = {
    nodes: [{ name: 'pool', cpus: procs, memMiB: Infinity, gpus: 0, gpuModel: null }],
    power: { kind: 'processor', processor: PROCESSOR },
    source: 'swf:MaxProcs',
  };
  const specs = workload.specs.filter((s) => (s.size ?? s.cpus) <= procs);
  const skipped = { ...workload.skipped, larger_than_cluster: workload.specs.length - specs.length };
  const jobs = toJobs(specs, maxWaitRule(DEFAULT_MAX_WAIT_S));
  return { jobs, cluster, skipped, procs };
}

/** Sample Pearson correlation. */
function pearson(x, y) {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Ranks 1..n, ties at their mean rank (many waits are 0). */
function ranks(x) {
  const order = Array.from(x, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(x.length);
  for (let i = 0; i < order.length; ) {
    let k = i;
    while (k + 1 < order.length && x[order[k + 1]] === x[order[i]]) k++;
    for (let m = i; m <= k; m++) r[order[m]] = (i + k) / 2 + 1;
    i = k + 1;
  }
  return r;
}

const spearman = (x, y) => pearson(ranks(x), ranks(y));

/** Simulated vs recorded (SWF field 3) queue wait, per job id. */
function waitAgreement(path, out) {
  const log = parseSwf(gunzipSync(readFileSync(path)).toString('utf8'), { file: path });
  const recorded = new Map();
  for (let r = 0; r < log.count; r++) recorded.set(String(swfValue(log, r, 'job_number')), swfValue(log, r, 'wait_time'));
  const sim = [];
  const rec = [];
  for (const res of out.simulation.results) {
    const w = recorded.get(res.job.id);
    if (w === undefined || w < 0) continue; // -1: not recorded
    sim.push(res.queueWaitS);
    rec.push(w);
  }
  const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
  return { jobs: sim.length, pearson: pearson(sim, rec), spearman: spearman(sim, rec), mean_recorded_s: mean(rec), mean_simulated_s: mean(sim) };
}

/**
 * An independent replay of the pooled FCFS / EASY rules (no engine code), for a cross-check of the
 * engine's start times: at one instant all ends, then all submits, then one pass; EASY's head gets
 * the earliest predicted end (start + estimate, at least now) at which it fits; a later job backfills
 * when it fits now and ends by its estimate at the reservation, or fits in what is spare then.
 */
function referenceStarts(jobs, procs, policy) {
  const n = jobs.length;
  const size = jobs.map((j) => j.request?.cpus ?? j.cpus);
  const est = jobs.map((j) => j.estimateS ?? j.profile.durationS);
  const start = new Float64Array(n).fill(NaN);
  const ends = []; // [t, j] sorted by t, then insertion
  let free = procs;
  let running = []; // in start order
  let queue = [];
  const begin = (j, now) => {
    start[j] = now;
    free -= size[j];
    running.push(j);
    const t = now + jobs[j].profile.durationS;
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (ends[m][0] <= t) lo = m + 1;
      else hi = m;
    }
    ends.splice(lo, 0, [t, j]);
  };
  let a = 0;
  while (a < n || ends.length) {
    const now = Math.min(a < n ? jobs[a].arrival : Infinity, ends.length ? ends[0][0] : Infinity);
    let k = 0;
    while (k < ends.length && ends[k][0] === now) free += size[ends[k++][1]];
    if (k) {
      const done = new Set(ends.splice(0, k).map((e) => e[1]));
      running = running.filter((j) => !done.has(j));
    }
    while (a < n && jobs[a].arrival === now) queue.push(a++);
    let h = 0;
    while (h < queue.length && size[queue[h]] <= free) begin(queue[h++], now);
    queue = queue.slice(h);
    if (policy === 'fcfs' || queue.length === 0) continue;
    const head = queue[0];
    const pred = (j) => Math.max(start[j] + est[j], now);
    const ending = running.slice().sort((x, y) => pred(x) - pred(y));
    let avail = free;
    let reservation = Infinity;
    for (let i = 0; i < ending.length; ) {
      const t = pred(ending[i]);
      for (; i < ending.length && pred(ending[i]) === t; i++) avail += size[ending[i]];
      if (avail >= size[head]) {
        reservation = t;
        break;
      }
    }
    let spare = avail - size[head];
    const rest = [head];
    for (const j of queue.slice(1)) {
      if (size[j] <= free && now + est[j] <= reservation) begin(j, now);
      else if (size[j] <= free && size[j] <= spare) {
        begin(j, now);
        spare -= size[j];
      } else rest.push(j);
    }
    queue = rest;
  }
  return start;
}

/** Jobs whose engine start differs from the reference replay's. */
function startMismatches(jobs, procs, policy, out) {
  const ref = referenceStarts(jobs, procs, policy);
  let bad = 0;
  out.simulation.results.forEach((r, j) => {
    if (r.job !== jobs[j] || Math.abs(r.plan.intervals[0][0] - ref[j]) > 1e-6) bad++;
  });
  return bad;
}

/** Jobs tied on submit time whose file order is not their job-id order (the queue's tie-break is file order). */
function tieOrderInversions(jobs) {
  let ties = 0;
  let inverted = 0;
  for (let i = 1; i < jobs.length; i++) {
    if (jobs[i].arrival !== jobs[i - 1].arrival) continue;
    ties++;
    if (Number(jobs[i].id) < Number(jobs[i - 1].id)) inverted++;
  }
  return { ties, inverted };
}

async function one(name, reps) {
  const path = pathOf(name);
  const options = (policy, extra) => ({ scheduler: policy, carbon: CARBON, extend: 'repeat', events: false, ...extra });

  // Load alone, timed (min of reps).
  let loadT = NONE;
  let loaded;
  for (let i = 0; i < reps; i++) {
    const t = await timed(() => ({ ...load(path), carbon: loadCarbon(CARBON, { extend: 'repeat' }) }));
    loadT = better(loadT, t);
    loaded = t.value;
  }
  const { jobs, cluster, skipped, carbon, procs } = loaded;
  const preloaded = (policy) => options(policy, { workload: jobs, carbon, cluster });

  // Warm-up: one EASY replay of the whole log.
  await runWorkload(preloaded('easy'));

  const rows = [];
  const agreement = {};
  for (const policy of POLICIES) {
    let simT = NONE;
    let out;
    for (let i = 0; i < reps; i++) {
      const t = await timed(() => runWorkload(preloaded(policy)));
      simT = better(simT, t);
      out = t.value;
    }
    let totalT = NONE;
    let viaPath;
    for (let i = 0; i < reps; i++) {
      const t = await timed(() => runWorkload(options(policy, { workload: path, cluster: 'swf' })));
      totalT = better(totalT, t);
      viaPath = t.value;
    }
    // the preloaded run must be the run `--cluster swf` makes
    const same = JSON.stringify(viaPath.summary) === JSON.stringify(out.summary) && JSON.stringify(viaPath.skipped) === JSON.stringify(skipped);
    const c = out.summary.cluster;
    rows.push({
      log: name,
      policy,
      procs,
      jobs: out.summary.jobs,
      skipped: viaPath.skipped,
      mean_wait_s: c.mean_queue_wait_s,
      p95_wait_s: c.p95_queue_wait_s,
      mean_bsld: c.mean_bounded_slowdown,
      utilisation: c.utilisation,
      makespan_s: c.makespan_s,
      energy_kwh: c.energy_kwh,
      idle_share: c.idle_energy_kwh / c.energy_kwh,
      carbon_kg: c.carbon_g / 1000,
      missed: out.summary.missed_deadlines,
      sim_s: simT.wall / 1000,
      sim_cpu_s: simT.cpu / 1000,
      with_load_s: totalT.wall / 1000,
      with_load_cpu_s: totalT.cpu / 1000,
      preloaded_matches_cli_path: same,
      reference_start_mismatches: policy === 'carbon-easy' ? null : startMismatches(jobs, procs, policy, out),
    });
    // KTH-SP2 ran EASY: how close are the simulated waits to the recorded ones?
    if (name === 'KTH-SP2') agreement[policy] = waitAgreement(path, out);
  }
  return { log: name, load_s: loadT.wall / 1000, load_cpu_s: loadT.cpu / 1000, rows, agreement, ties: tieOrderInversions(jobs), loadavg: loadavg()[0], reps };
}

const fmt = (v, d = 0) => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const skippedText = (s) =>
  Object.entries(s)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

function printTables(results) {
  console.log(`Machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}; min of the repeats; carbon ${CARBON} (extend repeat, a stand-in year)\n`);
  console.log('| log | MaxProcs | policy | jobs | skipped | mean wait (s) | p95 wait (s) | mean bsld | util | makespan (d) | energy (MWh) | idle share | carbon (t) | missed 24 h |');
  console.log('| --- | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { rows } of results) {
    for (const r of rows) {
      console.log(
        `| ${r.log} | ${r.procs} | ${r.policy} | ${fmt(r.jobs)} | ${skippedText(r.skipped)} | ${fmt(r.mean_wait_s)} | ${fmt(r.p95_wait_s)} | ${fmt(r.mean_bsld, 1)} | ${fmt(r.utilisation, 3)} | ${fmt(r.makespan_s / 86400, 1)} | ${fmt(r.energy_kwh / 1000, 2)} | ${fmt(r.idle_share, 3)} | ${fmt(r.carbon_kg / 1000, 2)} | ${fmt(r.missed)} |`,
      );
    }
  }
  console.log(
    `\nSpeed (s, min of ${results[0]?.reps} runs after one warm-up, wall / CPU of the process): load = read + parse + deadlines + carbon; simulate = runWorkload on the loaded jobs (events off); with load = runWorkload on the file\n`,
  );
  console.log('| log | policy | load | simulate | with load | load avg (1 min) |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  const pair = (wall, cpu) => `${fmt(wall, 3)} / ${fmt(cpu, 3)}`;
  for (const res of results) {
    for (const r of res.rows) {
      console.log(`| ${r.log} | ${r.policy} | ${pair(res.load_s, res.load_cpu_s)} | ${pair(r.sim_s, r.sim_cpu_s)} | ${pair(r.with_load_s, r.with_load_cpu_s)} | ${fmt(res.loadavg, 1)} |`);
    }
  }
  const kth = results.find((r) => r.log === 'KTH-SP2');
  if (kth) {
    console.log('\nKTH-SP2: simulated vs recorded (SWF field 3) queue wait per job\n');
    console.log('| policy | jobs | Pearson | Spearman | mean recorded (s) | mean simulated (s) |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [p, a] of Object.entries(kth.agreement)) {
      console.log(`| ${p} | ${fmt(a.jobs)} | ${fmt(a.pearson, 3)} | ${fmt(a.spearman, 3)} | ${fmt(a.mean_recorded_s)} | ${fmt(a.mean_simulated_s)} |`);
    }
  }
  console.log('');
  for (const res of results) {
    const bad = res.rows.filter((r) => !r.preloaded_matches_cli_path).map((r) => r.policy);
    const ref = res.rows
      .filter((r) => r.reference_start_mismatches !== null)
      .map((r) => `${r.policy} ${r.reference_start_mismatches}`)
      .join(', ');
    console.log(
      `${res.log}: ${res.ties.ties} submit-time ties, ${res.ties.inverted} not in job-id order; preloaded = --cluster swf path: ${bad.length ? `NO for ${bad.join(', ')}` : 'yes'}; starts unlike the reference replay: ${ref}`,
    );
  }
}

const args = process.argv.slice(2);
const repsAt = args.indexOf('--reps');
const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : 3;
const names = args.filter((a, i) => !a.startsWith('--') && (repsAt < 0 || i !== repsAt + 1));
if (names.length === 1 && args.includes('--json')) {
  console.log(JSON.stringify(await one(names[0], reps)));
} else {
  const wanted = names.length ? names : Object.keys(LOGS);
  const missing = wanted.filter((n) => !LOGS[n] || !existsSync(pathOf(n)));
  if (missing.length) {
    console.log(`skipped: ${missing.join(', ')} absent (${fileURLToPath(DIR)})`);
    process.exit(0);
  }
  const results = wanted.map((n) =>
    JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), n, '--reps', String(reps), '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 })),
  );
  printTables(results);
}
