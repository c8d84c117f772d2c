import { InputError } from '../errors.js';
import { agnosticScheduler } from './agnostic.js';
import type { PlanLength, StartGrid } from './candidates.js';
import { carbonTimeScheduler } from './carbon-time.js';
import { ecovisorScheduler } from './ecovisor.js';
import { lowestSlotScheduler } from './lowest-slot.js';
import { lowestWindowScheduler } from './lowest-window.js';
import { lpScheduler } from './lp.js';
import type { SolverName } from '../solvers/solve.js';
import { oracleScheduler } from './oracle.js';
import { replayScheduler, type PlanBook } from './replay.js';
import type { Scheduler } from './types.js';
import { waitAWhileScheduler } from './waitawhile.js';

/** Options any scheduler may need; each factory reads only its own. */
export interface SchedulerOptions {
  /** replay: the plan to execute */
  plans?: PlanBook;
  /** lowest-window, carbon-time: candidate starts (default `clock`) */
  startGrid?: StartGrid;
  /** lowest-window, carbon-time: plan with the real length or the queue's mean (default `actual`) */
  length?: PlanLength;
  /** ecovisor: quantile of the next day's intensity used as threshold (default 0.3) */
  thresholdQuantile?: number;
  /** lp: exact solver, `dp` (default), `highs` or `jslp` (MILP back-ends: loadMilpBackend first) */
  solver?: SolverName;
  /** lp: at most this many run intervals per job (default: no cap) */
  maxStarts?: number;
}

/** Options that change a rule, by CLI flag: given to a scheduler that ignores them, they are an error. */
const TUNING_FLAGS = {
  startGrid: 'start-grid',
  length: 'length',
  thresholdQuantile: 'threshold-quantile',
  solver: 'solver',
  maxStarts: 'max-starts',
} as const;
type TuningOption = keyof typeof TUNING_FLAGS;

export interface SchedulerEntry {
  description: string;
  /** the tuning options it reads */
  reads?: readonly TuningOption[];
  /** whether it reads the slot grid (`--slot`) with these options; absent: it never does */
  readsSlot?: (options: SchedulerOptions) => boolean;
  create(options: SchedulerOptions): Scheduler;
}

/** lowest-window and carbon-time start on slot boundaries with the clock grid, on whole hours after arrival otherwise. */
function onClockGrid(o: SchedulerOptions): boolean {
  return (o.startGrid ?? 'clock') === 'clock';
}

/** Every scheduler by its CLI name. */
export const SCHEDULERS: Record<string, SchedulerEntry> = {
  agnostic: { description: 'run at arrival, uninterrupted (carbon-agnostic baseline)', create: () => agnosticScheduler() },
  oracle: {
    description: 'uninterrupted, least-emission start for the real phase profile (exact, continuous time)',
    create: () => oracleScheduler(),
  },
  waitawhile: {
    description: 'suspend-resume into the cheapest slots before the deadline (assumes free interruption)',
    readsSlot: () => true,
    create: () => waitAWhileScheduler(),
  },
  'lowest-slot': {
    description: 'uninterrupted, from the earliest instant of least intensity within the wait (GAIA)',
    create: () => lowestSlotScheduler(),
  },
  'lowest-window': {
    description: 'uninterrupted, the candidate start whose run emits least (GAIA; --start-grid, --length)',
    reads: ['startGrid', 'length'],
    readsSlot: onClockGrid,
    create: (o) => lowestWindowScheduler(o),
  },
  'carbon-time': {
    description: 'uninterrupted, the candidate start saving most carbon per hour of completion time (GAIA; --start-grid, --length)',
    reads: ['startGrid', 'length'],
    readsSlot: onClockGrid,
    create: (o) => carbonTimeScheduler(o),
  },
  ecovisor: {
    description: 'suspend-resume: run while intensity < the next day\'s 0.3 quantile, until the wait is spent (GAIA; --threshold-quantile)',
    reads: ['thresholdQuantile'],
    create: (o) => ecovisorScheduler(o),
  },
  lp: {
    description: 'checkpoint-resume on the slot grid, exact least emissions with every startup and lost work (--solver, --max-starts)',
    reads: ['solver', 'maxStarts'],
    readsSlot: () => true,
    create: (o) => lpScheduler({ ...(o.solver !== undefined && { solver: o.solver }), ...(o.maxStarts !== undefined && { maxStarts: o.maxStarts }) }),
  },
  replay: {
    description: 'execute a plan file {"jobs": {"<id>": [[start, end], ...]}} (--plan)',
    create: (o) => {
      if (!o.plans) throw new InputError('missing_plan', 'the replay scheduler needs a plan file (--plan FILE)', { field: 'plan' });
      return replayScheduler(o.plans);
    },
  },
};

export function schedulerNames(): string[] {
  return Object.keys(SCHEDULERS);
}

/**
 * Whether the scheduler `name` with these options plans on the slot grid, so that a slot length
 * (`--slot`) changes what it does; false for unknown names (createScheduler reports those).
 */
export function schedulerReadsSlot(name: string, options: SchedulerOptions = {}): boolean {
  const entry = Object.prototype.hasOwnProperty.call(SCHEDULERS, name) ? SCHEDULERS[name] : undefined;
  return entry?.readsSlot?.(options) ?? false;
}

/** The schedulers that read the slot grid with their default options, for messages. */
export function slotSchedulerNames(): string[] {
  return Object.entries(SCHEDULERS).filter(([, e]) => e.readsSlot?.({}) === true).map(([n]) => n);
}

export function createScheduler(name: string, options: SchedulerOptions = {}): Scheduler {
  const entry = Object.prototype.hasOwnProperty.call(SCHEDULERS, name) ? SCHEDULERS[name] : undefined;
  if (!entry) throw new InputError('unknown_scheduler', `unknown scheduler "${name}" (known: ${schedulerNames().join(', ')})`, { field: 'scheduler' });
  for (const key of Object.keys(TUNING_FLAGS) as TuningOption[]) {
    if (options[key] !== undefined && !entry.reads?.includes(key)) {
      const flag = TUNING_FLAGS[key];
      throw new InputError('bad_option', `--${flag} does not apply to scheduler "${name}"`, { field: flag });
    }
  }
  return entry.create(options);
}
