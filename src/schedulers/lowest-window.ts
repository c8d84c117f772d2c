import { bestStartScheduler, type StartChoiceOptions } from './candidates.js';
import type { Scheduler } from './types.js';

/**
 * Lowest-Window (GAIA's "lowest carbon window"; `waiting` with `length: 'average'`): among the
 * candidate starts in [arrival, arrival + W], the one whose full run emits the least; ties go to
 * the earliest. Runs uninterrupted. With `length: 'average'` the choice is made for a run of the
 * queue's mean length; the engine still charges the real one.
 *
 * @example lowestWindowScheduler({ startGrid: 'arrival', length: 'average' }) // GAIA's `waiting`
 */
export function lowestWindowScheduler(options: StartChoiceOptions = {}): Scheduler {
  return bestStartScheduler('lowest-window', options, (cost) => -cost);
}
