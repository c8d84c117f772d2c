// Distributed sweeps on Redis with BullMQ. `bench --queue URL` (the coordinator) uploads each input
// file once under its SHA-256, enqueues one job per run whose job id is the run's key (run id +
// digest of the input hashes and the carbon-sim version: a resubmitted sweep never duplicates, a
// changed input is a new job), then appends the rows workers send back to the sweep's own
// runs.jsonl, so results, --resume and merge work exactly as for a local sweep. `carbon-sim
// worker` (runQueueWorker) takes jobs, fetches the inputs by hash into a local cache (checking
// the bytes against the hash: never a stale copy) and executes runs on a thread pool, so the
// main thread keeps renewing the job locks. A killed worker's job is handed to another worker
// once its lock expires. bullmq and ioredis load only here, on demand.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import type { Job, Queue, QueueEvents, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { InputError } from '../errors.js';
import type { LogRow } from './log.js';
import type { PlannedRun, RunSpec } from './plan.js';
import { CARBON_SIM_VERSION, changedInput, readInputBytes, sha256Hex, shortHash, type InputFile } from './provenance.js';
import { runError, workerFile, type SweepExecutor } from './runner.js';
import type { RunTask, RunTaskResult, TaskInputError } from './worker.js';

/** The BullMQ queue every coordinator and worker of one Redis database shares. */
export const QUEUE_NAME = 'carbon-sim-runs';
/** Input files, content-addressed. */
export const inputKey = (sha256: string): string => `carbon-sim:input:${sha256}`;

const JOB_FORMAT = 'carbon-sim-run/1';
/** failedReason prefix of a run that failed on bad input (the rest is the error as JSON) */
const INPUT_ERROR_TAG = 'carbon-sim input error: ';
const VERSION_TAG = 'carbon-sim version mismatch: ';
/** with no event for this long, the coordinator re-reads the state of the runs it waits for */
const RECONCILE_MS = 10_000;

export interface QueueTarget {
  /** as given, for messages */
  url: string;
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

/** `redis://[user:password@]host[:port][/db]` */
export function parseQueueUrl(text: string): QueueTarget {
  const bad = (why: string): never => {
    throw new InputError('bad_option', `"${text}" is not a Redis URL redis://host:port[/db] (${why})`, { field: 'queue' });
  };
  let u: URL | undefined;
  try {
    u = new URL(text);
  } catch {
    bad('unparsable');
  }
  const url = u!;
  if (url.protocol !== 'redis:') bad(`scheme "${url.protocol.replace(/:$/, '')}"`);
  if (url.hostname === '') bad('no host');
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  if (!/^\d*$/.test(dbText)) bad(`database "${dbText}" is not a number`);
  if (url.search !== '' || url.hash !== '') bad('no query or fragment allowed');
  return {
    url: text,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db: dbText === '' ? 0 : Number(dbText),
    ...(url.username !== '' && { username: decodeURIComponent(url.username) }),
    ...(url.password !== '' && { password: decodeURIComponent(url.password) }),
  };
}

function connectionOptions(t: QueueTarget): { host: string; port: number; db: number; username?: string; password?: string } {
  return { host: t.host, port: t.port, db: t.db, ...(t.username !== undefined && { username: t.username }), ...(t.password !== undefined && { password: t.password }) };
}

/** A plain ioredis client, connected: an unreachable server is an InputError naming the URL. */
async function connectRedis(t: QueueTarget): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const client = new Redis({ ...connectionOptions(t), lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 2, retryStrategy: () => null });
  client.on('error', () => {}); // connect() rejects with the error
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw new InputError('queue_unreachable', `cannot reach Redis at ${t.url}: ${(err as Error).message}`, { field: 'queue' });
  }
  client.options.retryStrategy = (times: number) => Math.min(200 * times, 2000); // connected: reconnect from now on
  return client;
}

/** Connect once and disconnect: an unreachable server is an InputError before anything is written. */
export async function probeQueue(t: QueueTarget): Promise<void> {
  (await connectRedis(t)).disconnect();
}

/** An input as a job names it: a file name (for the cache, and for people) and its hash. */
interface QueuedInput {
  name: string;
  sha256: string;
}

/** The data of one queued run. */
export interface QueuedRun {
  format: typeof JOB_FORMAT;
  /** the job id */
  key: string;
  id: string;
  spec: RunSpec;
  inputs: { workload: QueuedInput; carbon: QueuedInput };
  carbon_sim_version: string;
}

