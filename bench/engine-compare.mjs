// simulate() now vs before the online engine, on infinite capacity: the pai-100k year (hours), DE-2023
// hourly carbon (extend repeat), 24 h maximum wait, agnostic / oracle / waitawhile. Each build runs in its
// own child process on the same inputs (loaded with that build's own readers); per child: a warm-up on
// 1,000 jobs, then the min of 3 full runs. The summaries of both builds must be identical (sha256).
// Run: npm run build && node bench/engine-compare.mjs [--old /tmp/base-repo/dist/index.js] [--rounds N]
//   the "before" build: an older checkout with node_modules (default /tmp/base-repo); build it once with
//   `cd /tmp/base-repo && npm run build` when its dist/ is missing or older than its src/.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TRACE = fileURLToPath(new URL('../../shared/data/workloads/gaia/pai-100k.csv', import.meta.url));
const NEW = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const SCHEDULERS = ['agnostic', 'oracle', 'waitawhile'];
const RUNS = 3;

async function child(dist, scheduler) {
  const lib = await import(pathToFileURL(dist).href);
  const { createScheduler, jobRecord, jobsCsv, loadCarbon, maxWaitRule, parseWorkload, simulate, summarize, toJobs } = lib;
  const specs = parseWorkload(readFileSync(TRACE, 'utf8'), { file: 'pai-100k.csv', timeUnit: 'h' });
  const jobs = toJobs(specs, maxWaitRule(24 * 3600));
  const carbon = loadCarbon('DE-2023', { extend: 'repeat' });
  simulate(jobs.slice(0, 1000), { scheduler: createScheduler(scheduler), carbon }); // warm-up
  let wall = Infinity;
  let cpu = Infinity;
  let sim;
  for (let i = 0; i < RUNS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    sim = simulate(jobs, { scheduler: createScheduler(scheduler), carbon });
    wall = Math.min(wall, performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  const summary = summarize(sim.results);
  const sha = createHash('sha256').update(JSON.stringify(summary)).digest('hex');
  // and the per-job CSV (`--format csv`), a stronger check than the summary
  const jobsSha = createHash('sha256').update(jobsCsv(sim.results.map(jobRecord))).digest('hex');
  return { scheduler, jobs: jobs.length, wall_ms: wall, cpu_ms: cpu, sha256: sha, jobs_sha256: jobsSha, carbon_kg: summary.carbon_g / 1000 };
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  console.log(JSON.stringify(await child(args[1], args[2])));
} else {
  const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
  const OLD = opt('--old', '/tmp/base-repo/dist/index.js');
  const rounds = Number(opt('--rounds', '1'));
  const absent = [TRACE, NEW, OLD].filter((p) => !existsSync(p));
  if (absent.length) {
    console.log(`skipped: ${absent.join(', ')} absent (npm run build here; cd /tmp/base-repo && npm run build for the old one)`);
    process.exit(0);
  }
  const run = (dist, s) => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', dist, s], { encoding: 'utf8' }));
  const best = {};
  for (let r = 0; r < rounds; r++) {
    for (const s of SCHEDULERS) {
      // alternate which build goes first, so a load spike does not always hit the same one
      const order = r % 2 === 0 ? [['old', OLD], ['new', NEW]] : [['new', NEW], ['old', OLD]];
      for (const [which, dist] of order) {
        const res = run(dist, s);
        const key = `${which} ${s}`;
        const prev = best[key];
        best[key] = prev ? { ...res, wall_ms: Math.min(prev.wall_ms, res.wall_ms), cpu_ms: Math.min(prev.cpu_ms, res.cpu_ms) } : res;
      }
    }
  }
  console.log(`pai-100k (h) x DE-2023 (extend repeat), 24 h max wait, infinite capacity; min of ${RUNS} runs x ${rounds} round(s) per build`);
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${loadavg()[0].toFixed(1)}`);
  console.log(`old: ${OLD}\nnew: ${NEW}\n`);
  console.log('| scheduler | jobs | old simulate (s) wall / CPU | new simulate (s) wall / CPU | new/old wall | new/old CPU | summary sha256 (old) | summary sha256 (new) | summary and per-job CSV identical |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |');
  let allSame = true;
  for (const s of SCHEDULERS) {
    const o = best[`old ${s}`];
    const n = best[`new ${s}`];
    const same = o.sha256 === n.sha256 && o.jobs_sha256 === n.jobs_sha256;
    allSame &&= same;
    const t = (x) => `${(x.wall_ms / 1000).toFixed(3)} / ${(x.cpu_ms / 1000).toFixed(3)}`;
    console.log(
      `| ${s} | ${n.jobs.toLocaleString('en-US')} | ${t(o)} | ${t(n)} | ${(n.wall_ms / o.wall_ms).toFixed(2)} | ${(n.cpu_ms / o.cpu_ms).toFixed(2)} | ${o.sha256.slice(0, 16)} | ${n.sha256.slice(0, 16)} | ${same ? 'yes' : 'NO'} |`,
    );
  }
  console.log('');
  for (const s of SCHEDULERS) console.log(`${s}: summary sha256 old ${best[`old ${s}`].sha256}, new ${best[`new ${s}`].sha256}`);
  if (!allSame) process.exitCode = 1;
}
