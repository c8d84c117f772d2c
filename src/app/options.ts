// The one mapping from CLI strings to run options: `run` parses its flags with it, and `report`
// re-runs a `run --out` folder from the flags recorded in its summary.json through it again.
import { CARBON_UNITS, type CarbonColumn, type CarbonUnit } from '../carbon/csv.js';
import type { ExtendMode } from '../carbon/signal.js';
import type { FillMode } from '../carbon/transform.js';
import { parsePowerFlag, type PowerOverrides } from '../cluster/spec.js';
import type { DevicePower } from '../cluster/types.js';
import { InputError } from '../errors.js';
import type { TimeUnit } from '../io/trace.js';
import { parseDuration } from '../io/units.js';
import { parseMaxWait, type DeadlineRule } from '../model/deadlines.js';
import type { RunOptions } from './run.js';
import { schedulerSettings } from './settings.js';

/** Run flags by their commander names (camelCase), as strings; output-only flags are not among them. */
export type RunFlags = Record<string, string | undefined>;

/** Flags that shape what is simulated (recorded in summary.json), not how it is printed. */
export const RUN_FLAGS = [
  'carbon', 'scheduler', 'seed', 'timeUnit', 'wattsPerCpu', 'carbonColumn', 'carbonTimeColumn', 'carbonValueColumn', 'carbonUnit', 'extend', 'slot', 'start', 'end', 'resample',
  'fill', 'forecast', 'maxWait', 'deadline', 'timezone', 'skipIncomplete', 'plan', 'cluster', 'processorPower',
  'cpuPackagePower', 'gpuPower', 'startGrid', 'length', 'thresholdQuantile', 'solver', 'maxStarts',
] as const;

/** The run-shaping flags of a command line, for summary.json (`true` switches as "true"). */
export function recordedFlags(opts: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of RUN_FLAGS) if (opts[k] !== undefined) out[k] = String(opts[k]);
  return out;
}

function positiveNumber(text: string, field: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0) throw new InputError('bad_option', `"${text}" must be a non-negative number`, { field });
  return v;
}

/** --processor-power, --cpu-package-power, --gpu-power as power overrides of the cluster spec. */
function powerFlags(opts: RunFlags): PowerOverrides | undefined {
  const out: PowerOverrides = {};
  if (opts.processorPower !== undefined) out.processor = parsePowerFlag(opts.processorPower, 'processor-power');
  if (opts.cpuPackagePower !== undefined) out.cpuPackage = parsePowerFlag(opts.cpuPackagePower, 'cpu-package-power');
  if (opts.gpuPower !== undefined) {
    const gpus: Record<string, DevicePower> = {};
    for (const part of opts.gpuPower.split(',')) {
      const [model, value] = part.split('=');
      if (!model || value === undefined) throw new InputError('bad_option', `"${part}" is not MODEL=idle/busy`, { field: 'gpu-power' });
      gpus[model.trim()] = parsePowerFlag(value, 'gpu-power');
    }
    out.gpus = gpus;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * A wait as the CLI and suites take it (`24h`, `6hx24h`): every part needs a unit, since `24`
 * would be 24 seconds, which is rarely meant (only `0` may go without one).
 */
export function parseMaxWaitFlag(text: string, field: string): DeadlineRule {
  for (const part of text.split('x')) {
    if (/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(part) && Number(part) !== 0) {
      const n = part.trim();
      const example = text.includes('x') ? text.split('x').map((p) => (p === part ? `${n}h` : p)).join('x') : `${n}h`;
      const what = text.includes('x') ? `"${n}" in "${text}"` : `"${text}"`;
      throw new InputError('bad_duration', `${what} has no unit: write ${example} for hours (or ${n}s, ${n}m, ${n}d); a bare number would be seconds`, { field });
    }
  }
  return parseMaxWait(text);
}

/** Parse and check run flags into RunOptions; every problem is one InputError naming the flag. */
export function runOptionsFromFlags(workload: string, opts: RunFlags): RunOptions {
  const options: RunOptions = {
    workload,
    carbon: opts.carbon!,
    scheduler: opts.scheduler!,
    seed: opts.seed!,
    timeUnit: opts.timeUnit as TimeUnit,
    wattsPerCpu: positiveNumber(opts.wattsPerCpu!, 'watts-per-cpu'),
    carbonColumn: opts.carbonColumn as CarbonColumn,
    extend: opts.extend as ExtendMode,
  };
  if (opts.carbonTimeColumn !== undefined) options.carbonTimeColumn = opts.carbonTimeColumn;
  if (opts.carbonValueColumn !== undefined) options.carbonValueColumn = opts.carbonValueColumn;
  if (opts.carbonUnit !== undefined) {
    if (!(CARBON_UNITS as string[]).includes(opts.carbonUnit)) {
      throw new InputError('bad_option', `"${opts.carbonUnit.slice(0, 80)}" is not a carbon unit (${CARBON_UNITS.join(', ')})`, { field: 'carbon-unit' });
    }
    options.carbonUnit = opts.carbonUnit as CarbonUnit;
  }
  if (opts.slot !== undefined) {
    options.slotS = parseDuration(opts.slot, 'slot');
    if (!(options.slotS > 0)) throw new InputError('bad_option', 'slot must be positive', { field: 'slot' });
  }
  if (opts.start !== undefined) options.start = opts.start;
  if (opts.end !== undefined) options.end = opts.end;
  if (opts.resample !== undefined) options.resampleS = parseDuration(opts.resample, 'resample');
  options.fill = opts.fill as FillMode;
  options.forecast = opts.forecast!;
  // --max-wait has no commander default so that giving it with --deadline is caught
  if (opts.maxWait !== undefined) options.deadlineRule = parseMaxWaitFlag(opts.maxWait, 'max-wait');
  if (opts.deadline !== undefined) options.deadline = opts.deadline;
  if (opts.timezone !== undefined) options.timeZone = opts.timezone;
  if (opts.skipIncomplete !== undefined) options.skipIncomplete = true;
  if (opts.plan !== undefined) options.plan = opts.plan;
  if (opts.cluster !== undefined) options.cluster = opts.cluster;
  const power = powerFlags(opts);
  if (power) {
    if (opts.cluster === undefined) throw new InputError('bad_option', 'power flags describe a finite cluster: give --cluster', { field: Object.keys(power)[0] === 'processor' ? 'processor-power' : 'cpu-package-power' });
    options.power = power;
  }
  Object.assign(
    options,
    schedulerSettings({
      'start-grid': opts.startGrid,
      length: opts.length,
      'threshold-quantile': opts.thresholdQuantile,
      solver: opts.solver,
      'max-starts': opts.maxStarts,
    }),
  );
  if (opts.plan !== undefined && opts.scheduler !== 'replay') {
    throw new InputError('bad_option', '--plan is only used by --scheduler replay', { field: 'plan' });
  }

  return options;
}

/** "max wait 24h" or "deadline next-workday (Europe/Berlin)", for titles. */
export function describeDeadline(opts: RunFlags): string {
  return opts.deadline !== undefined ? `deadline ${opts.deadline} (${opts.timezone ?? 'UTC'})` : `max wait ${opts.maxWait ?? '24h'}`;
}
