import { describeFill } from '../carbon/transform.js';
import { eventsCsv, eventsJsonl } from '../accounting/eventlog.js';
import { InputError } from '../errors.js';
import { writeFilesAtomically } from '../io/files.js';
import { jobsCsv, summaryTable } from '../report/summary.js';
import { runWorkload, type RunOptions, type RunOutput } from '../app/run.js';
import { runReportInput, writeReport } from './report.js';
import { describeDeadline, recordedFlags, runOptionsFromFlags } from '../app/options.js';
import { describeSkipped, totalSkipped } from '../io/swf.js';

export async function runCommand(workload: string, opts: Record<string, string>): Promise<void> {
  const options = runOptionsFromFlags(workload, opts);
  options.events = opts.out !== undefined;
  const deadlineText = describeDeadline(opts);
  if (opts.repeat !== undefined && opts.report !== undefined) throw new InputError('bad_option', '--report draws one run: it does not combine with --repeat', { field: 'report' });
  if (opts.repeat !== undefined) return repeatCommand(workload, options, opts, deadlineText);
  const out = await runWorkload(options);
  if (out.carbonFill) process.stderr.write(`carbon-sim: note: ${opts.carbon}: ${describeFill(out.carbonFill)}\n`);

  // Render everything before writing anything: bad input never leaves partial files.
  let stdout: string;
  if (opts.format === 'json') stdout = JSON.stringify({ summary: out.summary, jobs: out.jobs }) + '\n';
  else if (opts.format === 'csv') stdout = jobsCsv(out.jobs);
  else {
    const title = `carbon-sim run: ${workload} | scheduler ${opts.scheduler} | carbon ${opts.carbon} (${opts.carbonColumn}) | ${deadlineText}`;
    stdout = summaryTable(out.summary, title);
  }
  if (opts.report !== undefined) {
    const inputs = { workload, scheduler: opts.scheduler!, carbon: opts.carbon!, deadline: deadlineText, forecast: opts.forecast!, seed: opts.seed! };
    await writeReport(opts.report, runReportInput(out, inputs));
  }
  if (opts.out !== undefined) {
    writeFilesAtomically(opts.out, {
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
    });
  }
  if (totalSkipped(out.skipped) > 0) process.stderr.write(`carbon-sim: note: ${describeSkipped(out.skipped)}\n`);
  process.stdout.write(stdout);
}

/** The inputs recorded in summary.json: every option that shapes the run, resolved. */
function runInputs(workload: string, opts: Record<string, string>, options: RunOptions, out: RunOutput): Record<string, unknown> {
  return {
    workload,
    // the flags as given: `carbon-sim report` re-runs the folder from these through runOptionsFromFlags
    flags: recordedFlags(opts),
    carbon: opts.carbon,
    carbon_column: opts.carbonColumn,
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
  for (let i = 0; i < n; i++) runs.push({ seed: first + i, out: await runWorkload({ ...options, seed: first + i, events: false }) });
  const { out } = runs[0]!;
  if (out.carbonFill) process.stderr.write(`carbon-sim: note: ${opts.carbon}: ${describeFill(out.carbonFill)}\n`);
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
  if (opts.out !== undefined) {
    const inputs = runInputs(workload, opts, options, out);
    writeFilesAtomically(opts.out, { 'summary.json': JSON.stringify({ inputs, ...record }, null, 2) + '\n' });
  }
  process.stdout.write(stdout);
}

