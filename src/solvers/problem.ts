// The checkpoint-resume problem for one job (thesis 4.3.3, made exact): which slot-aligned run
// intervals inside [arrival, deadline) minimise the emissions the engine charges, counting every
// startup and every piece of lost work. Shared by the dynamic program and the MILP.
import type { CarbonSignal } from '../carbon/signal.js';
import { InputError } from '../errors.js';
import type { Interval } from '../model/execution.js';
import { TIME_EPS_S, workPhaseIndexAt, type CompiledProfile } from '../model/profile.js';

/**
 * One job's instance. The plan space (docs/lp.md):
 * - every interval starts on a boundary (`boundaries[i]`, i < T);
 * - a non-final interval ends on a later boundary; a job with checkpoint phases is cut at the end of
 *   the last checkpoint it reached by then (the work after it would be lost anyway);
 * - the next interval starts on any boundary at or after that end, the same instant included
 *   (an immediate restart pays the startup again);
 * - the final interval runs until the job finishes, at the latest at the deadline (the last boundary);
 * - at most `maxStarts` intervals.
 */
export interface CheckpointResumeProblem {
  profile: CompiledProfile;
  /** b_0 = arrival < b_1 < ... < b_T = deadline: the arrival, the grid points between, the deadline */
  boundaries: Float64Array;
  /** the carbon view the plan is optimised for */
  carbon: CarbonSignal;
  /** the most intervals a plan may have; Infinity when uncapped */
  maxStarts: number;
}

/** An optimal plan and what it costs under the problem's carbon view. */
export interface CheckpointResumeSolution {
  intervals: Interval[];
  /** emissions (g) of the plan, as the engine charges them against the problem's carbon */
  emissionsG: number;
  starts: number;
}

/** A checkpoint within this much of another is the same checkpoint (float residues of phase sums). */
const SAME_CHECKPOINT_S = TIME_EPS_S;

/**
 * The slot boundaries of [from, to): `from`, every grid point origin + k x slot strictly inside,
 * and `to`. Treating the arrival and deadline as boundaries puts waitawhile's slots (its first
 * starts at the arrival) and every uninterrupted run started on the grid inside the plan space.
 */
export function slotBoundaries(from: number, to: number, slot: number, origin: number): Float64Array {
  if (!(slot > 0) || !Number.isFinite(slot)) throw new InputError('bad_slot', `slot must be a positive number of seconds, got ${slot}`, { field: 'slot' });
  if (!(to > from)) throw new RangeError(`slot window [${from}, ${to}) is empty`);
  const out = [from];
  for (let k = Math.floor((from - origin) / slot) + 1; ; k++) {
    const t = origin + k * slot;
    if (t >= to) break;
    if (t > from) out.push(t);
  }
  out.push(to);
  return Float64Array.from(out);
}

/** Check a cap on starts: a positive integer, or Infinity for none. */
export function checkMaxStarts(maxStarts: number): number {
  if (maxStarts === Infinity || (Number.isInteger(maxStarts) && maxStarts >= 1)) return maxStarts;
  throw new InputError('bad_option', `max-starts must be a positive integer, got ${maxStarts}`, { field: 'max-starts' });
}

/** Whether one uninterrupted run from the first boundary meets the last: else no plan exists. */
export function problemFeasible(problem: CheckpointResumeProblem): boolean {
  const b = problem.boundaries;
  return b[0]! + problem.profile.durationS <= b[b.length - 1]! + TIME_EPS_S;
}

/** The quantities both solvers build on, named once so that they cannot drift apart. */
export function problemTerms(problem: CheckpointResumeProblem) {
  const b = problem.boundaries;
  const T = b.length - 1;
  const checkpoints = distinctCheckpoints(problem.profile);
  return {
    profile: problem.profile,
    carbon: problem.carbon,
    b,
    T,
    S: problem.profile.startupDurationS,
    W: problem.profile.workDurationS,
    /** the last boundary, with the engine's time tolerance */
    deadline: b[T]! + TIME_EPS_S,
    checkpoints,
    /** no checkpoint phase: every instant of progress is kept */
    continuous: checkpoints.length === 0,
  };
}

/**
 * The distinct checkpoint progress values (s of work), ascending; empty for a job that saves
 * continuously. Checkpoints closer than SAME_CHECKPOINT_S merge, as the engine cannot tell them apart.
 */
export function distinctCheckpoints(profile: CompiledProfile): Float64Array {
  const out: number[] = [];
  for (const c of profile.checkpoints) {
    if (out.length === 0 || c - out[out.length - 1]! > SAME_CHECKPOINT_S) out.push(c);
  }
  return Float64Array.from(out);
}

/** Index of the last checkpoint <= q + TIME_EPS_S (as the engine counts it reached), or -1. */
export function lastCheckpointIndex(checkpoints: ArrayLike<number>, q: number): number {
  let lo = 0;
  let hi = checkpoints.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (checkpoints[mid]! <= q + TIME_EPS_S) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Carbon cost (W x s x gCO2/kWh) of startup offsets [r0, r1) when offset r0 runs at time t.
 * Divide by JOULES_PER_KWH for grams; the solvers sum in these units, as chargePlan does.
 */
export function startupCost(profile: CompiledProfile, carbon: CarbonSignal, t: number, r0: number, r1: number): number {
  let sum = 0;
  let off = 0;
  for (const phase of profile.startup) {
    const end = off + phase.duration;
    const a = off > r0 ? off : r0;
    const b = end < r1 ? end : r1;
    if (b > a && phase.power !== 0) sum += phase.power * carbon.integrate(t + (a - r0), t + (b - r0));
    off = end;
    if (off >= r1) break;
  }
  return sum;
}

/** Carbon cost (W x s x gCO2/kWh) of the work from progress q0 to q1 when q0 runs at time t. */
export function workCost(profile: CompiledProfile, carbon: CarbonSignal, t: number, q0: number, q1: number): number {
  if (!(q1 > q0)) return 0;
  const work = profile.work;
  const ends = profile.workEnds;
  let sum = 0;
  let q = q0;
  for (let i = workPhaseIndexAt(profile, q0); i < work.length && q < q1; i++) {
    const end = ends[i]! < q1 ? ends[i]! : q1;
    const power = work[i]!.power;
    if (end > q && power !== 0) sum += power * carbon.integrate(t + (q - q0), t + (end - q0));
    if (end > q) q = end;
  }
  return sum;
}
