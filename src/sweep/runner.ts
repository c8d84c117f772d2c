// Runs a sweep: check every input up front, skip runs already in the log (--resume), execute the
// rest on a piscina worker pool appending each row as it finishes, then write sorted results.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTimestamp } from '../carbon/csv.js';
import { parseForecast } from '../carbon/forecast.js';
import { loadCarbon } from '../carbon/load.js';
import { InputError } from '../errors.js';
import { createScheduler, schedulerNames, schedulerReadsSlot, slotSchedulerNames } from '../schedulers/registry.js';
import { parseSchedulerSpec } from '../app/settings.js';
import { parseDuration } from '../io/units.js';
import { chooseDeadlineRule } from '../model/deadlines.js';
import { readWorkloadFile } from '../io/trace.js';
import { maxWaitRule } from '../model/deadlines.js';
import { deadlineChoice, suiteCarbon, suiteWorkload } from './execute.js';
import { writeFilesAtomically } from '../io/files.js';
import { readRunLog, RunLogWriter, type LogRow } from './log.js';
import { planSweep, shardLabel, shardRuns, type PlannedRun, type Shard } from './plan.js';
import { finalizeResults, resultsCsv, resultsJsonl, summaryLines, summaryMarkdown, type ResultRow } from './results.js';
import { normalizeSuite, type Suite } from './suite.js';
import { CARBON_SIM_VERSION, checkLoggedProvenance, sha256File, type RunInputs, type SweepInputs } from './provenance.js';
import { resolveCarbonPath } from '../carbon/load.js';
import type { RunTask, RunTaskResult, TaskInputError } from './worker.js';

export const RUN_LOG = 'runs.jsonl';
export const SWEEP_RECORD = 'sweep.json';
export const RESULTS_CSV = 'results.csv';
export const RESULTS_JSONL = 'results.jsonl';
export const SUMMARY_MD = 'summary.md';

/** sweep.json: what an output folder holds, checked on --resume and by merge. */
export interface SweepRecord {
  format: 'carbon-sim-sweep/1';
  suite: Suite;
  /** absolute path of the suite file: workload and carbon paths are relative to its folder */
  suite_file: string;
  /** the schedulers that ran: the suite's, then the optional ones that are registered */
  schedulers: string[];
  schedulers_skipped: string[];
  shard: string | null;
  /** the carbon-sim version that wrote the record (absent in records of older versions) */
  carbon_sim_version?: string;
  /** SHA-256 of each carbon and workload entry's file when the sweep (last) started */
  inputs?: { carbon: Record<string, string>; workloads: Record<string, string> };
}

/**
 * Executes runs and reports each finished row through ctx.onRow; rejects at the first failure.
 * The default runs them on a local worker-thread pool; `bench --queue` sends them to a Redis queue.
 */
export type SweepExecutor = (runs: readonly PlannedRun[], ctx: { suiteDir: string; inputs: SweepInputs; onRow: (row: LogRow) => void }) => Promise<void>;

export interface SweepOptions {
  suite: Suite;
  suiteFile: string;
  outDir: string;
  resume?: boolean;
  shard?: Shard;
  /** worker threads; default: cores - 1 (at least 1) */
  workers?: number;
  /** called once before running (done = rows already in the log) and after each run */
  onProgress?: (done: number, total: number) => void;
  /** how runs are executed; default: the local thread pool with `workers` threads */
  executor?: SweepExecutor;
}

