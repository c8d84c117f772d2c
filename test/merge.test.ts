// mergeSweeps on hand-made sweep folders: what it keeps, and what it refuses.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogRow } from '../src/sweep/log.js';
import { mergeSweeps } from '../src/sweep/merge.js';
import { planSweep, shardRuns, type PlannedRun } from '../src/sweep/plan.js';
import type { SweepRecord } from '../src/sweep/runner.js';
import { normalizeSuite, type Suite } from '../src/sweep/suite.js';
import { inputErrorOf } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'carbon-sim-merge-'));
const suite = normalizeSuite({ name: 'm', schedulers: ['oracle', 'waitawhile'], carbon: ['DE-2023', 'GB-2023'], max_wait: ['6h', '24h'], workloads: ['w.csv'] }, 'm.json');
const planned = planSweep(suite, suite.schedulers);

/** A made-up but deterministic result: carbon from the run's position, agnostic highest. */
function row(run: PlannedRun, wall_s = 1): LogRow {
  const i = planned.indexOf(run);
  return { id: run.id, ...run.spec, jobs: 3, completed: 3, missed_deadlines: 0, energy_kwh: 2, carbon_g: run.spec.scheduler === 'agnostic' ? 1000 : 100 + i, overhead_energy_kwh: 0, mean_wait_s: 60 * i, interruptions: i, wall_s };
}

let n = 0;
function folder(runs: readonly PlannedRun[], options: { suite?: Suite; shard?: string | null; rows?: LogRow[] } = {}): string {
  const dir = join(root, `f${n++}`);
  mkdirSync(dir);
  const record: SweepRecord = { format: 'carbon-sim-sweep/1', suite: options.suite ?? suite, suite_file: '/x/m.json', schedulers: (options.suite ?? suite).schedulers, schedulers_skipped: [], shard: options.shard ?? null };
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify(record));
  writeFileSync(join(dir, 'runs.jsonl'), (options.rows ?? runs.map((r) => row(r, n + 0.25))).map((r) => JSON.stringify(r) + '\n').join(''));
  return dir;
}


describe('merge', () => {
  it('joins shards into every run once, whatever the wall times, as the unsharded results', () => {
    const shards = [1, 2, 3].map((index) => folder(shardRuns(planned, { index, count: 3 }), { shard: `${index}/3` }));
    const out = join(root, 'merged');
    const merged = mergeSweeps(shards, out);
    expect(merged.results.map((r) => r.id)).toEqual(planned.map((r) => r.id));
    expect(merged.record.shard).toBeNull();
    const whole = mergeSweeps([folder(planned)], join(root, 'whole'));
    const strip = (rows: { wall_s: number }[]): unknown[] => rows.map(({ wall_s: _w, ...rest }) => rest);
    expect(strip(merged.results)).toEqual(strip(whole.results));
    expect(merged.summary).toBe(whole.summary);
    // the merged folder's log holds each run once, in id order
    const log = readFileSync(join(out, 'runs.jsonl'), 'utf8').trim().split('\n');
    expect(log.map((l) => (JSON.parse(l) as LogRow).id)).toEqual(planned.map((r) => r.id));
  });

  it('refuses folders of different suites', () => {
    const other = normalizeSuite({ ...suite, max_wait: ['6h'] }, 'm.json');
    const err = inputErrorOf(() => mergeSweeps([folder(planned), folder(planSweep(other, other.schedulers), { suite: other })], join(root, 'x1')));
    expect(err.code).toBe('sweep_mismatch');
  });

  it('refuses two copies of a run that disagree on anything but wall time', () => {
    const changed = planned.map((r) => row(r));
    changed[0] = { ...changed[0]!, carbon_g: changed[0]!.carbon_g + 1 };
    const err = inputErrorOf(() => mergeSweeps([folder(planned), folder(planned, { rows: changed })], join(root, 'x2')));
    expect(err.code).toBe('conflicting_runs');
  });

  it('refuses an incomplete set, a run foreign to the suite, and a bad output folder', () => {
    expect(inputErrorOf(() => mergeSweeps([folder(planned.slice(1))], join(root, 'x3'))).message).toContain(`1 of ${planned.length} runs are missing`);
    const foreign = { ...row(planned[0]!), id: '0000000000000000' };
    expect(inputErrorOf(() => mergeSweeps([folder(planned, { rows: [...planned.map((r) => row(r)), foreign] })], join(root, 'x4'))).message).toContain('not part of the suite');
    const a = folder(planned);
    expect(inputErrorOf(() => mergeSweeps([a], a)).field).toBe('out');
    expect(inputErrorOf(() => mergeSweeps([a], folder(planned))).code).toBe('sweep_exists');
    expect(inputErrorOf(() => mergeSweeps([root], join(root, 'x5'))).code).toBe('not_a_sweep');
  });
});
