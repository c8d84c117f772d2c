// The runs of a sweep: the cross product of a suite's dimensions, each with an id derived from its
// inputs alone, plus the agnostic baseline of every group. Pure: no files, no registry.
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import type { Suite, SuiteSettings } from './suite.js';

/** The inputs of one run: the strings `carbon-sim run` takes, and the suite's shared settings. */
export interface RunSpec extends SuiteSettings {
  scheduler: string;
  carbon: string;
  max_wait: string;
  workload: string;
  forecast: string;
  seed: string;
}

export interface PlannedRun {
  /** 16 hex digits of SHA-256 over the run's inputs: the same inputs give the same id anywhere */
  id: string;
  spec: RunSpec;
  /** 'suite': asked for by the suite; 'baseline': an agnostic run computed only for carbon saved */
  role: 'suite' | 'baseline';
  /** id of the agnostic run with the same carbon, wait, workload, forecast and seed */
  baselineId: string;
}

export const BASELINE_SCHEDULER = 'agnostic';

/** The inputs of a run in a fixed order: ids and result columns never depend on how an object was built. */
export const RUN_INPUTS = ['scheduler', 'carbon', 'max_wait', 'workload', 'forecast', 'seed', 'slot', 'time_unit', 'watts_per_cpu', 'carbon_column', 'extend', 'start', 'timezone'] as const satisfies readonly (keyof RunSpec)[];

export function runId(spec: RunSpec): string {
  const canonical = JSON.stringify(RUN_INPUTS.map((k) => spec[k]));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** The run inputs of a row that also holds other fields (a log or result row). */
export function specOf(row: RunSpec): RunSpec {
  return Object.fromEntries(RUN_INPUTS.map((k) => [k, row[k]])) as unknown as RunSpec;
}

/**
 * Every run of the suite for the given schedulers (the suite's, plus the optional ones that exist),
 * and the agnostic baseline of each (carbon, wait, workload, forecast, seed) group, sorted by id.
 */
export function planSweep(suite: Suite, schedulers: readonly string[]): PlannedRun[] {
  const settings: SuiteSettings = {
    slot: suite.slot,
    time_unit: suite.time_unit,
    watts_per_cpu: suite.watts_per_cpu,
    carbon_column: suite.carbon_column,
    extend: suite.extend,
    start: suite.start,
    timezone: suite.timezone,
  };
  const runs = new Map<string, PlannedRun>();
  for (const carbon of suite.carbon) {
    for (const max_wait of suite.max_wait) {
      for (const workload of suite.workloads) {
        for (const forecast of suite.forecast) {
          for (const seed of suite.seeds) {
            const group = { carbon, max_wait, workload, forecast, seed, ...settings };
            const baseline: RunSpec = { scheduler: BASELINE_SCHEDULER, ...group };
            const baselineId = runId(baseline);
            for (const scheduler of schedulers) {
              const spec: RunSpec = { scheduler, ...group };
              const id = runId(spec);
              runs.set(id, { id, spec, role: 'suite', baselineId });
            }
            if (!runs.has(baselineId)) runs.set(baselineId, { id: baselineId, spec: baseline, role: 'baseline', baselineId });
          }
        }
      }
    }
  }
  return [...runs.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** `--shard i/n`: the i-th of n deterministic slices (1-based). */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index >= 1) || index > count) {
    throw new InputError('bad_shard', `"${text}" is not a shard i/n with 1 <= i <= n (e.g. 2/3)`, { field: 'shard' });
  }
  return { index, count };
}

export function shardLabel(shard: Shard | undefined): string | null {
  return shard ? `${shard.index}/${shard.count}` : null;
}

/**
 * The runs of one shard: the suite runs at positions index-1, index-1+count, ... of the id order,
 * plus the baselines they need (a baseline may also run in another shard; merge keeps one copy).
 */
export function shardRuns(runs: readonly PlannedRun[], shard: Shard | undefined): PlannedRun[] {
  if (!shard) return [...runs];
  const suiteRuns = runs.filter((r) => r.role === 'suite');
  const mine = suiteRuns.filter((_, i) => i % shard.count === shard.index - 1);
  const ids = new Set(mine.map((r) => r.id));
  for (const r of mine) ids.add(r.baselineId);
  return runs.filter((r) => ids.has(r.id));
}
