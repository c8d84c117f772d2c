// Exact dynamic program for the checkpoint-resume problem of one job (problem.ts, docs/lp.md).
//
// State at slot boundary b_j (j = 0..T):
//   idle(p, k)       not running, saved progress p, k intervals started so far
//   startup(p, r, k) in an interval's startup, r seconds of it done, resuming from saved progress p
//   run(q, k)        in an interval's work phases at progress q
// k is tracked only when starts are capped. One slot step moves every state from b_j to b_{j+1}:
//   idle    -> idle (wait) | start an interval at b_j (k + 1)
//   startup -> startup | run | finish (startup and work both inside the slot)
//   run     -> run | finish
// A job with checkpoint phases may stop an interval at the last checkpoint it reaches inside a slot
// step (-> idle(c) at b_{j+1}); a job that saves continuously may stop at any boundary
// (run(q) -> idle(q) at the same b_j, so an immediate restart is possible). Stopping elsewhere only
// loses work, and an interval that saves nothing can be dropped, so the optimum over these moves is
// the optimum over the whole plan space; the brute-force test checks this on thousands of instances.
//
// Complexity: O(T x N x (K + 1)) slot steps, where T is the number of slots, K the cap on starts (0
// when uncapped) and N the distinct (progress, startup offset) pairs alive at one boundary:
// - checkpointed jobs: saved progress is 0 or a checkpoint (C + 1 values) and a running interval's
//   progress is a saved value plus a sum of slot lengths minus the startup, so N = O(C x W / L);
// - jobs that save continuously: progress values are m x L - n x S (m slots run, n starts) within
//   [0, W], at most W / g + 1 of them when L and S are multiples of g (W / 300 + 1 for 5-minute
//   startups), O(T x K) in the worst case;
// - startups longer than a slot add O(S / L) startup offsets per saved progress.
// Memory is O(T x N x (K + 1)) for the parent pointers. A step costs O(1) when the carbon intensity
// is constant over the slot (the usual case: slot = carbon resolution), else it integrates power x
// carbon over the phases and carbon steps it crosses (prefix sums).
//
// Speed: the grid is uniform inside the window, so each step length has one transition table
// (successor ids and energies per state id, filled lazily); layers live in one flat pool with
// stamp arrays instead of maps.
import type { CarbonSignal } from '../carbon/signal.js';
import { JOULES_PER_KWH } from '../carbon/signal.js';
import { TIME_EPS_S, workEnergyBetween, type CompiledProfile } from '../model/profile.js';
import type { Interval } from '../model/execution.js';
import {
  checkMaxStarts,
  problemTerms,
  lastCheckpointIndex,
  problemFeasible,
  startupCost,
  workCost,
  type CheckpointResumeProblem,
  type CheckpointResumeSolution,
} from './problem.js';

const IDLE = 0;
const RUN = 1;
const STARTUP = 2;

/** The transition into an entry started an interval at the step's first boundary. */
const STARTED = 1;
/** The transition into an entry ended an interval (at its endAt). */
const ENDED = 2;

/** Progress values closer than this (s) are one state (float residues of sums of slot lengths). */
const PROGRESS_QUANTUM_S = 1e-6;

/** Every (kind, progress, startup offset) met so far, by integer id. */
class StateSpace {
  readonly kind: number[] = [];
  /** idle, run: progress; startup: the saved progress it resumes from */
  readonly progress: number[] = [];
  /** startup: seconds of startup done (0 for the virtual state of a fresh start) */
  readonly elapsed: number[] = [];
  /** seconds of running still needed to finish from this state */
  readonly remaining: number[] = [];
  /** energy (J) still to be spent to finish from this state, at the least (no further restart) */
  readonly remainingJ: number[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly profile: CompiledProfile) {}

  get size(): number {
    return this.kind.length;
  }

  id(kind: number, progress: number, elapsed: number): number {
    const key = `${kind}:${Math.round(progress / PROGRESS_QUANTUM_S)}:${Math.round(elapsed / PROGRESS_QUANTUM_S)}`;
    let id = this.index.get(key);
    if (id === undefined) {
      id = this.kind.length;
      this.index.set(key, id);
      this.kind.push(kind);
      this.progress.push(progress);
      this.elapsed.push(elapsed);
      const p = this.profile;
      const startupDone = kind === RUN ? p.startupDurationS : elapsed;
      this.remaining.push(p.startupDurationS - startupDone + (p.workDurationS - progress));
      this.remainingJ.push(startupEnergy(p, startupDone, p.startupDurationS) + workEnergyBetween(p, progress, p.workDurationS));
    }
    return id;
  }
}

/** Outcome of one step of length L from a state, independent of where the step lies in time. */
const NONE = -1;
const FINISHED = -2;

