// Online policies by CLI name. Planners (src/schedulers) run online through fromPlanner; these
// act on the cluster itself and need no plan.
import { carbonEasyPolicy, easyPolicy, fcfsPolicy } from './batch.js';
import { easyPredictedPolicy } from './easy-predicted.js';
import type { Policy } from './types.js';

export interface PolicyEntry {
  description: string;
  create(): Policy;
}

export const POLICIES: Record<string, PolicyEntry> = {
  fcfs: { description: 'batch queue, first come first served: the head blocks the queue', create: () => fcfsPolicy() },
  easy: { description: 'batch queue with EASY backfilling: later jobs start if they do not delay the head\'s reservation', create: () => easyPolicy() },
  'carbon-easy': {
    description: 'EASY that holds queued jobs while intensity is in the dirtier half of the next 24 h, each until its latest start',
    create: () => carbonEasyPolicy(),
  },
  'easy-predicted': {
    description: 'EASY on predicted run times (last two jobs of the same size and request), grown EASY++-style when a job outlives its prediction',
    create: () => easyPredictedPolicy(),
  },
};

export function isPolicyName(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(POLICIES, name);
}

export function createPolicy(name: string): Policy {
  return POLICIES[name]!.create();
}