/** The job id of a run: its id and a digest of what it reads and which carbon-sim computes it. */
export function runKey(id: string, workloadSha: string, carbonSha: string, version = CARBON_SIM_VERSION): string {
  return `${id}-${sha256Hex(Buffer.from(JSON.stringify([version, workloadSha, carbonSha]))).slice(0, 16)}`;
}

function queued(input: InputFile): QueuedInput {
  return { name: basename(input.path), sha256: input.sha256 };
}

/** A finished job's row must be the run it was queued as, computed from the same inputs. */
function checkRow(value: unknown, data: QueuedRun): LogRow {
  const row = value as LogRow | null;
  if (
    row === null ||
    typeof row !== 'object' ||
    row.id !== data.id ||
    row.workload_sha256 !== data.inputs.workload.sha256 ||
    row.carbon_sha256 !== data.inputs.carbon.sha256 ||
    row.carbon_sim_version !== data.carbon_sim_version
  ) {
    throw new Error(`job ${data.key} returned a row that is not run ${data.id} on the queued inputs: ${JSON.stringify(value)?.slice(0, 300)}`);
  }
  return row;
}

function failure(run: PlannedRun, key: string, reason: string): Error {
  if (reason.startsWith(INPUT_ERROR_TAG)) {
    let e: TaskInputError | undefined;
    try {
      e = JSON.parse(reason.slice(INPUT_ERROR_TAG.length)) as TaskInputError;
    } catch {
      e = undefined;
    }
    if (e) return runError(run, e);
  }
  if (reason.startsWith(VERSION_TAG)) return new InputError('version_mismatch', `run ${run.id}: ${reason}`, { field: 'queue' });
  return new Error(`run ${run.id} (job ${key}) failed on a worker: ${reason}`);
}

async function inChunks<T>(items: readonly T[], size: number, f: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(f));
}

export interface QueueExecutorOptions {
  /** one-line notes for the person waiting (stderr) */
  onNote?: (message: string) => void;
}

/**
 * The executor of `bench --queue`: uploads the inputs, enqueues the runs (job id = run key) and
 * reports each row as a worker completes it; rejects at the first failed run, like a local sweep.
 * Runs already completed in the queue (a resubmitted sweep) are taken as they are, not redone.
 */