/** Transitions for one step length, filled lazily per state id (the carbon-free part of a step). */
class StepTable {
  /** state id at the step's end if still running (startup or run), FINISHED, or NONE (not filled) */
  next = new Int32Array(0);
  /** idle state id at the step's end after a cut at a checkpoint inside the step, or -1 */
  cut = new Int32Array(0);
  /** offsets into the step: where the work starts, where the cut ends, where the job finishes */
  workFrom = new Float64Array(0);
  cutAt = new Float64Array(0);
  finishAt = new Float64Array(0);
  /** progress at the cut, or at the step end / finish when there is none: where part A ends */
  progressA = new Float64Array(0);
  /** energies (J): startup part, work up to progressA (part A), work after the cut */
  eStartup = new Float64Array(0);
  eToCut = new Float64Array(0);
  eAfterCut = new Float64Array(0);

  ensure(n: number): void {
    if (this.next.length >= n) return;
    const cap = Math.max(n, this.next.length * 2, 64);
    const grow = <A extends Int32Array | Float64Array>(a: A, fill: number): A => {
      const b = new (a.constructor as { new (n: number): A })(cap);
      b.fill(fill);
      b.set(a);
      return b;
    };
    this.next = grow(this.next, NONE);
    this.cut = grow(this.cut, -1);
    this.workFrom = grow(this.workFrom, 0);
    this.cutAt = grow(this.cutAt, 0);
    this.finishAt = grow(this.finishAt, 0);
    this.progressA = grow(this.progressA, 0);
    this.eStartup = grow(this.eStartup, 0);
    this.eToCut = grow(this.eToCut, 0);
    this.eAfterCut = grow(this.eAfterCut, 0);
  }
}

/** Energy (J) of startup offsets [r0, r1). */
function startupEnergy(profile: CompiledProfile, r0: number, r1: number): number {
  let sum = 0;
  let off = 0;
  for (const phase of profile.startup) {
    const end = off + phase.duration;
    const a = off > r0 ? off : r0;
    const b = end < r1 ? end : r1;
    if (b > a) sum += phase.power * (b - a);
    off = end;
    if (off >= r1) break;
  }
  return sum;
}

/**
 * Per slot: the intensity when it is constant over the slot (one carbon step), else NaN; and the
 * least intensity from the slot to the end of the window (for lower bounds).
 */
function slotIntensities(carbon: CarbonSignal, b: Float64Array): { constant: Float64Array; leastFrom: Float64Array } {
  const T = b.length - 1;
  const constant = new Float64Array(T);
  const leastFrom = new Float64Array(T + 1).fill(Infinity);
  for (let j = 0; j < T; j++) {
    const first = carbon.intensityAt(b[j]!);
    let least = first;
    let isConstant = true;
    carbon.forEachBoundary(b[j]!, b[j + 1]!, (t) => {
      isConstant = false;
      least = Math.min(least, carbon.intensityAt(t));
    });
    constant[j] = isConstant ? first : NaN;
    leastFrom[j] = least;
  }
  for (let j = T - 1; j >= 0; j--) leastFrom[j] = Math.min(leastFrom[j]!, leastFrom[j + 1]!);
  return { constant, leastFrom };
}

/** Parent pointers and costs of every layer, in one growable pool. */
class Pool {
  size = 0;
  state: Int32Array;
  starts: Int32Array;
  cost: Float64Array;
  parent: Int32Array;
  flags: Uint8Array;
  endAt: Float64Array;

  constructor(capacity: number) {
    this.state = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.cost = new Float64Array(capacity);
    this.parent = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.endAt = new Float64Array(capacity);
  }

  push(state: number, starts: number, cost: number, parent: number, flags: number, endAt: number): number {
    if (this.size === this.state.length) this.grow();
    const i = this.size++;
    this.state[i] = state;
    this.starts[i] = starts;
    this.cost[i] = cost;
    this.parent[i] = parent;
    this.flags[i] = flags;
    this.endAt[i] = endAt;
    return i;
  }

  private grow(): void {
    const cap = this.state.length * 2;
    const grow = <A extends Int32Array | Float64Array | Uint8Array>(a: A): A => {
      const b = new (a.constructor as { new (n: number): A })(cap);
      b.set(a);
      return b;
    };
    this.state = grow(this.state);
    this.starts = grow(this.starts);
    this.cost = grow(this.cost);
    this.parent = grow(this.parent);
    this.flags = grow(this.flags);
    this.endAt = grow(this.endAt);
  }
}

/**
 * The least-emission plan for the problem, or undefined when even one uninterrupted run from the
 * arrival misses the deadline. Ties go to the plan found first (deterministic).
 */
