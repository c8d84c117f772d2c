// The library form of `carbon-sim run`: everything the CLI does, as one typed function.
import { readFileSync } from 'node:fs';
import { parseTimestamp, type CarbonColumn } from './carbon/csv.js';
import { loadCarbon } from './carbon/load.js';
import type { CarbonSignal, ExtendMode } from './carbon/signal.js';
import { EventCollector, type LoggedEvent } from './cluster/eventlog.js';
import { simulate, type SimulationResult } from './cluster/simulate.js';
import { InputError } from './errors.js';
import type { Job } from './model/jobs.js';
import { jobRecord, summarize, type JobRecord, type RunSummary } from './report/summary.js';
import { createScheduler } from './schedulers/registry.js';
import { parsePlanBook } from './schedulers/replay.js';
import { maxWaitRule, parseWorkload, toJobs, type DeadlineRule, type TimeUnit } from './workload/trace.js';

export interface RunOptions {
  /** workload file path, or already built jobs */
  workload: string | Job[];
  /** carbon file path, bundled name (`DE-2023`), or a signal */
  carbon: string | CarbonSignal;
  scheduler: string;
  /** how deadlines are set for jobs without their own; default: 24 h maximum wait */
  deadlineRule?: DeadlineRule;
  /** slot length (s); default: the carbon resolution */
  slotS?: number;
  seed?: string | number;
  /** ISO 8601 instant of simulation time 0; default: the carbon trace's first timestamp */
  start?: string;
  timeUnit?: TimeUnit;
  wattsPerCpu?: number;
  carbonColumn?: CarbonColumn;
  extend?: ExtendMode;
  /** replay: plan file path */
  plan?: string;
  /** collect lifecycle events (for event logs); default true */
  events?: boolean;
}

export interface RunOutput {
  summary: RunSummary;
  jobs: JobRecord[];
  events: LoggedEvent[];
  simulation: SimulationResult;
  carbon: CarbonSignal;
}

export const DEFAULT_MAX_WAIT_S = 24 * 3600;

/**
 * Load inputs, simulate, summarise. Rejects with InputError (file, line, field) for bad input.
 * Async so that back-ends that load lazily (solvers, statistics) stay off the start-up path.
 */
export async function runWorkload(options: RunOptions): Promise<RunOutput> {
  let epochMs: number | undefined;
  if (options.start !== undefined) {
    epochMs = parseTimestamp(options.start);
    if (Number.isNaN(epochMs)) throw new InputError('bad_start', `"${options.start}" is not an ISO 8601 instant`, { field: 'start' });
  }
  const carbon =
    typeof options.carbon === 'string'
      ? loadCarbon(options.carbon, { column: options.carbonColumn ?? 'direct', extend: options.extend ?? 'none', ...(epochMs !== undefined && { epochMs }) })
      : options.carbon;
  const jobs =
    typeof options.workload === 'string'
      ? toJobs(
          parseWorkload(readInput(options.workload, 'workload'), {
            file: options.workload,
            timeUnit: options.timeUnit ?? 's',
            wattsPerCpu: options.wattsPerCpu ?? 1,
          }),
          options.deadlineRule ?? maxWaitRule(DEFAULT_MAX_WAIT_S),
        )
      : options.workload;
  const plans = options.plan !== undefined ? parsePlanBook(readInput(options.plan, 'plan'), options.plan) : undefined;
  const scheduler = createScheduler(options.scheduler, plans ? { plans } : {});
  const collector = options.events === false ? undefined : new EventCollector();
  let simulation: SimulationResult;
  try {
    simulation = simulate(jobs, {
      scheduler,
      carbon,
      ...(options.slotS !== undefined && { slotS: options.slotS }),
      seed: options.seed ?? 0,
      listeners: collector ? [collector] : [],
    });
  } catch (err) {
    if (err instanceof InputError && options.plan !== undefined && err.code === 'bad_plan') err.at({ file: options.plan });
    throw err;
  }
  return {
    summary: summarize(simulation.results),
    jobs: simulation.results.map(jobRecord),
    events: collector?.events ?? [],
    simulation,
    carbon,
  };
}

function readInput(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError('unreadable_file', code === 'ENOENT' ? 'no such file' : `cannot read file (${code})`, { file: path, field });
  }
}
