// Per-scheduler settings as the CLI flags spell them, checked in one place: `carbon-sim run` reads
// them from its flags, sweeps from scheduler entries such as "lp --max-starts 2".
import { InputError } from '../errors.js';
import { SOLVERS, type SolverName } from '../solvers/solve.js';
import { PLAN_LENGTHS, START_GRIDS, type PlanLength, type StartGrid } from '../schedulers/candidates.js';

export interface SchedulerSettings {
  startGrid?: StartGrid;
  length?: PlanLength;
  thresholdQuantile?: number;
  solver?: SolverName;
  maxStarts?: number;
}

/** Flag (without `--`) -> setting. */
export const SCHEDULER_FLAGS = {
  'start-grid': 'startGrid',
  length: 'length',
  'threshold-quantile': 'thresholdQuantile',
  solver: 'solver',
  'max-starts': 'maxStarts',
} as const satisfies Record<string, keyof SchedulerSettings>;

export type SchedulerFlag = keyof typeof SCHEDULER_FLAGS;

function oneOf<T extends string>(value: string, choices: readonly T[], flag: string): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new InputError('bad_option', `--${flag} "${value}" is not one of ${choices.join(', ')}`, { field: flag });
  }
  return value as T;
}

/** Check flag values and turn them into settings; absent flags stay unset (the scheduler's default). */
export function schedulerSettings(flags: Partial<Record<SchedulerFlag, string>>): SchedulerSettings {
  const out: SchedulerSettings = {};
  const v = flags;
  if (v['start-grid'] !== undefined) out.startGrid = oneOf(v['start-grid'], START_GRIDS, 'start-grid');
  if (v.length !== undefined) out.length = oneOf(v.length, PLAN_LENGTHS, 'length');
  if (v.solver !== undefined) out.solver = oneOf(v.solver, SOLVERS, 'solver');
  if (v['threshold-quantile'] !== undefined) {
    const text = v['threshold-quantile'];
    const q = Number(text);
    if (text.trim() === '' || !Number.isFinite(q) || q < 0) {
      throw new InputError('bad_option', `"${text}" must be a non-negative number`, { field: 'threshold-quantile' });
    }
    out.thresholdQuantile = q;
  }
  if (v['max-starts'] !== undefined) {
    const text = v['max-starts'];
    if (!/^\s*\d+\s*$/.test(text) || !(Number(text) >= 1)) {
      throw new InputError('bad_option', `"${text}" must be a positive whole number of starts`, { field: 'max-starts' });
    }
    out.maxStarts = Number(text);
  }
  return out;
}

/**
 * A scheduler with settings in CLI syntax, e.g. `lp --max-starts 2` or
 * `carbon-time --start-grid arrival --length average`: its name and checked settings.
 */
export function parseSchedulerSpec(spec: string, field = 'scheduler'): { name: string; settings: SchedulerSettings } {
  const [name, ...rest] = spec.trim().split(/\s+/);
  const flags: Partial<Record<SchedulerFlag, string>> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i]!.replace(/^--/, '');
    if (!rest[i]!.startsWith('--') || !(flag in SCHEDULER_FLAGS)) {
      throw new InputError('bad_option', `"${rest[i]}" in "${spec}" is not a scheduler setting (${Object.keys(SCHEDULER_FLAGS).map((f) => `--${f}`).join(', ')})`, { field });
    }
    if (rest[i + 1] === undefined) throw new InputError('bad_option', `${rest[i]} in "${spec}" needs a value`, { field });
    if ((flag as SchedulerFlag) in flags) throw new InputError('bad_option', `${rest[i]} appears twice in "${spec}"`, { field });
    flags[flag as SchedulerFlag] = rest[i + 1]!;
  }
  return { name: name ?? '', settings: schedulerSettings(flags) };
}
