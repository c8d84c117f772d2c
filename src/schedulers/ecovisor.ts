import { CarbonRangeError, type CarbonSignal } from '../carbon/signal.js';
import { InputError } from '../errors.js';
import type { Interval } from '../model/execution.js';
import type { Job } from '../model/jobs.js';
import { TIME_EPS_S } from '../model/profile.js';
import { allowedWaitS, HOUR_S } from './candidates.js';
import { runAtArrival, type Plan, type PlanContext, type Scheduler } from './types.js';

/** The span after arrival whose intensity sets the threshold (GAIA: one day). */
export const ECOVISOR_WINDOW_S = 24 * HOUR_S;
export const DEFAULT_THRESHOLD_QUANTILE = 0.3;

export interface EcovisorOptions {
  /** the quantile of the next day's intensity below which the job runs; default 0.3 */
  thresholdQuantile?: number;
}

/**
 * Ecovisor (GAIA's threshold suspend-resume): at arrival, fix a threshold, the `thresholdQuantile`
 * quantile of the intensity over [arrival, arrival + 24 h). Then the job runs while the intensity
 * is strictly below the threshold, and pauses otherwise; every paused second spends its pause
 * budget W, and once the budget is used up the job runs to the end. It finishes by its deadline.
 * Assumes free interruption, like waitawhile; the engine charges the real overhead.
 *
 * @example ecovisorScheduler({ thresholdQuantile: 0.3 })
 */
export function ecovisorScheduler(options: EcovisorOptions = {}): Scheduler {
  const q = options.thresholdQuantile ?? DEFAULT_THRESHOLD_QUANTILE;
  if (!(q >= 0 && q <= 1)) {
    throw new InputError('bad_option', `threshold quantile ${q} is not in [0, 1]`, { field: 'threshold-quantile' });
  }
  return {
    name: 'ecovisor',
    plan(job: Job, ctx: PlanContext): Plan {
      const waitS = allowedWaitS(job, ctx);
      if (waitS < 0) return runAtArrival(job);
      let threshold: number;
      try {
        threshold = timeQuantile(ctx.carbon, ctx.now, ctx.now + ECOVISOR_WINDOW_S, q);
      } catch (err) {
        if (err instanceof CarbonRangeError) err.message = `ecovisor threshold window [${ctx.now}, ${ctx.now + ECOVISOR_WINDOW_S}) s: ${err.message}`;
        throw err;
      }
      return { intervals: thresholdRuns(ctx.carbon, ctx.now, job.profile.durationS, waitS, threshold) };
    },
  };
}

/** The constant pieces of the signal over [from, to): starts, ends and intensities. */
function pieces(carbon: CarbonSignal, from: number, to: number): { starts: number[]; ends: number[]; values: number[] } {
  const starts = [from];
  carbon.forEachBoundary(from, to, (t) => starts.push(t));
  const ends = starts.slice(1);
  ends.push(to);
  return { starts, ends, values: starts.map((t) => carbon.intensityAt(t)) };
}

/**
 * The q-quantile of the intensity over [from, to), weighted by time: the limit of GAIA's
 * quantile over its 5-second ticks (numpy's linear interpolation between order statistics) as the
 * tick shrinks. The intensity below which the signal spends the fraction q of the window; when
 * q x (to - from) falls exactly where one value gives way to the next, the interpolation gives
 * q x lower + (1 - q) x upper, as it does at any tick that resolves the steps.
 */
export function timeQuantile(carbon: CarbonSignal, from: number, to: number, q: number): number {
  const { starts, ends, values } = pieces(carbon, from, to);
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const rank = q * (to - from);
  let below = 0; // time spent at values before this one in the order
  let lower = NaN;
  for (const i of order) {
    const v = values[i]!;
    const next = below + ends[i]! - starts[i]!;
    if (rank < next - TIME_EPS_S) {
      return Math.abs(rank - below) <= TIME_EPS_S && !Number.isNaN(lower) ? q * lower + (1 - q) * v : v;
    }
    below = next;
    lower = v;
  }
  return lower; // rank at the very end (q = 1): the largest value
}

/**
 * Ecovisor's run rule over [arrival, arrival + L + W): run while intensity < threshold, pause
 * otherwise until the pause budget W is spent, then run to the end. Contiguous running is one interval.
 */
export function thresholdRuns(carbon: CarbonSignal, arrival: number, lengthS: number, waitS: number, threshold: number): Interval[] {
  const { starts, ends, values } = pieces(carbon, arrival, arrival + lengthS + waitS);
  const runs: [number, number][] = [];
  const run = (a: number, b: number): void => {
    const last = runs[runs.length - 1];
    if (last && last[1] === a) last[1] = b;
    else runs.push([a, b]);
  };
  let work = lengthS;
  let budget = waitS;
  for (let i = 0; i < starts.length && work > TIME_EPS_S; i++) {
    let a = starts[i]!;
    const b = ends[i]!;
    if (values[i]! >= threshold && budget > TIME_EPS_S) {
      const pause = Math.min(b - a, budget);
      budget -= pause;
      a += pause;
      if (a >= b) continue;
    }
    const e = budget > TIME_EPS_S ? Math.min(b, a + work) : a + work; // budget spent: run to the end
    run(a, e);
    work -= e - a;
  }
  return runs;
}
