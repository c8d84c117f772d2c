// What the CLI prints besides results: progress lines, the one line of an error, a failing stdout.
import { InputError } from '../errors.js';
import { describeSystemError } from '../io/files.js';

/** Seconds between two progress lines. */
export const PROGRESS_EVERY_S = 5;

/**
 * `--progress`: a line on stderr at most every few seconds, the first after as long (a run that
 * ends sooner prints nothing), e.g. `carbon-sim: progress: run: 41,000 of 100,000 jobs (41 %), 12 s`.
 */
export function progressLine(label: string, unit: string, everyS = PROGRESS_EVERY_S, now: () => number = Date.now): (done: number, total: number) => void {
  const t0 = now();
  let next = t0 + everyS * 1000;
  return (done, total) => {
    const t = now();
    if (t < next) return;
    next = t + everyS * 1000;
    const pct = total > 0 ? ` (${Math.floor((100 * done) / total)} %)` : '';
    process.stderr.write(`carbon-sim: progress: ${label}: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} ${unit}${pct}, ${Math.round((t - t0) / 1000)} s\n`);
  };
}

/** The one line of an error that is not bad input: a bug. The stack only with --debug. */
export function internalErrorLine(err: unknown, debug: boolean): string {
  if (debug) return `carbon-sim: internal error: ${(err as Error)?.stack ?? String(err)}\n`;
  const message = (err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err)).replace(/\s*\n\s*/g, ' ');
  return `carbon-sim: internal error: ${message} (a bug in carbon-sim: --debug prints the stack trace)\n`;
}

/** A write error on stdout (a full disk, a closed terminal) as bad-input-style error line. */
export function stdoutError(err: unknown): InputError {
  return new InputError('unwritable_output', `cannot write the output: ${describeSystemError(err)}`, { file: 'stdout' });
}

/** Whether the command line asks for stack traces (`--debug` anywhere, or CARBON_SIM_DEBUG=1). */
export function debugRequested(argv: readonly string[]): boolean {
  return argv.includes('--debug') || process.env.CARBON_SIM_DEBUG === '1';
}

/** How many writeStdout calls are under way: their errors are theirs to report, not the global handler's. */
let managedWrites = 0;

/** Whether a writeStdout call is handling stdout's errors right now (main's 'error' listener then stays out). */
export function stdoutIsManaged(): boolean {
  return managedWrites > 0;
}

/**
 * Write the pieces to stdout as they come, waiting for it to drain when it asks to (a slow pipe),
 * and wait until all of it is written. A reader that went away (EPIPE: `| head`) ends the output
 * quietly; any other failure (a full disk: `> /dev/full`) rejects with one InputError line.
 */
export async function writeStdout(pieces: Iterable<string>): Promise<void> {
  const out = process.stdout;
  let failure: unknown;
  const settle = (err?: Error | null): void => {
    if (err && failure === undefined) failure = err;
  };
  const ready = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        out.off('drain', done);
        out.off('error', done);
        out.off('close', done);
        resolve();
      };
      out.on('drain', done);
      out.on('error', done);
      out.on('close', done);
    });
  managedWrites++;
  try {
    for (const piece of pieces) {
      if (failure !== undefined || out.destroyed) break;
      if (!out.write(piece, settle)) await ready();
    }
    // everything written so far has been handed to the system (or has failed)
    if (failure === undefined && !out.destroyed) await new Promise<void>((resolve) => out.write('', (err) => resolve(settle(err))));
  } finally {
    managedWrites--;
  }
  if (failure !== undefined && (failure as NodeJS.ErrnoException).code !== 'EPIPE') throw stdoutError(failure);
}
