import { InputError } from '../errors.js';
import { parseDuration } from '../units.js';
import { maxWaitRule, type DeadlineRule } from './trace.js';

/** GAIA's queue split: jobs shorter than this get the first wait of `AxB`, the others the second. */
export const SHORT_QUEUE_LIMIT_S = 2 * 3600;

/** Two waits by queue (GAIA): shorter than 2 h may wait `shortWaitS`, the others `longWaitS`. */
export function queueWaitRule(shortWaitS: number, longWaitS: number): DeadlineRule {
  return (arrival, durationS) => arrival + durationS + (durationS < SHORT_QUEUE_LIMIT_S ? shortWaitS : longWaitS);
}

/** `--max-wait`: one duration (`24h`) or two by queue (`6hx24h`). */
export function parseMaxWait(text: string): DeadlineRule {
  const parts = text.split('x');
  if (parts.length === 1) return maxWaitRule(parseDuration(text, 'max-wait'));
  if (parts.length === 2) return queueWaitRule(parseDuration(parts[0]!, 'max-wait'), parseDuration(parts[1]!, 'max-wait'));
  throw new InputError('bad_duration', `"${text}" is not a wait (e.g. 24h, or 6hx24h for short x long queues)`, { field: 'max-wait' });
}
