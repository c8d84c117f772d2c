// One sweep run = one runWorkload() call with the options `carbon-sim run` would build from the
// same strings. Shared by the worker threads and by reports that re-run a sweep's runs.
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InputError } from '../errors.js';
import { runWorkload, type RunOptions, type RunOutput } from '../app/run.js';
import { parseSchedulerSpec } from '../app/settings.js';
import { parseMaxWaitFlag } from '../app/options.js';
import { parseDuration } from '../io/units.js';
import { CALENDAR_RULES, type DeadlineChoice } from '../model/deadlines.js';
import type { LogRow } from './log.js';
import type { RunSpec } from './plan.js';
import { CARBON_SIM_VERSION, changedInput, sha256File, type RunInputs } from './provenance.js';
import { resolveCarbonPath } from '../carbon/load.js';
import { bundledWorkloadNames, bundledWorkloadsDir } from '../io/bundled.js';
import { schedulerReadsSlot } from '../schedulers/registry.js';

/** A file named in a suite, relative to the suite's folder. */
export function suitePath(suiteDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(suiteDir, path);
}

/** A workload entry: a file next to the suite if one exists, otherwise a bundled workload name (`pai_1k`). */
export function suiteWorkload(suiteDir: string, workload: string): string {
  const path = suitePath(suiteDir, workload);
  if (existsSync(path) || !/^[A-Za-z0-9_-]+$/.test(workload)) return path;
  if (bundledWorkloadNames().includes(workload)) return join(bundledWorkloadsDir(), `${workload}.csv`);
  throw new InputError('unknown_workload', `workload "${workload}" is neither a file next to the suite nor a bundled workload (bundled: ${bundledWorkloadNames().join(', ')})`, { field: 'workloads' });
}

/** A carbon entry: a file next to the suite if one exists, otherwise a bundled trace name. */
export function suiteCarbon(suiteDir: string, carbon: string): string {
  const path = suitePath(suiteDir, carbon);
  return existsSync(path) ? path : carbon;
}

/**
 * A `max_wait` entry: a wait (`24h`, `6hx24h`) as `--max-wait`, or a calendar rule
 * (`next-workday`, `semi-weekly`) as `--deadline`, in the suite's time zone.
 */
export function deadlineChoice(entry: string, timezone: string): DeadlineChoice {
  if ((CALENDAR_RULES as readonly string[]).includes(entry)) return { deadline: entry, ...(timezone !== '' && { timeZone: timezone }) };
  if (timezone !== '') throw new InputError('bad_option', `timezone applies to the calendar rules (${CALENDAR_RULES.join(', ')}) only, not to the wait "${entry}"`, { field: 'timezone' });
  return { deadlineRule: parseMaxWaitFlag(entry, 'max-wait') };
}

/** The runWorkload options for a run, exactly as `carbon-sim run` builds them from its flags. */
export function runOptions(spec: RunSpec, suiteDir: string): RunOptions {
  const { name, settings } = parseSchedulerSpec(spec.scheduler);
  const options: RunOptions = {
    workload: suiteWorkload(suiteDir, spec.workload),
    carbon: suiteCarbon(suiteDir, spec.carbon),
    scheduler: name,
    ...settings,
    ...deadlineChoice(spec.max_wait, spec.timezone),
    seed: spec.seed,
    timeUnit: spec.time_unit,
    wattsPerCpu: spec.watts_per_cpu,
    carbonColumn: spec.carbon_column,
    extend: spec.extend,
    forecast: spec.forecast,
    events: false,
  };
  // the suite's slot is for the schedulers that plan on the slot grid; the others (the agnostic
  // baseline among them) never read it, and checkSuiteInputs refuses a slot that no scheduler reads
  if (spec.slot !== '' && schedulerReadsSlot(name, settings)) {
    options.slotS = parseDuration(spec.slot, 'slot');
    if (!(options.slotS > 0)) throw new InputError('bad_option', 'slot must be positive', { field: 'slot' });
  }
  if (spec.start !== '') options.start = spec.start;
  return options;
}

/**
 * Run one sweep run; returns its log row (wall time covers loading and simulating) and the output.
 * With `inputs`, the run reads those files (a worker's cached copies, or the suite's files) and
 * first checks they still have the hashes the sweep started from; the row records the hashes.
 */
export async function executeRun(id: string, spec: RunSpec, suiteDir: string, inputs?: RunInputs): Promise<{ row: LogRow; output: RunOutput }> {
  const options = runOptions(spec, suiteDir);
  const workloadPath = inputs?.workload.path ?? (options.workload as string);
  const carbonPath = inputs?.carbon.path ?? resolveCarbonPath(options.carbon as string);
  const workload_sha256 = sha256File(workloadPath, 'workload');
  const carbon_sha256 = sha256File(carbonPath, 'carbon');
  if (inputs && inputs.workload.sha256 !== workload_sha256) throw changedInput(workloadPath, inputs.workload.sha256, workload_sha256, 'the sweep started');
  if (inputs && inputs.carbon.sha256 !== carbon_sha256) throw changedInput(carbonPath, inputs.carbon.sha256, carbon_sha256, 'the sweep started');
  if (inputs) {
    options.workload = workloadPath;
    options.carbon = carbonPath;
  }
  const t0 = performance.now();
  const output = await runWorkload(options);
  const wall_s = Math.round(performance.now() - t0) / 1000;
  return { row: { id, ...spec, ...output.summary, workload_sha256, carbon_sha256, carbon_sim_version: CARBON_SIM_VERSION, wall_s }, output };
}