export interface SweepOutcome {
  record: SweepRecord;
  results: ResultRow[];
  summary: string;
  /** runs executed now (the rest came from the log) */
  executed: number;
  /** a half-written last log line was found and discarded (its run was redone) */
  discardedPartialLine: boolean;
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** A scheduler entry's name: the first word of `lp --max-starts 2`. */
function nameOf(spec: string): string {
  return spec.trim().split(/\s+/)[0] ?? '';
}

/**
 * The schedulers a suite runs: all of `schedulers` must exist (entries may carry settings in CLI
 * syntax, `lp --max-starts 2`); absent optional ones are skipped.
 */
export function resolveSchedulers(suite: Suite, file: string): { schedulers: string[]; skipped: string[] } {
  const known = new Set(schedulerNames());
  const fields: [string, string][] = [
    ...suite.schedulers.map((s, i): [string, string] => [s, `schedulers[${i}]`]),
    ...suite.optional_schedulers.map((s, i): [string, string] => [s, `optional_schedulers[${i}]`]).filter(([s]) => known.has(nameOf(s))),
  ];
  for (const [spec, field] of fields) {
    try {
      const { name, settings } = parseSchedulerSpec(spec, field);
      createScheduler(name, settings); // as each run will: a scheduler that needs more (replay's plan) fails here
    } catch (err) {
      if (err instanceof InputError) throw inSuite(err, file, field);
      throw err;
    }
  }
  return { schedulers: fields.map(([s]) => s), skipped: suite.optional_schedulers.filter((s) => !known.has(nameOf(s))) };
}

/** Point an input error at the suite field it came from, unless it already names a file of its own. */
function inSuite(err: InputError, file: string, field: string): InputError {
  if (err.file === undefined) {
    err.file = file;
    err.field = field;
  }
  return err;
}

/** Load every carbon trace and workload once and parse every other entry, so bad input fails before any run. */
export function checkSuiteInputs(suite: Suite, file: string): void {
  const dir = dirname(file);
  const guard = (field: string, check: () => void): void => {
    try {
      check();
    } catch (err) {
      if (err instanceof InputError) throw inSuite(err, file, field);
      throw err;
    }
  };
  if (suite.start !== '' && Number.isNaN(parseTimestamp(suite.start))) {
    throw new InputError('bad_start', `"${suite.start}" is not an ISO 8601 instant`, { file, field: 'start' });
  }
  if (suite.slot !== '') {
    guard('slot', () => {
      if (!(parseDuration(suite.slot, 'slot') > 0)) throw new InputError('bad_option', 'slot must be positive');
      // the slot applies to the schedulers that plan on the slot grid; a slot none of them reads is a mistake
      const entries = [...suite.schedulers, ...suite.optional_schedulers].map((e) => parseSchedulerSpec(e));
      if (!entries.some((e) => schedulerReadsSlot(e.name, e.settings))) {
        throw new InputError('bad_option', `no scheduler of the suite reads the slot (${slotSchedulerNames().join(', ')} do; lowest-window and carbon-time with --start-grid clock)`);
      }
    });
  }
  suite.max_wait.forEach((w, i) => guard(`max_wait[${i}]`, () => chooseDeadlineRule(deadlineChoice(w, suite.timezone), 0, maxWaitRule(0))));
  suite.forecast.forEach((f, i) => guard(`forecast[${i}]`, () => parseForecast(f)));
  suite.carbon.forEach((c, i) => guard(`carbon[${i}]`, () => loadCarbon(suiteCarbon(dir, c), { column: suite.carbon_column, extend: suite.extend })));
  suite.workloads.forEach((w, i) =>
    guard(`workloads[${i}]`, () => readWorkloadFile(suiteWorkload(dir, w), { file: suiteWorkload(dir, w), timeUnit: suite.time_unit, wattsPerCpu: suite.watts_per_cpu })),
  );
}

/** The file and content hash of every carbon and workload entry of a suite (bundled names: their file). */
export function hashSuiteInputs(suite: Suite, file: string): SweepInputs {
  const dir = dirname(file);
  const inputs: SweepInputs = { carbon: {}, workloads: {} };
  for (const c of suite.carbon) {
    const path = resolveCarbonPath(suiteCarbon(dir, c));
    inputs.carbon[c] = { entry: c, path, sha256: sha256File(path, 'carbon') };
  }
  for (const w of suite.workloads) {
    const path = suiteWorkload(dir, w);
    inputs.workloads[w] = { entry: w, path, sha256: sha256File(path, 'workload') };
  }
  return inputs;
}

/** The record an output folder must match to resume into it. */
function sameSweep(a: SweepRecord, b: SweepRecord): boolean {
  return JSON.stringify([a.suite, a.schedulers, a.shard]) === JSON.stringify([b.suite, b.schedulers, b.shard]);
}

/** The sweep.json of a folder, checked; undefined when there is none. */
export function readSweepRecord(dir: string): SweepRecord | undefined {
  const path = join(dir, SWEEP_RECORD);
  if (!existsSync(path)) return undefined;
  let raw: Partial<SweepRecord>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<SweepRecord>;
  } catch (err) {
    throw new InputError('bad_sweep_record', `not valid JSON: ${(err as Error).message}`, { file: path });
  }
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (raw.format !== 'carbon-sim-sweep/1' || typeof raw.suite_file !== 'string' || !strings(raw.schedulers) || !strings(raw.schedulers_skipped) || !(raw.shard === null || typeof raw.shard === 'string')) {
    throw new InputError('bad_sweep_record', 'not a carbon-sim-sweep/1 record (written by carbon-sim bench)', { file: path });
  }
  return { ...(raw as SweepRecord), suite: normalizeSuite(raw.suite, path) };
}

