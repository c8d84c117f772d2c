// The checkpoint-resume problem for one job (thesis 4.3.3, made exact): which run intervals inside
// [arrival, deadline) minimise the emissions the engine charges, counting every startup and every
// piece of lost work. Shared by the dynamic program and the MILP.
import type { CarbonSignal } from '../carbon/signal.js';
import { InputError } from '../errors.js';
import type { Interval } from '../model/execution.js';
import { TIME_EPS_S, workPhaseIndexAt, type CompiledProfile } from '../model/profile.js';

/**
 * One job's instance. The plan space (docs/lp.md):
 * - every interval starts on a boundary (`boundaries[i]`, i < T);
 * - a non-final interval of a job that saves continuously ends on a later boundary; one of a job
 *   with checkpoint phases ends at the end of any checkpoint it reaches (beyond the progress it
 *   resumed from): stopping elsewhere only loses the work since that checkpoint;
 * - the next interval starts on any boundary at or after that end, the same instant included
 *   (an immediate restart pays the startup again);
 * - the final interval runs until the job finishes, at the latest at the deadline (the last boundary);
 * - at most `maxStarts` intervals;
 * - with `freeInstant`, starts and ends may also lie at free instants inside a slot: an interval
 *   may start inside a slot that begins at or after the previous interval's end, where its virtual
 *   progress at the slot's end is in `freeProgressValues` (see there); a non-final interval of a job
 *   that saves continuously may end inside a slot that begins at or after its start, where its
 *   progress is in that set. This is what makes the plan space contain every uninterrupted run in
 *   continuous time (the oracle's) and waitawhile's partial slot. The MILP (network.ts) holds the
 *   plan space without free instants only.
 */
