// Metrics of a run on a finite cluster: waits, bounded slowdown, utilisation, makespan, energy with
// idle draw, carbon, queue length. Definitions in docs/engine.md.
import { JOULES_PER_KWH } from '../carbon/signal.js';
import type { JobResult } from '../cluster/simulate.js';
import type { ClusterRecord } from './meters.js';
import { asOutcomes, type JobOutcomes } from './outcomes.js';

/** Bounded slowdown's floor on run time (s): short jobs do not dominate the mean. */
export const SLOWDOWN_TAU_S = 10;

export interface ClusterSummary {
  cluster: string;
  capacity_cpus: number;
  /** first submit to last end (s) */
  makespan_s: number;
  /** busy CPU-seconds / (CPUs x makespan) */
  utilisation: number;
  /** first start - submit */
  mean_queue_wait_s: number;
  p95_queue_wait_s: number;
  /** mean of max(1, (finish - submit) / max(run time, 10 s)) */
  mean_bounded_slowdown: number;
  /** every device over the makespan, idle draw included */
  energy_kwh: number;
  idle_energy_kwh: number;
  carbon_g: number;
  mean_queue_length: number;
  max_queue_length: number;
}

/** The p-quantile (0..1) of sorted values by linear interpolation between ranks (numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function clusterSummary(results: readonly JobResult[] | JobOutcomes, record: ClusterRecord, source: string): ClusterSummary {
  const o = asOutcomes(results);
  const n = o.length;
  const waits = new Float64Array(n);
  let waitSum = 0;
  let slowdownSum = 0;
  for (let i = 0; i < n; i++) {
    const job = o.job(i);
    const wait = o.queueWaitS(i);
    waits[i] = wait;
    waitSum += wait;
    const response = o.finishS(i) - job.arrival;
    slowdownSum += Math.max(1, response / Math.max(job.profile.durationS, SLOWDOWN_TAU_S));
  }
  waits.sort();
  return {
    cluster: source,
    capacity_cpus: record.capacityCpus,
    makespan_s: record.makespanS,
    utilisation: record.utilisation,
    mean_queue_wait_s: n ? waitSum / n : 0,
    p95_queue_wait_s: n ? quantileSorted(waits, 0.95) : 0,
    mean_bounded_slowdown: n ? slowdownSum / n : 0,
    energy_kwh: record.energyJ / JOULES_PER_KWH,
    idle_energy_kwh: record.idleEnergyJ / JOULES_PER_KWH,
    carbon_g: record.carbonG,
    mean_queue_length: record.meanQueueLength,
    max_queue_length: record.maxQueueLength,
  };
}
