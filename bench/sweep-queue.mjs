// Throughput of a 10k-run sweep: the local worker-thread pool vs `bench --queue` with two
// `carbon-sim worker` processes on a redis-server started here on a free 127.0.0.1 port (no
// persistence), all on this machine. Not a test: prints a markdown table for docs/sweeps.md.
//
//   npx tsup && node bench/sweep-queue.mjs [--seeds 100] [--only local1,local2,queue,resubmit]
//
// The suite: 4 schedulers x 5 regions (the first 31 days of each 2023 trace) x 5 waits x N seeds
// (default 100: 10,000 runs, agnostic among the schedulers so there are no extra baselines), on the
// first 20 jobs of pai_1k: small runs, so the per-run cost of the queue shows.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const SEEDS = Number(arg('seeds', '100'));
const ONLY = arg('only', 'local1,local2,queue,resubmit').split(',');

const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-queue-bench-'));
const REGIONS = ['DE-2023', 'GB-2023', 'ES-2023', 'NO-2023', 'BR-2023'];
for (const r of REGIONS) {
  const lines = readFileSync(join(ROOT, 'traces', 'carbon', `${r}.csv`), 'utf8').split('\n');
  writeFileSync(join(dir, `${r}-jan.csv`), lines.slice(0, 1 + 31 * 24).join('\n') + '\n');
}
writeFileSync(join(dir, 'w20.csv'), readFileSync(join(ROOT, 'traces', 'workloads', 'pai_1k.csv'), 'utf8').split('\n').slice(0, 21).join('\n') + '\n');
const suiteFile = join(dir, 'suite.json');
writeFileSync(
  suiteFile,
  JSON.stringify({
    name: 'queue-bench',
    schedulers: ['agnostic', 'oracle', 'waitawhile', 'lowest-slot'],
    carbon: REGIONS.map((r) => `${r}-jan.csv`),
    max_wait: ['2h', '6h', '12h', '24h', '48h'],
    workloads: ['w20.csv'],
    seeds: Array.from({ length: SEEDS }, (_, i) => i),
  }),
);
const RUNS = 4 * REGIONS.length * 5 * SEEDS;

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function timed(argv) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...argv], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`carbon-sim ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return s;
}

/** results.csv without wall_s: what must be equal between the ways of running */
const table = (out) => readFileSync(join(dir, out, 'results.csv'), 'utf8').split('\n').map((l) => l.replace(/,[^,]*$/, '')).join('\n');

const rows = [];
const row = (how, workers, s) => rows.push({ how, workers, s, rate: RUNS / s });
let redis;
const workers = [];
try {
  if (ONLY.includes('local1')) row('local pool (bench --workers 1, the default on 2 cores)', '1 thread', timed(['bench', suiteFile, '--out', 'local-1', '--workers', '1']));
  if (ONLY.includes('local2')) row('local pool (bench --workers 2)', '2 threads', timed(['bench', suiteFile, '--out', 'local-2', '--workers', '2']));
  if (ONLY.includes('queue') || ONLY.includes('resubmit')) {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((res, rej) => {
      let out = '';
      redis.stdout.on('data', (d) => {
        out += d;
        if (out.includes('Ready to accept connections')) res();
      });
      redis.once('exit', (code) => rej(new Error(`redis-server exited (${code}): ${out}`)));
    });
    const url = `redis://127.0.0.1:${port}`;
    for (const name of ['w1', 'w2']) {
      const w = spawn(process.execPath, [CLI, 'worker', '--queue', url, '--concurrency', '1', '--name', name, '--cache', join(dir, `cache-${name}`)], { stdio: ['ignore', 'ignore', 'pipe'] });
      await new Promise((res) => {
        let err = '';
        w.stderr.on('data', (d) => {
          err += d;
          if (err.includes('processing runs')) res();
        });
      });
      workers.push(w);
    }
    row('bench --queue, 2 carbon-sim worker processes', '2 x 1 thread', timed(['bench', suiteFile, '--out', 'queue', '--queue', url]));
    if (ONLY.includes('resubmit')) row('the same sweep resubmitted (rows taken from the completed jobs)', '-', timed(['bench', suiteFile, '--out', 'queue-again', '--queue', url]));
    const mem = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'info', 'memory'], { encoding: 'utf8' }).stdout.match(/used_memory_human:(\S+)/)?.[1];
    console.log(`redis used_memory after the sweep: ${mem ?? 'n/a'}`);
    const ref = ONLY.includes('local1') ? 'local-1' : ONLY.includes('local2') ? 'local-2' : undefined;
    if (ref) console.log(`results.csv (without wall_s) of the queue sweep ${table('queue') === table(ref) ? 'equals' : 'DIFFERS FROM'} the local sweep's`);
  }
} finally {
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r() : w.once('exit', r)))));
  redis?.kill('SIGTERM');
  if (redis) await new Promise((r) => (redis.exitCode !== null ? r() : redis.once('exit', r)));
  if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}

console.log(`\n${RUNS.toLocaleString('en')} runs, ${cpus().length} cores, node ${process.version}\n`);
console.log('| how | executes on | wall (s) | runs/s |');
console.log('| --- | --- | ---: | ---: |');
for (const r of rows) console.log(`| ${r.how} | ${r.workers} | ${r.s.toFixed(1)} | ${r.rate.toFixed(0)} |`);
