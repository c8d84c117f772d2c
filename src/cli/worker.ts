// `carbon-sim worker --queue redis://...`: process the runs that `bench --queue` enqueued, on any
// machine that reaches the Redis server, until SIGINT/SIGTERM (runs in progress finish first).
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { parseDuration } from '../io/units.js';
import { defaultWorkers } from '../sweep/runner.js';
import { positiveInteger } from './bench.js';

export interface WorkerFlags {
  queue: string;
  concurrency?: string;
  cache?: string;
  lock?: string;
  idleExit?: string;
  name?: string;
}

function durationMs(text: string, field: string, minS: number): number {
  const s = parseDuration(text, field);
  if (!(s >= minS)) throw new InputError('bad_option', `${field} must be at least ${minS} s, got "${text}"`, { field });
  return Math.round(s * 1000);
}

export async function workerCommand(flags: WorkerFlags): Promise<void> {
  const { parseQueueUrl, runQueueWorker } = await import('../sweep/queue.js');
  const target = parseQueueUrl(flags.queue);
  const concurrency = flags.concurrency === undefined ? defaultWorkers() : positiveInteger(flags.concurrency, 'concurrency');
  const lockMs = durationMs(flags.lock ?? '30s', 'lock', 1);
  const idleExitMs = flags.idleExit === undefined ? undefined : durationMs(flags.idleExit, 'idle-exit', 0);
  const cacheDir = flags.cache ?? join(tmpdir(), 'carbon-sim-inputs');
  const name = flags.name ?? `${hostname()}-${process.pid}`;
  const note = (m: string): void => void process.stderr.write(`carbon-sim worker: ${m}\n`);

  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130); // a second signal: do not wait for the runs in progress
    note('stopping after the runs in progress');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    note(`${name}: processing runs from ${target.url} with ${concurrency} thread(s); inputs cached in ${cacheDir}`);
    const { processed } = await runQueueWorker(target, { concurrency, cacheDir, lockMs, ...(idleExitMs !== undefined && { idleExitMs }), name, signal: controller.signal, onNote: note });
    note(`${name}: stopped after ${processed} run(s)`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
