// Leakage-safe features: no feature of a job reads its own outcome, nor anything of later jobs.
import { describe, expect, it } from 'vitest';
import { parseSwf, SWF_FIELD_COUNT, SWF_FIELDS, type SwfLog } from '../src/io/swf.js';
import { FEATURE_COUNT, FEATURE_NAMES, FeatureTracker, swfFeatureTable } from '../src/learn/features.js';
import { inputErrorOf } from './helpers.js';
import { syntheticSwf } from './learn-helpers.js';

/** The outcome fields of SWF: what is known only once a job ran (wait, run time, CPU time, memory used, status). */
const OUTCOME = ['wait_time', 'run_time', 'average_cpu_time', 'used_memory', 'status', 'allocated_processors'] as const;

function withValues(log: SwfLog, edit: (values: Float64Array) => void): SwfLog {
  const values = log.values.slice();
  edit(values);
  return { ...log, values };
}

const rowOf = (x: Float64Array, i: number): number[] => Array.from(x.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT));

describe('features', () => {
  const log = parseSwf(syntheticSwf({ jobs: 200, missingRequested: 0.2 }));
  const base = swfFeatureTable(log);

  it('has one finite row per kept job, in submit order', () => {
    expect(base.rows.length).toBe(200);
    expect(base.x.length).toBe(200 * FEATURE_COUNT);
    expect(base.x.every(Number.isFinite)).toBe(true);
    for (let i = 1; i < base.rows.length; i++) expect(base.rows[i]!.submit.submit).toBeGreaterThanOrEqual(base.rows[i - 1]!.submit.submit);
  });

  it("no feature reads the job's own outcome: changing it changes none of the job's features", () => {
    // every 10th job: set each outcome field to something else; that job's features stay the same bits
    for (let r = 0; r < log.count; r += 10) {
      for (const field of OUTCOME) {
        const f = SWF_FIELDS.indexOf(field);
        const changed = withValues(log, (v) => {
          const old = v[r * SWF_FIELD_COUNT + f]!;
          // (allocated processors size a job only when requested processors are missing; here they are not)
          v[r * SWF_FIELD_COUNT + f] = field === 'run_time' ? old * 7 + 13 : old + 12345;
        });
        const table = swfFeatureTable(changed);
        const i = table.rows.findIndex((row) => row.record === r);
        expect(rowOf(table.x, i), `record ${r}, field ${field}`).toEqual(rowOf(base.x, i));
        expect(Object.is(table.lastTwoS[i], base.lastTwoS[i])).toBe(true);
      }
    }
  });

  it('no feature reads a later job: changing everything of later jobs changes nothing earlier', () => {
    const cut = 120;
    const changed = withValues(log, (v) => {
      for (let r = cut; r < log.count; r++) {
        for (const field of ['run_time', 'wait_time', 'requested_time', 'user_id', 'requested_processors'] as const) {
          const f = SWF_FIELDS.indexOf(field);
          v[r * SWF_FIELD_COUNT + f] = field === 'requested_processors' ? 1 : v[r * SWF_FIELD_COUNT + f]! * 3 + 1;
        }
      }
    });
    const table = swfFeatureTable(changed);
    const firstLater = base.rows.findIndex((row) => row.record >= cut);
    for (let i = 0; i < firstLater; i++) expect(rowOf(table.x, i)).toEqual(rowOf(base.x, i));
  });

  it('user history: the last two finished runs, only once they have finished', () => {
    const text = [
      '; MaxProcs: 4',
      // job, submit, wait, run, alloc, cpu, mem, req procs, req time, req mem, status, user, group, exe, queue, part, prec, think
      '1 0 0 100 1 -1 -1 1 500 -1 1 7 1 -1 1 1 -1 -1',
      '2 50 0 300 1 -1 -1 1 500 -1 1 7 1 -1 1 1 -1 -1', // job 1 still runs at 50: no history yet
      '3 100 0 10 1 -1 -1 1 500 -1 1 7 1 -1 1 1 -1 -1', // job 1 finished at 100 (a finish at the instant counts)
      '4 400 0 10 1 -1 -1 1 500 -1 1 7 1 -1 1 1 -1 -1', // jobs 1 (100 s), 3 (10 s) and 2 (300 s, at 350) finished: last two = 3, 2
    ].join('\n');
    const t = swfFeatureTable(parseSwf(text));
    expect(Number.isNaN(t.lastTwoS[0]!)).toBe(true);
    expect(Number.isNaN(t.lastTwoS[1]!)).toBe(true);
    expect(t.lastTwoS[2]).toBe(100);
    expect(t.lastTwoS[3]).toBe((10 + 300) / 2);
    const col = (name: (typeof FEATURE_NAMES)[number], i: number): number => t.x[i * FEATURE_COUNT + FEATURE_NAMES.indexOf(name)]!;
    // queue state at job 2's submission: job 1 running on 1 of 4 processors
    expect(col('log1p_running_jobs', 1)).toBeCloseTo(Math.log1p(1), 12);
    expect(col('busy_fraction', 1)).toBe(0.25);
    // job 3 at 100: job 1 has just finished, job 2 runs
    expect(col('busy_fraction', 2)).toBe(0.25);
    expect(col('user_log1p_finished', 2)).toBeCloseTo(Math.log1p(1), 12);
  });

  it('the tracker never sees a run time before finished() is called', () => {
    const tracker = new FeatureTracker({ capacity: 8 });
    const rec = { submit: 0, size: 2, requestedS: 600, user: 1, group: 1, queue: 1, partition: 1 };
    const a = new Float64Array(FEATURE_COUNT);
    const b = new Float64Array(FEATURE_COUNT);
    tracker.features(rec, { queuedJobs: 0, queuedProcs: 0, runningJobs: 0, busyProcs: 0 }, a);
    tracker.submitted(rec);
    tracker.features({ ...rec, submit: 10 }, { queuedJobs: 0, queuedProcs: 0, runningJobs: 0, busyProcs: 0 }, b);
    expect(b[FEATURE_NAMES.indexOf('user_log_last_s')]).toBe(a[FEATURE_NAMES.indexOf('user_log_last_s')]);
    tracker.finished(rec, 120, 130);
    expect(tracker.lastTwoMeanS(1)).toBe(120);
  });

  it('a log without MaxProcs is one InputError naming the field', () => {
    const err = inputErrorOf(() => swfFeatureTable(parseSwf('1 0 0 10 1 -1 -1 1 20 -1 1 1 1 -1 1 1 -1 -1\n', { file: 'x.swf' }), { file: 'x.swf' }));
    expect(err.oneLine()).toBe('x.swf (field "MaxProcs"): the SWF header has no MaxProcs: the machine size is unknown');
  });
});
