import { InputError } from '../errors.js';
import { checkpointAt, TIME_EPS_S, workPhaseIndexAt, type CompiledProfile } from './profile.js';

/** A run interval [start, end) in seconds since the epoch. */
export type Interval = readonly [start: number, end: number];

/** Receives every constant-power piece a plan actually runs, in time order. */
export type PieceSink = (startS: number, endS: number, powerW: number, isStartup: boolean) => void;

/** What running a plan did to the job (times in seconds since the epoch). */
export interface Execution {
  /** the intervals as run: the last one cut at the finish, or extended to it (overrun) */
  intervals: Interval[];
  start: number;
  finish: number;
  energyJ: number;
  /** energy beyond one uninterrupted run: repeated startups plus lost work */
  overheadEnergyJ: number;
  /** number of times the job was started (intervals run) */
  starts: number;
  /** seconds of work progress rolled back to the last checkpoint, summed over interruptions */
  lostWorkS: number;
  /** seconds the last interval ran past its planned end because the work was not done */
  overrunS: number;
}

export class PlanError extends InputError {
  constructor(
    message: string,
    readonly intervalIndex: number,
  ) {
    super('bad_plan', message);
    this.name = 'PlanError';
  }
}

/** Check a plan's shape: ordered, disjoint (abutting allowed), non-empty intervals, none before arrival. */
export function validatePlan(intervals: readonly Interval[], arrival: number): void {
  if (intervals.length === 0) throw new PlanError('plan has no run interval', -1);
  let prevEnd = arrival;
  for (let i = 0; i < intervals.length; i++) {
    const [s, e] = intervals[i]!;
    if (!Number.isFinite(s) || !Number.isFinite(e)) {
      throw new PlanError(`interval ${i} [${s}, ${e}] is not finite`, i);
    }
    if (!(e > s)) throw new PlanError(`interval ${i} [${s}, ${e}] does not end after it starts`, i);
    if (s < prevEnd - TIME_EPS_S) {
      throw new PlanError(
        i === 0
          ? `interval 0 starts at ${s} s, before the arrival at ${arrival} s`
          : `interval ${i} starts at ${s} s, before interval ${i - 1} ends at ${prevEnd} s`,
        i,
      );
    }
    prevEnd = e;
  }
}

/**
 * Run a plan through the phased model (DESIGN.md, execution semantics):
 * - every interval runs the full startup phases, then continues the work from the saved progress;
 * - an interval that ends before the work is done rolls progress back to the last checkpoint
 *   (a job without checkpoint phases keeps all progress);
 * - the job finishes the instant its last work phase ends; the interval running then is cut there;
 * - if the plan's last interval ends before the work is done, it is extended until the job
 *   finishes (the cluster does not kill an unfinished job) and the extension is reported as overrun;
 * - an interval planned after the job finished is a plan error.
 * Abutting intervals are never merged: each pays the startup again.
 */
export function executePlan(
  profile: CompiledProfile,
  arrival: number,
  plan: readonly Interval[],
  onPiece?: PieceSink,
): Execution {
  validatePlan(plan, arrival);
  const work = profile.work;
  const workEnds = profile.workEnds;
  const workDuration = profile.workDurationS;
  const intervals: Interval[] = [];
  let progress = 0;
  let energyJ = 0;
  let lostWorkS = 0;
  let finish = NaN;
  let overrunS = 0;

  for (let k = 0; k < plan.length; k++) {
    const [s, plannedEnd] = plan[k]!;
    if (!Number.isNaN(finish)) {
      throw new PlanError(`interval ${k} starts at ${s} s, after the job finished at ${finish} s`, k);
    }
    const isLast = k === plan.length - 1;
    const e = isLast ? Infinity : plannedEnd;
    let t = s;
    // Startup phases: repeated at every start, they make no progress.
    for (let j = 0; j < profile.startup.length && t < e; j++) {
      const phase = profile.startup[j]!;
      if (phase.duration <= 0) continue;
      const pe = Math.min(t + phase.duration, e);
      energyJ += (pe - t) * phase.power;
      onPiece?.(t, pe, phase.power, true);
      t = pe;
    }
    // Work phases from the saved progress.
    if (t < e) {
      let i = workPhaseIndexAt(profile, progress);
      while (i < work.length) {
        if (e - t <= TIME_EPS_S) break; // a float residue of the interval is no progress
        const phase = work[i]!;
        const need = workEnds[i]! - progress;
        if (need > 0) {
          if (t + need <= e + TIME_EPS_S) {
            const pe = Math.min(t + need, e);
            energyJ += (pe - t) * phase.power;
            onPiece?.(t, pe, phase.power, false);
            t = pe;
            progress = workEnds[i]!;
          } else {
            energyJ += (e - t) * phase.power;
            onPiece?.(t, e, phase.power, false);
            progress += e - t;
            t = e;
            break;
          }
        }
        i++;
      }
      if (progress >= workDuration) {
        progress = workDuration;
        finish = t;
      }
    }
    if (Number.isNaN(finish)) {
      const kept = checkpointAt(profile, progress);
      lostWorkS += progress - kept;
      progress = kept;
      intervals.push([s, plannedEnd]);
    } else {
      intervals.push([s, finish]);
      if (isLast && finish > plannedEnd) overrunS = finish - plannedEnd;
    }
  }

  return {
    intervals,
    start: plan[0]![0],
    finish,
    energyJ,
    overheadEnergyJ: overheadEnergy(energyJ, profile.energyJ),
    starts: intervals.length,
    lostWorkS,
    overrunS,
  };
}

/** energy - one uninterrupted run; a difference at rounding level (1e-12 relative) is 0, not noise. */
function overheadEnergy(energyJ: number, uninterruptedJ: number): number {
  const overhead = energyJ - uninterruptedJ;
  return Math.abs(overhead) <= 1e-12 * uninterruptedJ ? 0 : overhead;
}