export interface CheckpointResumeProblem {
  profile: CompiledProfile;
  /** b_0 = arrival < b_1 < ... < b_T = deadline: the arrival, the grid points between, the deadline */
  boundaries: Float64Array;
  /** the carbon view the plan is optimised for */
  carbon: CarbonSignal;
  /** the most intervals a plan may have; Infinity when uncapped */
  maxStarts: number;
  /** allow free instants (default false: every start and non-final end on the grid); dynamic program only */
  freeInstant?: boolean;
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

/** The most later restarts the free positions account for (see freeProgressValues). */
export const FREE_RESTARTS_MAX = 16;

/** Progress values closer than this (s) are one value (float residues of sums of slot lengths). */
export const PROGRESS_QUANTUM_S = 1e-6;

/**
 * Where free instants may lie, as a set V of progress values (s of work), ascending. A free start
 * of an interval resuming from progress p in the slot [b_j, b_{j+1}) lies at the instant x with
 * p + (b_{j+1} - x) - S in V (its "virtual progress" at b_{j+1}: the progress it has there, minus
 * the startup still to run); a free end (jobs that save continuously) lies where the progress is in V.
 *
 *   V = { mu - D + n S }  within (-S, W],  where
 *   mu: a phase end of the job in progress coordinates: o - S for each end o of a startup phase
 *       (so -S < mu <= 0), 0, and every end of a work phase (W included);
 *   D:  a distance between boundaries: b_k - b_1 or b_T - b_l (1 <= l <= k <= T), which with the
 *       uniform grid inside the window is every distance between two boundaries after the arrival;
 *   n:  0 .. N later restarts, N = min(maxStarts - 1, T, FREE_RESTARTS_MAX) for a job that saves
 *       continuously and has a startup, else 0 (later intervals of a checkpointed job resume from a
 *       checkpoint and do not move with the free instant; without a startup n does not matter).
 *
 * Why these: with step carbon constant between boundaries, moving one instant of a plan whose other
 * instants lie on boundaries changes its cost linearly until a phase end of the job crosses a
 * boundary (the interval's own phase ends, or those of later intervals, whose progress moves with
 * it, n restarts later), or a range limit is met (a boundary, the deadline: mu = W). So its best
 * position is one of these values: the oracle's continuous-time start is one (n = 0), and so is the
 * best position of waitawhile's partial last slot (n = the restarts after it).
 */
export function freeProgressValues(problem: CheckpointResumeProblem): Float64Array {
  const profile = problem.profile;
  const b = problem.boundaries;
  const T = b.length - 1;
  const S = profile.startupDurationS;
  const W = profile.workDurationS;
  const marks: number[] = [0];
  let o = 0;
  for (const phase of profile.startup) {
    if (!(phase.duration > 0)) continue;
    o += phase.duration;
    if (o < S - TIME_EPS_S) marks.push(o - S);
  }
  for (let i = 0; i < profile.work.length; i++) if (profile.work[i]!.duration > 0) marks.push(profile.workEnds[i]!);
  const K = problem.maxStarts === Infinity ? T : problem.maxStarts;
  const N = profile.savesContinuously && S > 0 ? Math.max(0, Math.min(K - 1, T, FREE_RESTARTS_MAX)) : 0;
  // tops mu + nS, deduplicated (many coincide when durations share a divisor)
  const tops = new Float64Array(marks.length * (N + 1));
  let nt = 0;
  for (const mu of marks) for (let n = 0; n <= N; n++) tops[nt++] = mu + n * S;
  const A = uniqueSortedTyped(tops.sort());
  const L = uniformStep(b);
  let values: Float64Array;
  let nv = 0;
  if (L > 0) {
    // D = m L or delta + m L (0 <= m <= T - 2), delta = b_T - b_{T-1}
    const delta = b[T]! - b[T - 1]!;
    const mMax = Math.max(0, T - 2);
    const shifts = delta === L ? 1 : 2;
    if (mMax * L >= W + S + N * S) {
      // every progression a - shift - m L reaches below -S: per residue modulo L, V holds all
      // values from the largest one at most W down to just above -S
      const residues: number[] = [];
      const firsts: number[] = [];
      for (let i = 0; i < A.length; i++) {
        for (let h = 0; h < shifts; h++) {
          const t = A[i]! - (h === 0 ? 0 : delta);
          const first = t > W + TIME_EPS_S ? t - Math.ceil((t - W - TIME_EPS_S) / L) * L : t;
          if (first <= -S + TIME_EPS_S) continue;
          let r = (((first % L) + L) % L) / PROGRESS_QUANTUM_S;
          r = Math.round(r) === Math.round(L / PROGRESS_QUANTUM_S) ? 0 : Math.round(r);
          const at = residues.indexOf(r);
          if (at < 0) {
            residues.push(r);
            firsts.push(first);
          } else if (first > firsts[at]!) firsts[at] = first;
        }
      }
      let count = 0;
      for (const f of firsts) count += Math.floor((f + S - TIME_EPS_S) / L) + 1;
      values = new Float64Array(count);
      for (const f of firsts) for (let v = f; v > -S + TIME_EPS_S; v -= L) values[nv++] = v > W ? W : v;
    } else {
      values = new Float64Array(A.length * shifts * (mMax + 1));
      for (let i = 0; i < A.length; i++) {
        for (let h = 0; h < shifts; h++) {
          for (let m = 0; m <= mMax; m++) {
            const v = A[i]! - (h === 0 ? 0 : delta) - m * L;
            if (v <= -S + TIME_EPS_S) break;
            if (v <= W + TIME_EPS_S) values[nv++] = v > W ? W : v;
          }
        }
      }
    }
  } else {
    const distances: number[] = [];
    for (let k = 1; k <= T; k++) distances.push(b[k]! - b[1]!, b[T]! - b[k]!);
    distances.sort((x, y) => x - y);
    const D = uniqueSorted(distances);
    const out: number[] = [];
    for (const a of A) {
      // -S < a - D <= W  <=>  a - W <= D < a + S
      for (let i = lowerBound(D, a - W - TIME_EPS_S); i < D.length && D[i]! < a + S - TIME_EPS_S; i++) {
        const v = a - D[i]!;
        out.push(v > W ? W : v);
      }
    }
    values = Float64Array.from(out);
    nv = values.length;
  }
  return uniqueSortedTyped(values.subarray(0, nv).sort());
}

/** A sorted typed array with neighbours within PROGRESS_QUANTUM_S merged (the first kept). */
function uniqueSortedTyped(sorted: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (n === 0 || sorted[i]! - sorted[n - 1]! > PROGRESS_QUANTUM_S) sorted[n++] = sorted[i]!;
  return sorted.slice(0, n);
}

/**
 * The spacing L of the boundaries b_1 .. b_{T-1} when it is uniform (slotBoundaries makes it so;
 * the distances between boundaries after the arrival are then m L and delta + m L), else 0.
 */
function uniformStep(b: Float64Array): number {
  const T = b.length - 1;
  if (T < 3) return 0;
  const L = b[2]! - b[1]!;
  for (let k = 2; k < T - 1; k++) if (Math.abs(b[k + 1]! - b[k]! - L) > 1e-9 * L) return 0;
  return L;
}

/** Sorted values with neighbours within PROGRESS_QUANTUM_S merged (the first kept). */
function uniqueSorted(sorted: number[]): number[] {
  const out: number[] = [];
  for (const v of sorted) if (out.length === 0 || v - out[out.length - 1]! > PROGRESS_QUANTUM_S) out.push(v);
  return out;
}

/** First index i with a[i] >= x (a ascending). */
export function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The cap on starts as the solvers use it: Infinity when it cannot bind. Starts are distinct
 * instants: at most one per boundary b_0 .. b_{T-1}, plus the free one.
 */
export function effectiveMaxStarts(problem: CheckpointResumeProblem): number {
  const cap = checkMaxStarts(problem.maxStarts);
  const T = problem.boundaries.length - 1;
  return cap >= T + (problem.freeInstant ? 1 : 0) ? Infinity : cap;
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
