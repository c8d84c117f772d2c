// The planner path: execute one job's whole plan and charge it at once. The online engine charges
// the same pieces as they run (meters.ts); tests hold the two equal.
import { JOULES_PER_KWH, type CarbonSignal } from '../carbon/signal.js';
import { executePlan, type Execution, type Interval } from '../model/execution.js';
import type { Job } from '../model/jobs.js';
import { emissionsWeight } from '../carbon/emissions.js';

export interface ChargedRun {
  execution: Execution;
  /** emissions (g) of everything that ran */
  carbonG: number;
  /** emissions (g) of the startup phases, over all starts */
  startupCarbonG: number;
}

/** Execute a plan and charge each constant-power piece exactly against the signal, in one pass. */
export function chargePlan(job: Job, intervals: readonly Interval[], carbon: CarbonSignal): ChargedRun {
  let total = 0;
  let startup = 0;
  const execution = executePlan(job.profile, job.arrival, intervals, (a, b, p, isStartup) => {
    const g = emissionsWeight(p, a, b, carbon);
    total += g;
    if (isStartup) startup += g;
  });
  return { execution, carbonG: total / JOULES_PER_KWH, startupCarbonG: startup / JOULES_PER_KWH };
}
