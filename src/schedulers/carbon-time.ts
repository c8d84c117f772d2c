import { bestStartScheduler, clearlyLess, type StartChoiceOptions } from './candidates.js';
import type { Scheduler } from './types.js';

/**
 * Carbon-Time (GAIA's "carbon saving per waiting time"; `cst_average` with `length: 'average'`):
 * among the candidate starts s in [arrival, arrival + W], the one maximising
 *   (C(arrival) - C(s)) / (s - arrival + L),
 * the carbon saved per second of completion time, where C(s) is the emissions of the run started
 * at s and L its length. Starting at arrival scores 0, so a job only waits for a real saving; ties
 * go to the earliest. Runs uninterrupted.
 *
 * @example carbonTimeScheduler({ startGrid: 'arrival', length: 'average' }) // GAIA's `cst_average`
 */
export function carbonTimeScheduler(options: StartChoiceOptions = {}): Scheduler {
  return bestStartScheduler('carbon-time', options, (cost, atArrival, s, arrival, lengthS) =>
    // no saving cannot beat the arrival, whose score is 0
    clearlyLess(cost, atArrival) ? (atArrival - cost) / (s - arrival + lengthS) : s === arrival ? 0 : -Infinity,
  );
}
