import { describeFill } from '../carbon/transform.js';
import { eventsCsv, eventsJsonl } from '../accounting/eventlog.js';
import { InputError } from '../errors.js';
import { beginOutputs, checkOutputs, type OutputTarget } from '../io/files.js';
import { jobsCsvChunks, runJsonChunks, summaryTable } from '../report/summary.js';
import { runWorkload, type RunOptions, type RunOutput } from '../app/run.js';
import { renderReportFor, reportTargets, runBaseline, runReportInput } from './report.js';
import { progressLine, writeStdout } from './output.js';
import { describeDeadline, recordedFlags, runOptionsFromFlags } from '../app/options.js';
import { describeSkipped, totalSkipped } from '../io/swf.js';

export async function runCommand(workload: string, opts: Record<string, string>): Promise<void> {
  const options = runOptionsFromFlags(workload, opts);
  options.events = opts.out !== undefined;
  const deadlineText = describeDeadline(opts);
  if (opts.repeat !== undefined && opts.report !== undefined) throw new InputError('bad_option', '--report draws one run: it does not combine with --repeat', { field: 'report' });
  // every output path is checked before the run: a bad one fails now, and nothing is written
  checkOutputs([...outTargets(opts, opts.repeat !== undefined ? ['summary.json'] : RUN_OUT_FILES), ...(opts.report !== undefined ? reportTargets(opts.report, 'report') : [])]);
  if (opts.progress !== undefined) options.onProgress = progressLine('run', 'jobs finished');
  if (opts.repeat !== undefined) return repeatCommand(workload, options, opts, deadlineText);
  const out = await runWorkload(options);
  if (out.carbonFill) process.stderr.write(`carbon-sim: note: ${opts.carbon}: ${describeFill(out.carbonFill)}\n`);
  powerModelNote(out, opts);

  // Bad input has failed by now (the run is done): files are written first, then stdout. JSON and CSV
  // are streamed from the results, never built as one string or as per-job records.
  let stdout: Iterable<string>;
  if (opts.format === 'json') stdout = runJsonChunks(out.summary, out.simulation.outcomes);
  else if (opts.format === 'csv') stdout = jobsCsvChunks(out.simulation.outcomes);
  else {
    const title = `carbon-sim run: ${workload} | scheduler ${opts.scheduler} | carbon ${opts.carbon} (${opts.carbonColumn}) | ${deadlineText}`;
    stdout = [summaryTable(out.summary, title)];
  }
  // the report, its charts and the --out files are written together, or none of them
  const targets: OutputTarget[] = [];
  if (opts.report !== undefined) {
    const inputs = { workload, scheduler: opts.scheduler!, carbon: opts.carbon!, deadline: deadlineText, forecast: opts.forecast!, seed: opts.seed! };
    const baseline = await runBaseline(options, out);
    targets.push(...reportTargets(opts.report, 'report', await renderReportFor(opts.report, runReportInput(out, baseline, inputs))));
  }
  if (opts.out !== undefined) {
    targets.push(...outTargets(opts, {
      'events.csv': eventsCsv(out.events),
      'events.jsonl': eventsJsonl(out.events),
      'summary.json':
        JSON.stringify(
          {
            inputs: runInputs(workload, opts, options, out),
            summary: out.summary,
          },
          null,
          2,
        ) + '\n',
    }));
  }
  const written = beginOutputs(targets);
  if (totalSkipped(out.skipped) > 0) process.stderr.write(`carbon-sim: note: ${describeSkipped(out.skipped)}\n`);
  // stdout last, so a reader that stops early (`| head`) does not cost the files; if stdout fails
  // (a full disk) the files are taken back: the command failed, and leaves nothing behind
  try {
    await writeStdout(stdout);
  } catch (err) {
    written.rollback();
    throw err;
  }
  written.done();
}

/** Write the pieces to stdout as they come (see output.ts: backpressure, EPIPE, a full disk). */
export { writeStdout };

/** The files of `--out DIR`. */
const RUN_OUT_FILES = ['events.csv', 'events.jsonl', 'summary.json'];

/** `--out DIR` as an output target (file names only: for checking). */
function outTargets(opts: Record<string, string>, files: readonly string[] | Record<string, string>): OutputTarget[] {
  if (opts.out === undefined) return [];
  const data = Array.isArray(files) ? Object.fromEntries(files.map((f) => [f, ''])) : (files as Record<string, string>);
  return [{ kind: 'into', dir: opts.out, field: 'out', files: data }];
}

/**
 * The power model in force when the workload gives some jobs no power (a GAIA CSV without a power
 * column, SWF): one line on stderr, with the table only (JSON and CSV outputs record it in
 * summary.json as watts_per_cpu and print nothing extra).
 */
function powerModelNote(out: RunOutput, opts: Record<string, string>): void {
  if (out.cpuPowerJobs === 0 || (opts.format ?? 'table') !== 'table') return;
  const n = out.summary.jobs;
  const which = out.cpuPowerJobs === n ? 'every job' : `${out.cpuPowerJobs} of ${n} jobs`;
  process.stderr.write(`carbon-sim: note: power model: ${opts.wattsPerCpu ?? '1'} W per cpu for ${which} (the workload gives no power; set it with --watts-per-cpu)\n`);
}