export function solveByDp(problem: CheckpointResumeProblem): CheckpointResumeSolution | undefined {
  if (!problemFeasible(problem)) return undefined;
  const { profile, carbon, b, T, S, W, deadline, checkpoints, continuous } = problemTerms(problem);
  const cap = checkMaxStarts(problem.maxStarts);
  // Intervals start on distinct boundaries, so a cap of T or more is no cap.
  const maxStarts = cap >= T ? Infinity : cap;
  const kDim = maxStarts === Infinity ? 1 : maxStarts + 1;

  const space = new StateSpace(profile);
  const tables = new Map<number, StepTable>();
  const freshStart: number[] = []; // idle id -> id of the virtual startup(p, 0)
  const idleOf: number[] = []; // run id -> idle id with the same progress (continuous jobs)

  /** Fill the table entry of state `id` for a step of length L. */
  const fill = (table: StepTable, id: number, L: number): void => {
    const kind = space.kind[id]!;
    const progress = space.progress[id]!;
    const elapsed = kind === RUN ? S : space.elapsed[id]!;
    let workFrom = 0;
    let floor = progress + TIME_EPS_S; // checkpoints up to here were reached before the step
    if (elapsed < S) {
      const doneTo = Math.min(S, elapsed + L);
      table.eStartup[id] = startupEnergy(profile, elapsed, doneTo);
      table.progressA[id] = progress;
      if (S - doneTo > TIME_EPS_S) {
        table.next[id] = space.id(STARTUP, progress, doneTo);
        return;
      }
      workFrom = doneTo - elapsed;
      floor = progress; // work starts in this step: any later checkpoint is new
    }
    table.workFrom[id] = workFrom;
    const avail = L - workFrom;
    const need = W - progress;
    if (need <= avail + TIME_EPS_S) {
      table.next[id] = FINISHED;
      table.finishAt[id] = workFrom + need;
      table.progressA[id] = W;
      table.eToCut[id] = workEnergyBetween(profile, progress, W);
      return;
    }
    const q = progress + avail;
    const c = continuous ? -1 : lastCheckpointIndex(checkpoints, q);
    if (c >= 0 && checkpoints[c]! > floor) {
      const cp = checkpoints[c]!;
      table.cut[id] = space.id(IDLE, cp, 0);
      table.cutAt[id] = Math.min(workFrom + (cp - progress), L);
      table.progressA[id] = cp;
      table.eToCut[id] = workEnergyBetween(profile, progress, cp);
      table.eAfterCut[id] = workEnergyBetween(profile, cp, q);
    } else {
      table.progressA[id] = q;
      table.eToCut[id] = workEnergyBetween(profile, progress, q);
    }
    table.next[id] = space.id(RUN, q, 0);
  };

  const pool = new Pool(64 * (T + 1));
  let stamp = new Int32Array(0); // layer in which a state index was last added
  let posOf = new Int32Array(0); // its pool position there
  const ensureIndex = (n: number): void => {
    if (stamp.length >= n) return;
    const cap = Math.max(n, stamp.length * 2, 256);
    const s = new Int32Array(cap).fill(-1);
    s.set(stamp);
    const p = new Int32Array(cap);
    p.set(posOf);
    stamp = s;
    posOf = p;
  };
  const { constant: intensity, leastFrom } = slotIntensities(carbon, b);
  let bestCost = Infinity;
  /**
   * Keep the cheaper way into (layer, state); the first found on ties. A state whose cost so far
   * plus a lower bound on what remains (remaining energy x the least intensity left) is strictly
   * above a finished plan cannot be on an optimal path and is dropped. With a negative intensity
   * ahead (a noisy forecast view) more energy could cost less, so there is no such bound.
   */
  const relax = (layer: number, id: number, k: number, cost: number, parent: number, flags: number, endAt: number): void => {
    const least = leastFrom[layer]!;
    if (least >= 0 && cost + least * space.remainingJ[id]! > bestCost + 1e-12 * Math.abs(bestCost)) return;
    const s = id * kDim + k;
    if (s >= stamp.length) ensureIndex(s + 1);
    if (stamp[s] === layer) {
      const at = posOf[s]!;
      if (cost < pool.cost[at]!) {
        pool.cost[at] = cost;
        pool.parent[at] = parent;
        pool.flags[at] = flags;
        pool.endAt[at] = endAt;
      }
      return;
    }
    stamp[s] = layer;
    posOf[s] = pool.push(id, k, cost, parent, flags, endAt);
  };

  const layerStart = new Int32Array(T + 1); // pool position where each boundary's states begin
  relax(0, space.id(IDLE, 0, 0), 0, 0, -1, 0, NaN);
  let bestParent = -1;
  let bestFlags = 0;
  let bestFinish = NaN;

  for (let j = 0; j < T; j++) {
    const t0 = b[j]!;
    const t1 = b[j + 1]!;
    const L = t1 - t0;
    const I = intensity[j]!;
    const constant = !Number.isNaN(I); // one carbon step over the slot: energies price it exactly
    let table = tables.get(L);
    if (!table) tables.set(L, (table = new StepTable()));

    if (continuous) {
      // Stop at this boundary, keeping all progress; the idle state may restart right here.
      const end = pool.size;
      for (let pos = layerStart[j]!; pos < end; pos++) {
        const id = pool.state[pos]!;
        if (space.kind[id] !== RUN) continue;
        let idle = idleOf[id];
        if (idle === undefined) idleOf[id] = idle = space.id(IDLE, space.progress[id]!, 0);
        if (t0 + space.remaining[idle]! > deadline) continue;
        relax(j, idle, pool.starts[pos]!, pool.cost[pos]!, pos, ENDED, t0);
      }
    }
    layerStart[j + 1] = pool.size;

    for (let pos = layerStart[j]!; pos < layerStart[j + 1]!; pos++) {
      let id = pool.state[pos]!;
      let k = pool.starts[pos]!;
      const cost = pool.cost[pos]!;
      let flags = 0;
      if (space.kind[id] === IDLE) {
        if (j + 1 < T && t1 + space.remaining[id]! <= deadline) relax(j + 1, id, k, cost, pos, 0, NaN);
        if (k >= maxStarts) continue;
        let start = freshStart[id];
        if (start === undefined) freshStart[id] = start = space.id(STARTUP, space.progress[id]!, 0);
        id = start;
        if (maxStarts !== Infinity) k++;
        flags = STARTED;
      }
      if (id >= table.next.length) table.ensure(space.size);
      if (table.next[id] === NONE) {
        fill(table, id, L);
        table.ensure(space.size);
      }
      const next = table.next[id]!;
      // Part A: the startup part and the work up to the cut (or the step end, or the finish).
      let partA: number;
      if (constant) partA = cost + I * (table.eStartup[id]! + table.eToCut[id]!);
      else {
        const elapsed = space.kind[id] === RUN ? S : space.elapsed[id]!;
        partA =
          cost +
          startupCost(profile, carbon, t0, elapsed, Math.min(S, elapsed + L)) +
          workCost(profile, carbon, t0 + table.workFrom[id]!, space.progress[id]!, table.progressA[id]!);
      }
      if (next === FINISHED) {
        if (partA < bestCost) {
          bestCost = partA;
          bestParent = pos;
          bestFlags = flags | ENDED;
          bestFinish = t0 + table.finishAt[id]!;
        }
        continue;
      }
      const cut = table.cut[id]!;
      let runCost = partA;
      if (cut >= 0) {
        if (t1 + space.remaining[cut]! <= deadline) relax(j + 1, cut, k, partA, pos, flags | ENDED, t0 + table.cutAt[id]!);
        const cp = space.progress[cut]!;
        runCost += constant ? I * table.eAfterCut[id]! : workCost(profile, carbon, t0 + table.cutAt[id]!, cp, space.progress[next]!);
      }
      if (t1 + space.remaining[next]! <= deadline) relax(j + 1, next, k, runCost, pos, flags, NaN);
    }
  }

  if (bestParent < 0) throw new Error('dynamic program found no plan for a feasible problem (internal error)');
  const intervals = tracePlan(pool, layerStart, b, bestParent, bestFlags, bestFinish);
  return { intervals, emissionsG: bestCost / JOULES_PER_KWH, starts: intervals.length };
}

/** The layer of a pool position (layers are contiguous and in order). */
function layerOf(layerStart: Int32Array, pos: number): number {
  let lo = 0;
  let hi = layerStart.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (layerStart[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Walk the parents back from the finish and pair up the start and end instants. */
function tracePlan(pool: Pool, layerStart: Int32Array, b: Float64Array, parent: number, flags: number, finish: number): Interval[] {
  const instants: number[] = [finish];
  if (flags & STARTED) instants.push(b[layerOf(layerStart, parent)]!);
  for (let pos = parent; pos >= 0; pos = pool.parent[pos]!) {
    const f = pool.flags[pos]!;
    if (f & ENDED) instants.push(pool.endAt[pos]!);
    if (f & STARTED) instants.push(b[layerOf(layerStart, pool.parent[pos]!)]!);
  }
  instants.reverse();
  const intervals: Interval[] = [];
  for (let k = 0; k + 1 < instants.length; k += 2) intervals.push([instants[k]!, instants[k + 1]!]);
  return intervals;
}
