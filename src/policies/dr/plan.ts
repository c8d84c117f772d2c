// The four policies by name, as planners of whole events: the exact form the scenario command
// prints and the online policies execute.
import type { PowerTargetTimeline } from '../../cluster/demand-response.js';
import type { InputLocation } from '../../errors.js';
import { planDvfsFairEvent } from './dvfs-fair.js';
import { planDvfsPausingFairEvent } from './dvfs-pausing-fair.js';
import { planPausingGreedyEvent } from './pausing-greedy.js';
import { planPausingResizeFairEvent } from './pausing-resize-fair.js';
import { planWith, type DrJob, type DrOptions, type DrPlan, type DrPolicyName, type EventPlanner } from './shared.js';

export const EVENT_PLANNERS: Readonly<Record<DrPolicyName, EventPlanner>> = {
  'dvfs-fair': planDvfsFairEvent,
  'dvfs-pausing-fair': planDvfsPausingFairEvent,
  'pausing-greedy': planPausingGreedyEvent,
  'pausing-resize-fair': planPausingResizeFairEvent,
};

export const DR_POLICY_DESCRIPTIONS: Readonly<Record<DrPolicyName, string>> = {
  'dvfs-fair': 'DVFS Fair: every job sheds the same fraction of its own headroom (caps only)',
  'dvfs-pausing-fair': 'DVFS + Job Pausing Fair: a set of jobs paused in turn in equal slots, DVFS Fair for the rest',
  'pausing-greedy': 'Job Pausing Greedy: a table of rows; pause the next most flexible job while a row is over budget',
  'pausing-resize-fair': 'Job Pausing + Resource Allocation Fair: pause one fully flexible job or none, shrink the others node by node',
};

/** Plan every event of the timeline with one policy; all jobs run uncapped outside events. */
export function planDemandResponse(
  policy: DrPolicyName,
  jobs: readonly DrJob[],
  timeline: PowerTargetTimeline,
  options: DrOptions = {},
  where: (job: number) => InputLocation = () => ({}),
): DrPlan {
  return planWith(policy, EVENT_PLANNERS[policy], jobs, timeline, options, where);
}