export function queueExecutor(target: QueueTarget, options: QueueExecutorOptions = {}): SweepExecutor {
  return async (runs, ctx) => {
    const redis = await connectRedis(target);
    const { Queue, QueueEvents } = await import('bullmq');
    const connection = connectionOptions(target);
    let queue: Queue | undefined;
    let events: QueueEvents | undefined;
    try {
      // 1. inputs, by content: the bytes uploaded are the bytes hashed
      const files = new Map<string, InputFile>();
      for (const run of runs) {
        const w = ctx.inputs.workloads[run.spec.workload];
        const c = ctx.inputs.carbon[run.spec.carbon];
        if (!w || !c) throw new Error(`no input hashes for run ${run.id}`);
        files.set(w.sha256, w);
        files.set(c.sha256, c);
      }
      const upload = async (): Promise<void> => {
        for (const [sha, file] of files) {
          const bytes = readInputBytes(file.path, 'input');
          const now = sha256Hex(bytes);
          if (now !== sha) throw changedInput(file.path, sha, now, 'the sweep started');
          await redis.set(inputKey(sha), bytes, 'NX');
        }
      };
      await upload();

      // 2. jobs
      const jobs = new Map<string, { run: PlannedRun; data: QueuedRun }>();
      for (const run of runs) {
        const workload = queued(ctx.inputs.workloads[run.spec.workload]!);
        const carbon = queued(ctx.inputs.carbon[run.spec.carbon]!);
        const key = runKey(run.id, workload.sha256, carbon.sha256);
        jobs.set(key, { run, data: { format: JOB_FORMAT, key, id: run.id, spec: run.spec, inputs: { workload, carbon }, carbon_sim_version: CARBON_SIM_VERSION } });
      }
      queue = new Queue(QUEUE_NAME, { connection, streams: { events: { maxLen: 100_000 } }, defaultJobOptions: { attempts: 1, removeOnComplete: false, removeOnFail: false } });
      queue.on('error', () => {}); // failures surface through the calls below
      events = new QueueEvents(QUEUE_NAME, { connection });
      events.on('error', () => {});
      await events.waitUntilReady(); // from here on no completion is missed

      const pending = new Map(jobs);
      let failed: Error | undefined;
      let wake: () => void = () => {};
      let lastProgress = Date.now();
      const complete = (key: string, value: unknown): void => {
        const job = pending.get(key);
        if (!job || failed) return;
        try {
          const row = checkRow(value, job.data);
          pending.delete(key);
          ctx.onRow(row);
        } catch (err) {
          failed = err as Error;
        }
        lastProgress = Date.now();
        if (pending.size === 0 || failed) wake();
      };
      const fail = (key: string, reason: string): void => {
        const job = pending.get(key);
        if (!job || failed) return;
        failed = failure(job.run, key, reason);
        wake();
      };
      events.on('completed', ({ jobId, returnvalue }) => complete(jobId, returnvalue));
      events.on('failed', ({ jobId, failedReason }) => fail(jobId, failedReason));

      // 3. what the queue already holds (a resubmission): completed rows are taken, failures retried
      const q = queue;
      const toAdd: string[] = [];
      let reused = 0;
      await inChunks([...jobs.keys()], 200, async (key) => {
        const job = (await q.getJob(key)) as Job | undefined;
        if (!job) return void toAdd.push(key);
        const state = await job.getState();
        if (state === 'completed') {
          reused++;
          complete(key, job.returnvalue);
        } else if (state === 'failed') await job.retry('failed');
      });
      for (let i = 0; i < toAdd.length; i += 500) {
        await q.addBulk(toAdd.slice(i, i + 500).map((key) => ({ name: 'run', data: jobs.get(key)!.data, opts: { jobId: key } })));
      }
      if (pending.size > 0 && !failed) {
        options.onNote?.(`queued ${pending.size} run(s) on ${target.url}${reused > 0 ? ` (${reused} taken from earlier submissions)` : ''}; waiting for workers (carbon-sim worker --queue ${target.url})`);
      }

      // 4. wait; without news for a while, re-read the pending jobs (a trimmed event stream, a Redis restart)
      while (pending.size > 0 && !failed) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1000);
        });
        if (pending.size === 0 || failed || Date.now() - lastProgress < RECONCILE_MS) continue;
        lastProgress = Date.now();
        const lost: string[] = [];
        await inChunks([...pending.keys()], 200, async (key) => {
          const job = (await q.getJob(key)) as Job | undefined;
          if (!job) return void lost.push(key);
          const state = await job.getState();
          if (state === 'completed') complete(key, job.returnvalue);
          else if (state === 'failed') fail(key, job.failedReason);
        });
        if (lost.length > 0) await upload(); // the store may have lost the inputs too
        if (lost.length > 0) await q.addBulk(lost.map((key) => ({ name: 'run', data: jobs.get(key)!.data, opts: { jobId: key } })));
      }
      if (failed) {
        // stop the sweep like a local one: take back the runs nobody has started
        await inChunks([...pending.keys()], 200, async (key) => {
          try {
            await q.remove(key);
          } catch {
            /* active or gone: leave it */
          }
        });
        throw failed;
      }
    } finally {
      await events?.close().catch(() => {});
      await queue?.close().catch(() => {});
      redis.disconnect();
    }
  };
}

export interface QueueWorkerOptions {
  /** runs at a time, each on its own thread */
  concurrency: number;
  /** folder of the content-addressed input files */
  cacheDir: string;
  /** BullMQ lock duration (ms): a worker that stops renewing it loses the job to another */
  lockMs: number;
  /** exit after this long (ms) without a run; default: run until aborted */
  idleExitMs?: number;
  /** recorded with each job it processes (BullMQ processedBy) */
  name?: string;
  /** abort: finish the runs in progress, then stop */
  signal?: AbortSignal;
  onNote?: (message: string) => void;
}

/** A file name safe to create from a job's data. */
function safeName(name: string): string {
  const s = basename(name).replace(/[^A-Za-z0-9._-]/g, '_');
  return s === '' || s.startsWith('.') ? `input${s}` : s;
}

