import { InputError } from '../errors.js';
import { agnosticScheduler } from './agnostic.js';
import { oracleScheduler } from './oracle.js';
import { replayScheduler, type PlanBook } from './replay.js';
import type { Scheduler } from './types.js';
import { waitAWhileScheduler } from './waitawhile.js';

/** Options any scheduler may need; each factory reads only its own. */
export interface SchedulerOptions {
  /** replay: the plan to execute */
  plans?: PlanBook;
}

export interface SchedulerEntry {
  description: string;
  create(options: SchedulerOptions): Scheduler;
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
    create: () => waitAWhileScheduler(),
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

export function createScheduler(name: string, options: SchedulerOptions = {}): Scheduler {
  const entry = Object.prototype.hasOwnProperty.call(SCHEDULERS, name) ? SCHEDULERS[name] : undefined;
  if (!entry) throw new InputError('unknown_scheduler', `unknown scheduler "${name}" (known: ${schedulerNames().join(', ')})`, { field: 'scheduler' });
  return entry.create(options);
}
