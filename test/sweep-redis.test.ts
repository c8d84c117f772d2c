// Distributed sweeps on a real redis-server (started here on a free loopback port, no persistence):
// two workers, one SIGKILLed in the middle of a run, give the results of a local sweep; resubmitted
// sweeps never duplicate jobs; inputs travel by content hash; failures reach the coordinator.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/sweep/provenance.js';
import { parseQueueUrl, QUEUE_NAME } from '../src/sweep/queue.js';
import type { ResultRow } from '../src/sweep/results.js';
import { cli, ROOT } from './helpers.js';

/** Why redis-server cannot be used here, or false. Under CI=true the tests run (and fail) anyway. */
function redisUnavailable(): string | false {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (r.error) return `redis-server cannot be run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}): install it with apt-get install redis-server`;
  if (r.status !== 0) return `redis-server --version exited with ${r.status}: ${r.stderr.trim()}`;
  return false;
}
const unavailable = redisUnavailable();
const skip = unavailable !== false && process.env.CI !== 'true' ? unavailable : false;
if (skip) console.warn(`test/sweep-redis.test.ts skipped: ${skip}`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Start redis-server on 127.0.0.1 only, without persistence; rejects saying exactly why it did not start. */
async function startRedis(dir: string): Promise<{ port: number; proc: ChildProcess }> {
  if (unavailable) throw new Error(`cannot start redis-server: ${unavailable}`);
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server on 127.0.0.1:${port} not ready after 15 s; its output:\n${output}`)), 15_000);
    const check = setInterval(() => {
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        clearInterval(check);
        resolve();
      }
    }, 20);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(check);
      reject(new Error(`redis-server on 127.0.0.1:${port} exited at start (code ${code}, signal ${signal}); its output:\n${output}`));
    });
  });
  return { port, proc };
}

const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-redis-'));
copyFileSync(join(ROOT, 'traces', 'workloads', 'pai_1k.csv'), join(dir, 'pai_1k.csv'));

function writeSuite(name: string, suite: Record<string, unknown>, where = dir): string {
  const path = join(where, `${name}.json`);
  writeFileSync(path, JSON.stringify({ name, workloads: ['pai_1k.csv'], ...suite }));
  return path;
}

function results(out: string): ResultRow[] {
  return readFileSync(join(out, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ResultRow);
}

/** Everything a sweep folder reports, wall times aside. */
function outputs(out: string): { rows: Omit<ResultRow, 'wall_s'>[]; csv: string[]; summary: string } {
  return {
    rows: results(out).map(({ wall_s: _w, ...rest }) => rest),
    csv: readFileSync(join(out, 'results.csv'), 'utf8')
      .split('\n')
      .map((l) => l.replace(/,[^,]*$/, '')),
    summary: readFileSync(join(out, 'summary.md'), 'utf8'),
  };
}

function logIds(out: string): string[] {
  const path = join(out, 'runs.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => (JSON.parse(l) as { id: string }).id);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface Proc {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[]): Proc {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => err, exited };
}

describe.skipIf(skip)(`bench --queue on redis-server with carbon-sim workers${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let redis: { port: number; proc: ChildProcess };
  let url = '';
  let queue: Queue;
  const workers: Proc[] = [];
  const worker = async (name: string): Promise<Proc> => {
    const w = start(['worker', '--queue', url, '--concurrency', '1', '--lock', '2s', '--name', name, '--cache', join(dir, `cache-${name}`)]);
    workers.push(w);
    await until(`${name} to start`, () => w.stderr().includes('processing runs'), 30_000);
    return w;
  };

  // 18 suite runs + 9 agnostic baselines
  const suite = writeSuite('grid', { schedulers: ['oracle', 'waitawhile'], carbon: ['DE-2023', 'GB-2023', 'ES-2023'], max_wait: ['2h', '6h', '24h'] });
  const TOTAL = 27;
  const local = join(dir, 'grid-local');

  beforeAll(async () => {
    redis = await startRedis(dir);
    url = `redis://127.0.0.1:${redis.port}`;
    queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port } });
    expect(cli(['bench', suite, '--out', local, '--workers', '1']).code).toBe(0);
  });

  afterAll(async () => {
    await queue?.close();
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    redis?.proc.kill('SIGTERM');
    if (redis) await new Promise((r) => (redis.proc.exitCode !== null ? r(null) : redis.proc.once('exit', r)));
  });

  it('two workers, one SIGKILLed in the middle of a run: every run once, results equal the local sweep', async () => {
    const a = await worker('worker-a');
    await worker('worker-b');
    const out = join(dir, 'grid-queue');
    const bench = start(['bench', suite, '--out', out, '--queue', url]);

    // kill worker-a while it is running a job (BullMQ records which worker holds it)
    let killed = '';
    await until('worker-a to be in the middle of a run', async () => {
      if (logIds(out).length < 2) return false;
      const active = await queue.getActive();
      killed = active.find((j) => j.processedBy === 'worker-a')?.id ?? '';
      return killed !== '';
    });
    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    expect(logIds(out).length).toBeLessThan(TOTAL);

    const { code } = await bench.exited;
    expect([code, bench.stderr()]).toEqual([0, expect.stringContaining(`queued ${TOTAL} run(s)`)]);
    const ids = logIds(out);
    expect(ids).toHaveLength(TOTAL);
    expect(new Set(ids).size).toBe(TOTAL);
    expect(outputs(out)).toEqual(outputs(local));

    // the job worker-a died in was given to worker-b after its lock expired, and completed once;
    // unless worker-a finished it in the instant between the look and the kill (then it was done before)
    const job = (await queue.getJob(killed))!;
    expect(await job.getState()).toBe('completed');
    if (job.processedBy === 'worker-a') {
      expect(job.finishedOn).toBeLessThanOrEqual(killedAt);
    } else {
      expect(job.processedBy).toBe('worker-b');
      expect(job.attemptsStarted).toBeGreaterThanOrEqual(2);
    }
    // whatever worker-a held when it died was started again and completed by worker-b
    for (const j of await queue.getJobs(['completed'])) {
      if (j.attemptsStarted >= 2) expect(j.processedBy).toBe('worker-b');
      if (j.processedBy === 'worker-a') expect(j.finishedOn).toBeLessThanOrEqual(killedAt);
    }
    expect(await queue.getJobCounts('completed', 'failed', 'wait', 'active')).toEqual({ completed: TOTAL, failed: 0, wait: 0, active: 0 });
  });

  it('a resubmitted sweep never duplicates: its rows come back from the completed jobs, nothing is queued or rerun', () => {
    const out = join(dir, 'grid-resubmitted');
    const r = cli(['bench', suite, '--out', out, '--queue', url], { cwd: dir });
    expect(r.code).toBe(0);
    expect(outputs(out)).toEqual(outputs(local));
    // the very rows of the first submission (same wall times): taken, not recomputed
    const first = new Map(results(join(dir, 'grid-queue')).map((x) => [x.id, x.wall_s]));
    expect(results(out).every((x) => first.get(x.id) === x.wall_s)).toBe(true);
  });

  it('has no duplicate jobs after the resubmission', async () => {
    expect(await queue.getJobCounts('completed', 'failed', 'wait', 'active', 'delayed')).toEqual({ completed: TOTAL, failed: 0, wait: 0, active: 0, delayed: 0 });
  });

  it('a coordinator killed mid-sweep continues with --resume: no row missing or twice', async () => {
    const small = writeSuite('small', { schedulers: ['oracle', 'waitawhile'], carbon: ['DE-2023', 'GB-2023'], max_wait: ['12h'] });
    const smallLocal = join(dir, 'small-local');
    expect(cli(['bench', small, '--out', smallLocal, '--workers', '1']).code).toBe(0);
    const out = join(dir, 'small-queue');
    const bench = start(['bench', small, '--out', out, '--queue', url]);
    await until('two logged runs', () => logIds(out).length >= 2);
    bench.child.kill('SIGKILL');
    await bench.exited;
    const before = logIds(out);
    const r = cli(['bench', small, '--out', out, '--queue', url, '--resume'], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
    const ids = logIds(out);
    expect(ids.slice(0, before.length)).toEqual(before);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    expect(outputs(out)).toEqual(outputs(smallLocal));
  });

  it('inputs travel by content: a changed workload file under the same name is a new job, never the stale copy', () => {
    const changedDir = join(dir, 'changed');
    mkdirSync(changedDir, { recursive: true });
    const lines = readFileSync(join(dir, 'pai_1k.csv'), 'utf8').split('\n');
    writeFileSync(join(changedDir, 'pai_1k.csv'), lines.slice(0, 501).join('\n') + '\n'); // the first 500 jobs only
    const changed = writeSuite('grid', { schedulers: ['oracle', 'waitawhile'], carbon: ['DE-2023', 'GB-2023', 'ES-2023'], max_wait: ['2h', '6h', '24h'] }, changedDir);
    const changedLocal = join(changedDir, 'local');
    expect(cli(['bench', changed, '--out', changedLocal, '--workers', '1']).code).toBe(0);
    const out = join(changedDir, 'queue');
    const r = cli(['bench', changed, '--out', out, '--queue', url], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`queued ${TOTAL} run(s)`); // same run ids, new content: new jobs
    expect(outputs(out)).toEqual(outputs(changedLocal));
    expect(results(out).every((x) => x.jobs === 500)).toBe(true);
    // the worker's cache holds each input under its hash
    const cache = join(dir, 'cache-worker-b');
    const sha = sha256Hex(readFileSync(join(changedDir, 'pai_1k.csv')));
    expect(readdirSync(cache)).toContain(sha);
  });

  it('a cached input whose bytes no longer match their hash is fetched again, not used', () => {
    const sha = sha256Hex(readFileSync(join(dir, 'pai_1k.csv')));
    const cached = join(dir, 'cache-worker-b', sha, 'pai_1k.csv');
    expect(existsSync(cached)).toBe(true);
    writeFileSync(cached, 'arrival_time,length,cpus\n0,60,1\n'); // a stale or tampered copy
    const s = writeSuite('tampered', { schedulers: ['oracle'], carbon: ['DE-2023'], max_wait: ['3h'] });
    const out = join(dir, 'tampered-queue');
    const r = cli(['bench', s, '--out', out, '--queue', url], { cwd: dir });
    expect(r.code).toBe(0);
    expect(results(out).map((x) => x.jobs)).toEqual([1000, 1000]);
    expect(sha256Hex(readFileSync(cached))).toBe(sha);
  });

  it('a run that fails on bad input stops the coordinator with exit 2 and the run named, like a local sweep', () => {
    writeFileSync(join(dir, 'late.csv'), 'arrival_time,length,cpus\n31532400,7200,1\n'); // runs past the end of 2023
    const s = join(dir, 'late.json');
    writeFileSync(s, JSON.stringify({ name: 'late', schedulers: ['oracle'], carbon: ['DE-2023'], max_wait: ['24h'], workloads: ['late.csv'] }));
    const r = cli(['bench', s, '--out', join(dir, 'late-queue'), '--queue', url], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^carbon-sim: error: run [0-9a-f]{16} \((oracle|agnostic), DE-2023, wait 24h, late\.csv, forecast oracle, seed 0\): .*past the end of carbon trace/);
  });

  it('a worker refuses a run queued by another carbon-sim version, saying both', async () => {
    const data = { format: 'carbon-sim-run/1', key: 'version-test', id: 'version-test', spec: {}, inputs: { workload: { name: 'w.csv', sha256: '0'.repeat(64) }, carbon: { name: 'c.csv', sha256: '0'.repeat(64) } }, carbon_sim_version: '0.0.0-other' };
    await queue.add('run', data, { jobId: 'version-test' });
    await until('the job to fail', async () => (await queue.getJob('version-test'))?.failedReason !== undefined && (await queue.getJob('version-test'))!.failedReason !== '', 30_000);
    expect((await queue.getJob('version-test'))!.failedReason).toMatch(/^carbon-sim version mismatch: the sweep was submitted by carbon-sim 0\.0\.0-other, this worker \(worker-b\) runs \d+\.\d+\.\d+/);
  });

  it('parses Redis URLs', () => {
    expect(parseQueueUrl('redis://user:p%40ss@[::1]:7000/3')).toEqual({ url: 'redis://user:p%40ss@[::1]:7000/3', host: '::1', port: 7000, db: 3, username: 'user', password: 'p@ss' });
    expect(parseQueueUrl('redis://127.0.0.1')).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0 });
    for (const bad of ['127.0.0.1:6379', 'redis://127.0.0.1:6379/x', 'rediss://h:1', 'redis://h:1/?a=b']) expect(() => parseQueueUrl(bad)).toThrow(/is not a Redis URL/);
  });

  it('bad or unreachable --queue URLs are one-line input errors', async () => {
    const http = cli(['bench', suite, '--out', join(dir, 'x1'), '--queue', 'http://127.0.0.1:1']);
    expect([http.code, http.stderr]).toEqual([2, expect.stringMatching(/^carbon-sim: error: field "queue": "http:\/\/127\.0\.0\.1:1" is not a Redis URL/)]);
    const port = await freePort(); // nothing listens there
    const down = cli(['bench', suite, '--out', join(dir, 'x2'), '--queue', `redis://127.0.0.1:${port}`]);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port}`));
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    const w = cli(['worker', '--queue', `redis://127.0.0.1:${port}`, '--concurrency', '1']);
    expect(w.code).toBe(2);
    expect(w.stderr).toContain('cannot reach Redis');
  });
});