/** Input files by hash in a local folder, fetched from Redis when absent or not matching their hash. */
class InputCache {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly dir: string,
    private readonly redis: Redis,
    private readonly unrecoverable: (message: string) => Error,
  ) {}

  get(input: QueuedInput): Promise<string> {
    if (!/^[0-9a-f]{64}$/.test(input.sha256)) return Promise.reject(this.unrecoverable(`bad input hash ${JSON.stringify(input.sha256)}`));
    const file = join(this.dir, input.sha256, safeName(input.name));
    // a cached copy is used only while its bytes still have the hash
    if (existsSync(file) && sha256Hex(readFileSync(file)) === input.sha256) return Promise.resolve(file);
    let p = this.inflight.get(file);
    if (!p) {
      p = this.fetch(input, file).finally(() => this.inflight.delete(file));
      this.inflight.set(file, p);
    }
    return p;
  }

  private async fetch(input: QueuedInput, file: string): Promise<string> {
    const bytes = await this.redis.getBuffer(inputKey(input.sha256));
    if (!bytes) throw this.unrecoverable(`input ${input.name} (sha256 ${shortHash(input.sha256)}) is not in the queue's store: resubmit the sweep`);
    if (sha256Hex(bytes) !== input.sha256) throw this.unrecoverable(`input ${input.name} in the queue's store does not match its hash ${shortHash(input.sha256)}`);
    mkdirSync(join(this.dir, input.sha256), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
    return file;
  }
}

function isQueuedRun(d: unknown): d is QueuedRun {
  const x = d as QueuedRun | null;
  const input = (i: QueuedInput | undefined): boolean => typeof i?.name === 'string' && typeof i.sha256 === 'string';
  return x !== null && typeof x === 'object' && x.format === JOB_FORMAT && typeof x.id === 'string' && typeof x.spec === 'object' && x.spec !== null && input(x.inputs?.workload) && input(x.inputs?.carbon) && typeof x.carbon_sim_version === 'string';
}

/**
 * `carbon-sim worker`: process queued runs until aborted (or idle for idleExitMs). Resolves with
 * the number of runs it completed.
 */
export async function runQueueWorker(target: QueueTarget, opts: QueueWorkerOptions): Promise<{ processed: number }> {
  const redis = await connectRedis(target);
  const { Worker, UnrecoverableError } = await import('bullmq');
  const { Piscina } = await import('piscina');
  mkdirSync(opts.cacheDir, { recursive: true });
  const cache = new InputCache(opts.cacheDir, redis, (m) => new UnrecoverableError(m));
  const pool = new Piscina<RunTask, RunTaskResult>({ filename: workerFile(), minThreads: opts.concurrency, maxThreads: opts.concurrency });
  let processed = 0;
  let active = 0;
  let lastActivity = Date.now();

  const processor = async (job: Job): Promise<LogRow> => {
    active++;
    try {
      const data: unknown = job.data;
      if (!isQueuedRun(data)) throw new UnrecoverableError(`job ${job.id} is not a ${JOB_FORMAT} run`);
      if (data.carbon_sim_version !== CARBON_SIM_VERSION) {
        throw new UnrecoverableError(`${VERSION_TAG}the sweep was submitted by carbon-sim ${data.carbon_sim_version}, this worker (${opts.name ?? hostname()}) runs ${CARBON_SIM_VERSION}`);
      }
      const [workload, carbon] = await Promise.all([cache.get(data.inputs.workload), cache.get(data.inputs.carbon)]);
      const result = await pool.run({
        id: data.id,
        spec: data.spec,
        suiteDir: opts.cacheDir,
        inputs: { workload: { path: workload, sha256: data.inputs.workload.sha256 }, carbon: { path: carbon, sha256: data.inputs.carbon.sha256 } },
      });
      if (result.error) throw new UnrecoverableError(INPUT_ERROR_TAG + JSON.stringify(result.error));
      processed++;
      return result.row;
    } finally {
      active--;
      lastActivity = Date.now();
    }
  };

  let worker: Worker | undefined;
  try {
    worker = new Worker(QUEUE_NAME, processor, {
      connection: { ...connectionOptions(target), maxRetriesPerRequest: null },
      concurrency: opts.concurrency,
      lockDuration: opts.lockMs,
      stalledInterval: opts.lockMs,
      maxStalledCount: 3,
      ...(opts.name !== undefined && { name: opts.name }),
    });
    let lastError = '';
    worker.on('error', (err) => {
      if (err.message !== lastError) opts.onNote?.(`worker error: ${err.message}`);
      lastError = err.message;
    });
    await worker.waitUntilReady();
    const w = worker;
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        clearInterval(idle);
        resolve();
      };
      const idle = setInterval(() => {
        if (opts.idleExitMs !== undefined && active === 0 && Date.now() - lastActivity >= opts.idleExitMs) stop();
      }, 200);
      if (opts.signal?.aborted) stop();
      opts.signal?.addEventListener('abort', stop, { once: true });
      w.on('closed', stop);
    });
  } finally {
    await worker?.close().catch(() => {}); // waits for the runs in progress
    await pool.destroy();
    redis.disconnect();
  }
  return { processed };
}
