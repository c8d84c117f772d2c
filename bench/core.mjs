// Core engine speed: pai-100k (hours) x one year of hourly carbon (DE-2023), waitawhile and oracle,
// 10k (every 10th job) and all 100k jobs. Each configuration runs in its own process so peak RSS is its own.
// Run: npm run bench   (builds dist/ first)   |   node bench/core.mjs <scheduler> <jobs>  (one configuration)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScheduler, loadCarbon, maxWaitRule, parseWorkload, simulate, summarize, toJobs } from '../dist/index.js';

const TRACE = new URL('../../shared/data/workloads/gaia/pai-100k.csv', import.meta.url);

function one(scheduler, n) {
  const t0 = performance.now();
  const text = readFileSync(TRACE, 'utf8');
  const all = parseWorkload(text, { file: 'pai-100k.csv', timeUnit: 'h' });
  // A smaller size is every k-th job: the same year and job mix, so the ratio measures scaling.
  const every = Math.max(1, Math.ceil(all.length / n));
  const specs = every === 1 ? all : all.filter((_, i) => i % every === 0);
  const jobs = toJobs(specs, maxWaitRule(24 * 3600));
  // pai-100k spans the whole year; jobs arriving in late December may wait into January: repeat the year.
  const carbon = loadCarbon('DE-2023', { extend: 'repeat' });
  const tWarm = performance.now();
  // Warm the JIT on 1,000 jobs so the 10k/100k ratio measures scaling, not compilation.
  simulate(jobs.slice(0, 1000), { scheduler: createScheduler(scheduler), carbon });
  const t1 = performance.now();
  const loadMs = tWarm - t0;
  const sim = simulate(jobs, { scheduler: createScheduler(scheduler), carbon });
  const t2 = performance.now();
  const summary = summarize(sim.results);
  return {
    scheduler,
    jobs: jobs.length,
    load_ms: loadMs,
    simulate_ms: t2 - t1,
    total_ms: loadMs + (t2 - t1),
    jobs_per_s: jobs.length / ((t2 - t1) / 1000),
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    carbon_kg: summary.carbon_g / 1000,
    interruptions: summary.interruptions,
  };
}

if (process.argv[2]) {
  console.log(JSON.stringify(one(process.argv[2], Number(process.argv[3] ?? Infinity))));
} else if (!existsSync(TRACE)) {
  console.log(`skipped: ${fileURLToPath(TRACE)} is absent`);
} else {
  // the 10k subset as a file of its own, for the CLI: every 10th job, as one() takes it
  const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-core-'));
  const lines = readFileSync(TRACE, 'utf8').split('\n').filter((l) => l !== '');
  const subset = join(dir, 'pai-10k.csv');
  writeFileSync(subset, [lines[0], ...lines.slice(1).filter((_, i) => i % 10 === 0)].join('\n') + '\n');
  const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
  const rows = [];
  for (const scheduler of ['agnostic', 'waitawhile', 'oracle']) {
    for (const n of [10_000, Infinity]) {
      const load = loadavg()[0];
      const p0 = performance.now();
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), scheduler, String(n)], { encoding: 'utf8' });
      const processMs = performance.now() - p0;
      // the whole CLI: node start-up, module load, parse, simulate, the table on stdout
      const c0 = performance.now();
      execFileSync(process.execPath, [cli, 'run', n === Infinity ? fileURLToPath(TRACE) : subset, '--time-unit', 'h', '--carbon', 'DE-2023', '--extend', 'repeat', '--scheduler', scheduler], { stdio: ['ignore', 'ignore', 'ignore'] });
      const cliMs = performance.now() - c0;
      rows.push({ ...JSON.parse(out), process_ms: processMs, cli_ms: cliMs, load });
    }
  }
  rmSync(dir, { recursive: true, force: true });
  console.log('pai-100k (hours) x DE-2023 hourly carbon, max wait 24 h, one process per row');
  console.log('in process: load + simulate (after a JIT warm-up; node start-up and output excluded); process: that child from spawn to exit');
  console.log('(with the warm-up); CLI: `node dist/cli.js run ... --time-unit h --carbon DE-2023 --extend repeat`, spawn to exit, no warm-up');
  console.log('scheduler     jobs   load_ms  simulate_ms  total_ms  process_ms  cli_ms  jobs/s(sim)  peak_rss_MB  carbon_kg  load');
  for (const r of rows) {
    console.log(
      `${r.scheduler.padEnd(11)} ${String(r.jobs).padStart(6)} ${r.load_ms.toFixed(0).padStart(9)} ${r.simulate_ms.toFixed(0).padStart(12)} ${r.total_ms.toFixed(0).padStart(9)} ${r.process_ms.toFixed(0).padStart(11)} ${r.cli_ms.toFixed(0).padStart(7)} ${r.jobs_per_s.toFixed(0).padStart(12)} ${r.peak_rss_mb.toFixed(0).padStart(12)} ${r.carbon_kg.toFixed(3).padStart(10)}  ${r.load.toFixed(2)}`,
    );
  }
  for (const s of ['waitawhile', 'oracle']) {
    const [a, b] = rows.filter((r) => r.scheduler === s);
    console.log(`${s}: simulate time ratio 100k/10k = ${(b.simulate_ms / a.simulate_ms).toFixed(2)} (linear = 10)`);
  }
}