/** Run (or resume) a sweep into opts.outDir. */
export async function runSweep(opts: SweepOptions): Promise<SweepOutcome> {
  const { suite, suiteFile, outDir } = opts;
  const { schedulers, skipped } = resolveSchedulers(suite, suiteFile);
  checkSuiteInputs(suite, suiteFile);
  const inputs = hashSuiteInputs(suite, suiteFile);
  const planned = shardRuns(planSweep(suite, schedulers), opts.shard);
  const hashes = (m: Record<string, { sha256: string }>): Record<string, string> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.sha256]));
  const record: SweepRecord = {
    format: 'carbon-sim-sweep/1',
    suite,
    suite_file: suiteFile,
    schedulers,
    schedulers_skipped: skipped,
    shard: shardLabel(opts.shard),
    carbon_sim_version: CARBON_SIM_VERSION,
    inputs: { carbon: hashes(inputs.carbon), workloads: hashes(inputs.workloads) },
  };

  const logPath = join(outDir, RUN_LOG);
  const previous = readSweepRecord(outDir);
  if (previous || existsSync(logPath)) {
    if (!opts.resume) throw new InputError('sweep_exists', 'this folder already holds a sweep: pass --resume to continue it, or choose another --out', { file: outDir, field: 'out' });
    if (!previous) throw new InputError('sweep_exists', `${RUN_LOG} exists without ${SWEEP_RECORD}: cannot tell which sweep it belongs to`, { file: outDir, field: 'out' });
    if (!sameSweep(previous, record)) {
      throw new InputError('sweep_mismatch', 'the folder holds a different sweep (suite, available schedulers or shard changed): use another --out', { file: join(outDir, SWEEP_RECORD) });
    }
  }
  // the log is checked before sweep.json is rewritten: a refused --resume leaves the folder as it was
  const log = readRunLog(logPath);
  const byId = new Map<string, PlannedRun>(planned.map((r) => [r.id, r]));
  const rows = new Map<string, LogRow>();
  log.rows.forEach((row, i) => {
    if (!byId.has(row.id)) throw new InputError('bad_run_log', `run ${row.id} is not part of this sweep`, { file: logPath, line: i + 1, field: 'id' });
    rows.set(row.id, row);
  });
  checkLoggedProvenance(log.rows, inputs, logPath);
  mkdirSync(outDir, { recursive: true });
  writeFilesAtomically(outDir, { [SWEEP_RECORD]: JSON.stringify(record, null, 2) + '\n' });
  const todo = planned.filter((r) => !rows.has(r.id));
  opts.onProgress?.(planned.length - todo.length, planned.length);

  const writer = new RunLogWriter(logPath, log.completeBytes);
  try {
    const execute = opts.executor ?? poolExecutor(Math.min(opts.workers ?? defaultWorkers(), todo.length));
    if (todo.length > 0) {
      await execute(todo, {
        suiteDir: dirname(suiteFile),
        inputs,
        onRow: (row) => {
          if (!byId.has(row.id) || rows.has(row.id)) throw new Error(`run ${row.id} reported twice or not part of this sweep`);
          writer.append(row);
          rows.set(row.id, row);
          opts.onProgress?.(rows.size, planned.length);
        },
      });
    }
  } finally {
    writer.close();
  }

  const results = finalizeResults(planned, rows);
  const summary = summaryMarkdown(summaryLines(results, { ...suite, schedulers }), {
    suiteName: suite.name,
    description: suite.description,
    skippedSchedulers: skipped,
    baselineRuns: results.filter((r) => r.role === 'baseline').length,
    shard: record.shard,
  });
  writeSweepResults(outDir, results, summary);
  return { record, results, summary, executed: todo.length, discardedPartialLine: log.partialLine };
}

export function writeSweepResults(outDir: string, results: readonly ResultRow[], summary: string): void {
  writeFilesAtomically(outDir, { [RESULTS_CSV]: resultsCsv(results), [RESULTS_JSONL]: resultsJsonl(results), [SUMMARY_MD]: summary });
}

/** The worker script next to the bundle this module was built into (dist/sweep-worker.js). */
export function workerFile(): string {
  const path = fileURLToPath(new URL('./sweep-worker.js', import.meta.url));
  if (!existsSync(path)) throw new Error(`sweep worker not found at ${path}: build the package (npx tsup)`);
  return path;
}

/** The files a run reads and the hashes they must have. */
export function runInputs(spec: { workload: string; carbon: string }, inputs: SweepInputs): RunInputs {
  const workload = inputs.workloads[spec.workload];
  const carbon = inputs.carbon[spec.carbon];
  if (!workload || !carbon) throw new Error(`no input hashes for ${spec.workload} / ${spec.carbon}`);
  return { workload: { path: workload.path, sha256: workload.sha256 }, carbon: { path: carbon.path, sha256: carbon.sha256 } };
}

/** Execute runs on a thread pool; stop at the first input error and report it with the run's inputs. */
function poolExecutor(threads: number): SweepExecutor {
  return (runs, ctx) => executeAll(runs, ctx.suiteDir, threads, ctx.inputs, ctx.onRow);
}

async function executeAll(runs: readonly PlannedRun[], suiteDir: string, threads: number, inputs: SweepInputs, onRow: (row: LogRow) => void): Promise<void> {
  const { Piscina } = await import('piscina');
  const pool = new Piscina<RunTask, RunTaskResult>({ filename: workerFile(), minThreads: threads, maxThreads: threads });
  const pending = runs.map((run) =>
    pool.run({ id: run.id, spec: run.spec, suiteDir, inputs: runInputs(run.spec, inputs) }).then((result) => {
      if (result.error) throw runError(run, result.error);
      onRow(result.row);
    }),
  );
  try {
    await Promise.all(pending);
  } finally {
    await pool.destroy();
  }
}

export function runError(run: PlannedRun, e: TaskInputError): InputError {
  const s = run.spec;
  const what = `run ${run.id} (${s.scheduler}, ${s.carbon}, wait ${s.max_wait}, ${s.workload}, forecast ${s.forecast}, seed ${s.seed})`;
  return new InputError(e.code, `${what}: ${e.message}`, { file: e.file, line: e.line, field: e.field });
}
