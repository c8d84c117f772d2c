import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { builtinReport, builtinSuiteNames, materializeBuiltin } from '../sweep/builtin.js';
import { parseShard } from '../sweep/plan.js';
import { defaultWorkers, RESULTS_CSV, RESULTS_JSONL, runSweep, SUMMARY_MD, type SweepExecutor } from '../sweep/runner.js';
import { parseSuite } from '../sweep/suite.js';
import { checkOutputs } from '../io/files.js';
import { progressLine } from './output.js';

export interface BenchFlags {
  out?: string;
  workers?: string;
  resume?: boolean;
  shard?: string;
  /** redis://host:port[/db]: enqueue the runs for `carbon-sim worker` processes instead of running them here */
  queue?: string;
  /** progress lines on stderr every few seconds when stderr is not a terminal */
  progress?: boolean;
}

/** The output folder must be (or become) a folder that takes files: checked before anything is written. */
function checkOutDir(dir: string): void {
  checkOutputs([{ kind: 'into', dir, field: 'out', files: {} }]);
}

export function positiveInteger(text: string, field: string): number {
  const v = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !(v >= 1)) throw new InputError('bad_option', `"${text}" must be a whole number >= 1`, { field });
  return v;
}

/** `carbon-sim bench <suite.json | built-in name>`: run (or resume) a sweep into --out. */
export async function benchCommand(suiteArg: string, flags: BenchFlags): Promise<void> {
  const placement = await import('../sweep/placement.js');
  if (placement.isPlacementSuite(suiteArg)) return placement.placementBenchCommand(suiteArg, flags);
  const workers = flags.workers === undefined ? defaultWorkers() : positiveInteger(flags.workers, 'workers');
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  let executor: SweepExecutor | undefined;
  if (flags.queue !== undefined) {
    if (flags.workers !== undefined) throw new InputError('bad_option', '--workers sets local threads; with --queue the runs execute on carbon-sim worker processes (their --concurrency)', { field: 'workers' });
    const { parseQueueUrl, probeQueue, queueExecutor } = await import('../sweep/queue.js');
    const target = parseQueueUrl(flags.queue);
    await probeQueue(target); // an unreachable server fails before any output is written
    executor = queueExecutor(target, { onNote: (m) => process.stderr.write(`carbon-sim: ${m}\n`) });
  }
  let suiteFile: string;
  let builtin: string | undefined;
  if (existsSync(suiteArg) && statSync(suiteArg).isFile()) {
    suiteFile = resolve(suiteArg);
  } else if (builtinSuiteNames().includes(suiteArg)) {
    checkOutDir(flags.out ?? `bench-${suiteArg}`);
    suiteFile = resolve(materializeBuiltin(suiteArg, flags.out ?? `bench-${suiteArg}`));
    builtin = suiteArg;
  } else {
    throw new InputError('unknown_suite', `"${suiteArg}" is neither a suite file nor a built-in suite (${builtinSuiteNames().join(', ')})`, { field: 'suite' });
  }
  const suite = parseSuite(readFileSync(suiteFile, 'utf8'), suiteFile);
  const outDir = flags.out ?? `bench-${suite.name}`;
  checkOutDir(outDir);

  const bar = process.stderr.isTTY ? await progressBar() : flags.progress === true ? progressLines() : undefined;
  let outcome;
  try {
    outcome = await runSweep({ suite, suiteFile, outDir, resume: flags.resume === true, ...(shard && { shard }), workers, ...(executor && { executor }), ...(bar && { onProgress: bar.update }) });
  } finally {
    bar?.stop();
  }
  const skipped = outcome.record.schedulers_skipped;
  if (skipped.length > 0) process.stderr.write(`carbon-sim: note: skipped optional schedulers (not registered): ${skipped.join(', ')}\n`);
  if (outcome.discardedPartialLine) process.stderr.write('carbon-sim: note: discarded a half-written last line of runs.jsonl (that run was redone)\n');
  // a built-in suite's own tables (bench thesis: the median savings beside the thesis's), after a complete sweep only
  const extra = builtin !== undefined && shard === undefined ? await builtinReport(builtin, outDir) : undefined;
  process.stdout.write(outcome.summary + (extra === undefined ? '' : `\n${extra}`) + `\nresults: ${[RESULTS_CSV, RESULTS_JSONL, SUMMARY_MD].map((f) => join(outDir, f)).join(', ')}\n`);
}

/** `--progress` without a terminal: a line every few seconds. */
function progressLines(): { update: (done: number, total: number) => void; stop: () => void } {
  return { update: progressLine('bench', 'runs done'), stop: () => {} };
}

/** A cli-progress bar on stderr (only when stderr is a terminal). */
async function progressBar(): Promise<{ update: (done: number, total: number) => void; stop: () => void }> {
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar({ stream: process.stderr, format: 'bench [{bar}] {value}/{total} runs | {eta_formatted} left', hideCursor: true }, Presets.shades_classic);
  let started = false;
  return {
    update: (done, total) => {
      if (!started) bar.start(total, done);
      else bar.update(done);
      started = true;
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