/** The inputs recorded in summary.json: every option that shapes the run, resolved. */
function runInputs(workload: string, opts: Record<string, string>, options: RunOptions, out: RunOutput): Record<string, unknown> {
  return {
    workload,
    // the flags as given: `carbon-sim report` re-runs the folder from these through runOptionsFromFlags
    flags: recordedFlags(opts),
    carbon: opts.carbon,
    carbon_column: opts.carbonColumn,
    carbon_time_column: opts.carbonTimeColumn ?? null,
    carbon_value_column: opts.carbonValueColumn ?? null,
    carbon_unit: opts.carbonUnit ?? 'g/kWh',
    scheduler: opts.scheduler,
    start_grid: options.startGrid ?? null,
    length: options.length ?? null,
    threshold_quantile: options.thresholdQuantile ?? null,
    solver: options.solver ?? null,
    max_starts: options.maxStarts ?? null,
    max_wait: opts.deadline === undefined ? (opts.maxWait ?? '24h') : null,
    deadline: opts.deadline ?? null,
    timezone: opts.deadline === undefined ? null : (opts.timezone ?? 'UTC'),
    skipped_jobs: out.skipped,
    slot_s: out.simulation.slotS,
    seed: opts.seed,
    start: opts.start ?? null,
    end: opts.end ?? null,
    epoch: new Date(out.carbon.epochMs).toISOString(),
    resample_s: options.resampleS ?? null,
    fill: opts.fill,
    carbon_fill: out.carbonFill ?? null,
    forecast: opts.forecast,
    ...(out.cluster && { cluster: opts.cluster, cluster_nodes: out.cluster.nodes.length, ...(options.power && { power: options.power }) }),
    time_unit: opts.timeUnit,
    watts_per_cpu: options.wattsPerCpu,
    extend: opts.extend,
  };
}

/**
 * `--repeat N`: the run for seeds seed, seed+1, ..., seed+N-1 (forecast noise and scheduler
 * randomness differ per seed), reported as the mean, the 95% confidence interval of the mean and
 * percentiles of each summary metric. With --out only summary.json is written (inputs, the
 * statistics and each seed's summary).
 */
async function repeatCommand(workload: string, options: RunOptions, opts: Record<string, string>, deadlineText: string): Promise<void> {
  const n = Number(opts.repeat);
  if (!/^\d+$/.test(opts.repeat!.trim()) || n < 1) throw new InputError('bad_option', `"${opts.repeat}" must be a positive integer`, { field: 'repeat' });
  const first = Number(opts.seed);
  if (!/^-?\d+$/.test(opts.seed!.trim()) || !Number.isSafeInteger(first + n)) {
    throw new InputError('bad_option', `--repeat runs seeds seed..seed+N-1, so --seed must be an integer, got "${opts.seed}"`, { field: 'seed' });
  }
  const runs: { seed: number; out: RunOutput }[] = [];
  // --progress: one count over all seeds
  const tick = opts.progress !== undefined ? progressLine(`run --repeat ${n}`, 'jobs finished (all seeds)') : undefined;
  for (let i = 0; i < n; i++) {
    const onProgress = tick && ((done: number, total: number): void => tick(i * total + done, n * total));
    runs.push({ seed: first + i, out: await runWorkload({ ...options, seed: first + i, events: false, ...(onProgress && { onProgress }) }) });
  }
  const { out } = runs[0]!;
  if (out.carbonFill) process.stderr.write(`carbon-sim: note: ${opts.carbon}: ${describeFill(out.carbonFill)}\n`);
  powerModelNote(out, opts);
  const { describeFields, statsCsv, statsTable } = await import('../report/stats.js');
  const stats = await describeFields(runs.map((r) => r.out.summary as unknown as Record<string, unknown>));
  const record = { repeat: { n, seeds: runs.map((r) => r.seed) }, summary: stats, runs: runs.map((r) => ({ seed: r.seed, summary: r.out.summary })) };
  let stdout: string;
  if (opts.format === 'json') stdout = JSON.stringify(record) + '\n';
  else if (opts.format === 'csv') stdout = statsCsv(stats);
  else {
    const forecast = `forecast ${opts.forecast}`;
    const title = `carbon-sim run: ${workload} | scheduler ${opts.scheduler} | carbon ${opts.carbon} (${opts.carbonColumn}) | ${forecast} | ${deadlineText} | seeds ${first}..${first + n - 1}`;
    stdout = statsTable(stats, title);
  }
  const inputs = opts.out !== undefined ? runInputs(workload, opts, options, out) : undefined;
  const written = beginOutputs(outTargets(opts, { 'summary.json': JSON.stringify({ inputs, ...record }, null, 2) + '\n' }));
  try {
    await writeStdout([stdout]);
  } catch (err) {
    written.rollback();
    throw err;
  }
  written.done();
}

