// What summaries and writers read of a run's jobs, job by job: the engine's result columns
// (JobResults, cluster/simulate.ts) answer without building a JobResult per job; an array of
// JobResults answers through outcomesOf. One reader for both, so one summary and one writer.
import type { Interval } from '../model/execution.js';
import type { Job } from '../model/jobs.js';
import type { JobResult } from '../cluster/simulate.js';

export interface JobOutcomes {
  readonly length: number;
  job(j: number): Job;
  /** first start (NaN when never started) */
  startS(j: number): number;
  /** instant the work completed (NaN when it did not) */
  finishS(j: number): number;
  energyJ(j: number): number;
  overheadEnergyJ(j: number): number;
  starts(j: number): number;
  carbonG(j: number): number;
  missed(j: number): boolean;
  /** completion delay (s) */
  waitS(j: number): number;
  /** first start - arrival (s) */
  queueWaitS(j: number): number;
  /** the intervals as run (a new array) */
  intervals(j: number): Interval[];
}

/** An array of results read as outcomes. */
export function outcomesOf(results: readonly JobResult[]): JobOutcomes {
  return {
    length: results.length,
    job: (j) => results[j]!.job,
    startS: (j) => results[j]!.execution.start,
    finishS: (j) => results[j]!.execution.finish,
    energyJ: (j) => results[j]!.execution.energyJ,
    overheadEnergyJ: (j) => results[j]!.execution.overheadEnergyJ,
    starts: (j) => results[j]!.execution.starts,
    carbonG: (j) => results[j]!.carbonG,
    missed: (j) => results[j]!.missed,
    waitS: (j) => results[j]!.waitS,
    queueWaitS: (j) => results[j]!.queueWaitS,
    intervals: (j) => results[j]!.execution.intervals,
  };
}

/** Outcomes as given, or those of an array of results. */
export function asOutcomes(results: readonly JobResult[] | JobOutcomes): JobOutcomes {
  return Array.isArray(results) ? outcomesOf(results as readonly JobResult[]) : (results as JobOutcomes);
}
