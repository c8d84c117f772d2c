// Exact dynamic program for the checkpoint-resume problem of one job (problem.ts, docs/lp.md).
//
// State at slot boundary b_j (j = 0..T):
//   idle(p, k)       not running, saved progress p, k intervals started so far
//   startup(p, r, k) in an interval's startup, r seconds of it done, resuming from saved progress p
//   run(q, k)        in an interval's work phases at progress q
// k is tracked only when starts are capped. One slot step moves every state from b_j to b_{j+1}:
//   idle    -> idle (wait) | start an interval at b_j (k + 1)
//              | with free instants: start inside the slot, at a free position (k + 1)
//   startup -> startup | run | finish (startup and work both inside the slot)
//   run     -> run | finish
// A job with checkpoint phases may end an interval at the end of any checkpoint it reaches inside
// a step (-> idle(c) at b_{j+1}); a job that saves continuously may stop at any boundary
// (run(q) -> idle(q) at the same b_j, so an immediate restart is possible) and, with free instants,
// at a free position inside the step (-> idle(v) at b_{j+1}). Stopping elsewhere only loses work,
// and an interval that saves nothing can be dropped, so the optimum over these moves is the
// optimum over the whole plan space; the brute-force test checks this on thousands of instances.
//
// Complexity: O(T x N x (K + 1)) slot steps, where T is the number of slots, K the cap on starts (0
// when uncapped) and N the distinct (progress, startup offset) pairs alive at one boundary:
// - checkpointed jobs: saved progress is 0 or a checkpoint (C + 1 values) and a running interval's
//   progress is a saved value plus a sum of slot lengths minus the startup, so N = O(C x W / L);
// - jobs that save continuously: progress values are m x L - n x S (m slots run, n starts) within
//   [0, W], at most W / g + 1 of them when L and S are multiples of g (W / 300 + 1 for 5-minute
//   startups), O(T x K) in the worst case; with free instants also the free positions V shifted so;
// - startups longer than a slot add O(S / L) startup offsets per saved progress.
// Free instants add O(N log N + |V|) per step where the intensity is constant (a sliding-window
// minimum finds, for every free position, the cheapest state that can reach it), else
// O(N x |V in one slot|). Memory is O(T x N x (K + 1)) for the parent pointers. A step costs O(1)
// per state when the carbon intensity is constant over the slot (the usual case: slot = carbon
// resolution), else it integrates power x carbon over the phases and carbon steps it crosses.
//
// Speed: the grid is uniform inside the window, so each step length has one transition table
// (successor ids and energies per state id, filled lazily); layers live in one flat pool with
// stamp arrays instead of maps; energies at the free positions are tabulated once.
import type { CarbonSignal } from '../carbon/signal.js';
import { JOULES_PER_KWH } from '../carbon/signal.js';
import { TIME_EPS_S, workEnergyBetween, workPhaseIndexAt, type CompiledProfile } from '../model/profile.js';
import type { Interval } from '../model/execution.js';
import {
  effectiveMaxStarts,
  freeProgressValues,
  lastCheckpointIndex,
  lowerBound,
  problemFeasible,
  problemTerms,
  PROGRESS_QUANTUM_S,
  startupCost,
  workCost,
  type CheckpointResumeProblem,
  type CheckpointResumeSolution,
} from './problem.js';

const IDLE = 0;
const RUN = 1;
const STARTUP = 2;

/** The transition into an entry started an interval (at its startAt, or the step's first boundary). */
const STARTED = 1;
/** The transition into an entry ended an interval (at its endAt). */
const ENDED = 2;

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
  /** energy (J) of the work up to the state's progress */
  readonly progressJ: number[] = [];
  /**
   * The remaining run's powers as at most LEVELS levels, highest first: levelPow/levelSec
   * [id x LEVELS ..]; seconds at a power below the last level's are counted at the lowest power
   * (an underestimate, as a lower bound must be).
   */
  levelPow = new Float64Array(32 * LEVELS);
  levelSec = new Float64Array(32 * LEVELS);
  /** idle and run states by kind + 4 x quantised progress; startup states by a string key */
  private readonly plain = new Map<number, number>();
  private readonly index = new Map<string, number>();

  constructor(
    private readonly profile: CompiledProfile,
    /** keep the power levels of the remaining run (for the rearrangement bound) */
    private readonly levels: boolean,
  ) {
    if (!levels) {
      this.levelPow = new Float64Array(0);
      this.levelSec = new Float64Array(0);
    }
  }

  get size(): number {
    return this.kind.length;
  }

  private addLevels(id: number, startupDone: number, progress: number): void {
    if ((id + 1) * LEVELS > this.levelPow.length) {
      const pow = new Float64Array(this.levelPow.length * 2);
      pow.set(this.levelPow);
      const sec = new Float64Array(this.levelSec.length * 2);
      sec.set(this.levelSec);
      this.levelPow = pow;
      this.levelSec = sec;
    }
    const p = this.profile;
    const pow = this.levelPow;
    const sec = this.levelSec;
    const at = id * LEVELS;
    let n = 0; // distinct powers kept so far, highest first (insertion into at most LEVELS slots)
    const add = (power: number, d: number): void => {
      if (!(d > 0)) return;
      let i = 0;
      while (i < n && pow[at + i]! > power) i++;
      if (i < n && pow[at + i] === power) {
        sec[at + i]! += d;
        return;
      }
      if (n < LEVELS) {
        for (let m = n; m > i; m--) {
          pow[at + m] = pow[at + m - 1]!;
          sec[at + m] = sec[at + m - 1]!;
        }
        pow[at + i] = power;
        sec[at + i] = d;
        n++;
        return;
      }
      // full: the lowest level takes the seconds at the lower of the two powers
      if (i >= LEVELS) {
        sec[at + LEVELS - 1]! += d;
        pow[at + LEVELS - 1] = Math.min(pow[at + LEVELS - 1]!, power);
        return;
      }
      sec[at + LEVELS - 1]! += sec[at + LEVELS - 2]!;
      for (let m = LEVELS - 2; m > i; m--) {
        pow[at + m] = pow[at + m - 1]!;
        sec[at + m] = sec[at + m - 1]!;
      }
      pow[at + i] = power;
      sec[at + i] = d;
    };
    for (let l = 0; l < LEVELS; l++) {
      pow[at + l] = 0;
      sec[at + l] = 0;
    }
    let off = 0;
    for (const phase of p.startup) {
      const end = off + phase.duration;
      add(phase.power, Math.min(end, p.startupDurationS) - Math.max(off, startupDone));
      off = end;
    }
    off = 0;
    for (let i = workPhaseIndexAt(p, progress); i < p.work.length; i++) {
      const end = p.workEnds[i]!;
      add(p.work[i]!.power, end - Math.max(i === 0 ? 0 : p.workEnds[i - 1]!, progress));
    }
  }

  id(kind: number, progress: number, elapsed: number): number {
    const startup = kind === STARTUP;
    const numeric = Math.round(progress / PROGRESS_QUANTUM_S) * 4 + kind;
    const key = startup ? `${Math.round(progress / PROGRESS_QUANTUM_S)}:${Math.round(elapsed / PROGRESS_QUANTUM_S)}` : '';
    let id = startup ? this.index.get(key) : this.plain.get(numeric);
    if (id === undefined) {
      id = this.kind.length;
      if (startup) this.index.set(key, id);
      else this.plain.set(numeric, id);
      this.kind.push(kind);
      this.progress.push(progress);
      this.elapsed.push(elapsed);
      const p = this.profile;
      const startupDone = kind === RUN ? p.startupDurationS : elapsed;
      this.remaining.push(p.startupDurationS - startupDone + (p.workDurationS - progress));
      this.remainingJ.push(startupEnergy(p, startupDone, p.startupDurationS) + workEnergyBetween(p, progress, p.workDurationS));
      this.progressJ.push(workEnergyBetween(p, 0, progress));
      if (this.levels) this.addLevels(id, startupDone, progress);
    }
    return id;
  }
}

/** Power levels kept per state for the rearrangement lower bound. */
const LEVELS = 4;


/** Outcome of one step of length L from a state, independent of where the step lies in time. */
const NONE = -1;
const FINISHED = -2;

/** Transitions for one step length, filled lazily per state id (the carbon-free part of a step). */
class StepTable {
  /** state id at the step's end if still running (startup or run), FINISHED, or NONE (not filled) */
  next = new Int32Array(0);
  /** checkpoint indices [cutLo, cutHi) the step may end at, -1 when none */
  cutLo = new Int32Array(0);
  cutHi = new Int32Array(0);
  /** offsets into the step: where the work starts, where the job finishes */
  workFrom = new Float64Array(0);
  finishAt = new Float64Array(0);
  /** progress at the step end, or W when the job finishes in the step */
  progressEnd = new Float64Array(0);
  /** energies (J): startup part, work up to progressEnd */
  eStartup = new Float64Array(0);
  eWork = new Float64Array(0);

  /** ids filled since the last reset */
  used = 0;

  /** Forget every entry (the table is reused by the next solve). */
  reset(): void {
    this.next.fill(NONE, 0, this.used);
    this.used = 0;
  }

  ensure(n: number): void {
    if (n > this.used) this.used = n;
    if (this.next.length >= n) return;
    const cap = Math.max(n, this.next.length * 2, 64);
    const grow = <A extends Int32Array | Float64Array>(a: A, fill: number): A => {
      const b = new (a.constructor as { new (n: number): A })(cap);
      b.fill(fill);
      b.set(a);
      return b;
    };
    this.next = grow(this.next, NONE);
    this.cutLo = grow(this.cutLo, -1);
    this.cutHi = grow(this.cutHi, -1);
    this.workFrom = grow(this.workFrom, 0);
    this.finishAt = grow(this.finishAt, 0);
    this.progressEnd = grow(this.progressEnd, 0);
    this.eStartup = grow(this.eStartup, 0);
    this.eWork = grow(this.eWork, 0);
  }
}

/**
 * States that can reach the free positions of one step: each reaches progress values in the open
 * window (a, a + len) at cost base + I x E(v) (E: work energy up to v). Sorted by (k, a), a
 * sliding-window minimum gives every free position its cheapest source in one pass.
 */
class Sources {
  n = 0;
  a = new Float64Array(16);
  base = new Float64Array(16);
  k = new Int32Array(16);
  pos = new Int32Array(16);
  order = new Int32Array(16);
  deque = new Int32Array(16);

  add(a: number, base: number, k: number, pos: number): void {
    if (this.n === this.a.length) {
      const cap = this.n * 2;
      const g = <A extends Int32Array | Float64Array>(x: A): A => {
        const y = new (x.constructor as { new (n: number): A })(cap);
        y.set(x);
        return y;
      };
      this.a = g(this.a);
      this.base = g(this.base);
      this.k = g(this.k);
      this.pos = g(this.pos);
      this.order = new Int32Array(cap);
      this.deque = new Int32Array(cap);
    }
    const i = this.n++;
    this.a[i] = a;
    this.base[i] = base;
    this.k[i] = k;
    this.pos[i] = pos;
  }

  /**
   * For every value V[i] in [bottom, top) strictly inside some source's window (by
   * PROGRESS_QUANTUM_S), call visit(i, source) with the cheapest such source (the first added on ties).
   */
  sweep(V: Float64Array, len: number, bottom: number, top: number, visit: (i: number, src: number) => void): void {
    const n = this.n;
    if (n === 0) return;
    const { a, base, k, order, deque } = this;
    // sources arrive nearly in order (layers are built in progress order more often than not)
    for (let i = 0; i < n; i++) {
      let j = i - 1;
      const ki = k[i]!;
      const ai = a[i]!;
      while (j >= 0 && (k[order[j]!]! > ki || (k[order[j]!]! === ki && a[order[j]!]! > ai))) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = i;
    }
    for (let g = 0; g < n; ) {
      let h = g;
      while (h < n && k[order[h]!] === k[order[g]!]) h++;
      let head = 0;
      let tail = 0;
      let next = g;
      const last = a[order[h - 1]!]! + len - PROGRESS_QUANTUM_S;
      for (let i = lowerBound(V, Math.max(bottom, a[order[g]!]! + PROGRESS_QUANTUM_S)); i < V.length; i++) {
        const v = V[i]!;
        if (v >= last || v >= top) break;
        while (next < h && a[order[next]!]! < v - PROGRESS_QUANTUM_S) {
          const src = order[next++]!;
          while (tail > head && base[deque[tail - 1]!]! > base[src]!) tail--;
          deque[tail++] = src;
        }
        while (tail > head && a[deque[head]!]! + len <= v + PROGRESS_QUANTUM_S) head++;
        if (tail > head) visit(i, deque[head]!);
      }
      g = h;
    }
    this.n = 0;
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
interface SlotIntensities {
  constant: Float64Array;
  leastFrom: Float64Array;
  least: Float64Array;
}

function slotIntensities(carbon: CarbonSignal, b: Float64Array): SlotIntensities {
  const T = b.length - 1;
  const constant = new Float64Array(T);
  const leastFrom = new Float64Array(T + 1).fill(Infinity);
  const leastIn = new Float64Array(T);
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
    leastIn[j] = least;
  }
  for (let j = T - 1; j >= 0; j--) leastFrom[j] = Math.min(leastFrom[j]!, leastFrom[j + 1]!);
  return { constant, leastFrom, least: leastIn };
}

/**
 * The cheapest seconds of the slots from some boundary on: slots ranked by their least intensity,
 * their lengths and costs in Fenwick trees over the ranks, so cheapest(tau) is one O(log T)
 * descent and dropping the earliest slot one O(log T) update. Used for the lower bound: the
 * remaining run needs its seconds at its powers, and pairing the highest powers with the cheapest
 * seconds (the rearrangement inequality) is the least any plan can pay.
 */
class CheapestSeconds {
  /** intensity by rank (ascending) */
  private readonly I: Float64Array;
  /** rank of each slot */
  private readonly rank: Int32Array;
  private readonly len: Float64Array;
  /** Fenwick trees (1-based) of length and of length x intensity by rank */
  private readonly treeLen: Float64Array;
  private readonly treeCost: Float64Array;
  private readonly top: number;
  private total = 0;
  /** the first slot included: the bound is valid for states at boundary `from` */
  from = 0;

  constructor(least: Float64Array, b: Float64Array) {
    const T = least.length;
    const order = Array.from({ length: T }, (_, i) => i).sort((x, y) => least[x]! - least[y]! || x - y);
    this.I = new Float64Array(T);
    this.rank = new Int32Array(T);
    this.len = new Float64Array(T);
    this.treeLen = new Float64Array(T + 1);
    this.treeCost = new Float64Array(T + 1);
    for (let r = 0; r < T; r++) {
      const slot = order[r]!;
      this.I[r] = least[slot]!;
      this.rank[slot] = r;
      this.len[slot] = b[slot + 1]! - b[slot]!;
      // linear-time Fenwick build: add the value, push it to the parent
      this.treeLen[r + 1]! += this.len[slot]!;
      this.treeCost[r + 1]! += this.len[slot]! * this.I[r]!;
      const parent = r + 1 + ((r + 1) & -(r + 1));
      if (parent <= T) {
        this.treeLen[parent]! += this.treeLen[r + 1]!;
        this.treeCost[parent]! += this.treeCost[r + 1]!;
      }
      this.total += this.len[slot]!;
    }
    let top = 1;
    while (top * 2 <= T) top *= 2;
    this.top = T > 0 ? top : 0;
  }

  /** Drop slot `from` (advance the bound to the next boundary). */
  advance(): void {
    const slot = this.from++;
    if (slot >= this.rank.length) return;
    const r = this.rank[slot]!;
    const l = this.len[slot]!;
    const c = l * this.I[r]!;
    this.total -= l;
    for (let i = r + 1; i < this.treeLen.length; i += i & -i) {
      this.treeLen[i]! -= l;
      this.treeCost[i]! -= c;
    }
  }

  /** The sum of intensity over the cheapest tau seconds (Infinity if there are not that many). */
  cheapest(tau: number): number {
    if (!(tau > 0)) return 0;
    if (tau > this.total + TIME_EPS_S) return Infinity;
    // descend to the longest rank prefix whose length stays below tau
    let pos = 0;
    let len = 0;
    let cost = 0;
    const n = this.treeLen.length - 1;
    for (let step = this.top; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= n && len + this.treeLen[next]! < tau) {
        pos = next;
        len += this.treeLen[next]!;
        cost += this.treeCost[next]!;
      }
    }
    // the rest comes from rank pos (0-based), the next one with length left
    return cost + (tau - len) * this.I[Math.min(pos, n - 1)]!;
  }
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
  /** start instant of an interval begun at a free instant; NaN when it began on the step's first boundary */
  startAt: Float64Array;

  constructor(capacity: number) {
    this.state = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.cost = new Float64Array(capacity);
    this.parent = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.endAt = new Float64Array(capacity);
    this.startAt = new Float64Array(capacity);
  }

  push(state: number, starts: number, cost: number, parent: number, flags: number, endAt: number, startAt: number): number {
    if (this.size === this.state.length) this.grow();
    const i = this.size++;
    this.state[i] = state;
    this.starts[i] = starts;
    this.cost[i] = cost;
    this.parent[i] = parent;
    this.flags[i] = flags;
    this.endAt[i] = endAt;
    this.startAt[i] = startAt;
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
    this.startAt = grow(this.startAt);
  }
}

/** Buffers one solve leaves for the next (the solver is synchronous). */
const scratch: { pool: Pool | undefined; stamp: Int32Array; posOf: Int32Array; stampBase: number; runSources: Sources; startSources: Sources } = {
  pool: undefined,
  stamp: new Int32Array(256).fill(-1),
  posOf: new Int32Array(256),
  stampBase: 0,
  runSources: new Sources(),
  startSources: new Sources(),
};
const spareTables: StepTable[] = [];

/**
 * The least-emission plan for the problem, or undefined when even one uninterrupted run from the
 * arrival misses the deadline. Ties go to the plan found first (deterministic).
 */
export function solveByDp(problem: CheckpointResumeProblem): CheckpointResumeSolution | undefined {
  if (!problemFeasible(problem)) return undefined;
  const slots = slotIntensities(problem.carbon, problem.boundaries);
  if (problem.freeInstant !== true) return dynamicProgram(problem, slots, Infinity);
  // The grid plan space's optimum (a plan in this space too, and usually close to its optimum)
  // bounds the search from the first layer on; the margin lets that plan's own path, priced in
  // another order, survive its rounding.
  const grid = dynamicProgram({ ...problem, freeInstant: false }, slots, Infinity);
  return dynamicProgram(problem, slots, grid.emissionsG * JOULES_PER_KWH * (1 + 1e-9));
}

/** The dynamic program proper, for a feasible problem; `bound`: the cost of a plan in its space, or Infinity. */
function dynamicProgram(problem: CheckpointResumeProblem, slots: SlotIntensities, bound: number): CheckpointResumeSolution {
  const { profile, carbon, b, T, S, W, deadline, checkpoints, continuous } = problemTerms(problem);
  const maxStarts = effectiveMaxStarts(problem);
  const kDim = maxStarts === Infinity ? 1 : maxStarts + 1;
  const free = problem.freeInstant === true;
  /** the free positions V and the work energy up to each */
  const V = free ? freeProgressValues(problem) : new Float64Array(0);
  const VJ = Float64Array.from(V, (v) => (v > 0 ? workEnergyBetween(profile, 0, v) : 0));
  const cpJ = Float64Array.from(checkpoints, (c) => workEnergyBetween(profile, 0, c));
  /** checkpoints strictly below the finish: the ones an interval may end at */
  const cutCount = checkpoints.length > 0 && checkpoints[checkpoints.length - 1]! >= W - TIME_EPS_S ? checkpoints.length - 1 : checkpoints.length;
  const Q = PROGRESS_QUANTUM_S;

  const withBounds = free && bound < Infinity;
  const space = new StateSpace(profile, withBounds);
  const tables = new Map<number, StepTable>();
  const freshStart: number[] = []; // idle id -> id of the virtual startup(p, 0)
  const idleOf: number[] = []; // run id -> idle id with the same progress (continuous jobs)
  const cutIdle = new Int32Array(checkpoints.length).fill(-1);
  const freeIdle = new Int32Array(V.length).fill(-1); // idle(V[i])
  const freeRun = new Int32Array(V.length).fill(-1); // run(V[i])
  const freeStartup = new Map<number, number>(); // idle id x |V| + i -> startup(p, S + V[i] - p)
  const cutState = (c: number): number => {
    let id = cutIdle[c]!;
    if (id < 0) cutIdle[c] = id = space.id(IDLE, checkpoints[c]!, 0);
    return id;
  };
  const freeIdleState = (i: number): number => {
    let id = freeIdle[i]!;
    if (id < 0) freeIdle[i] = id = space.id(IDLE, V[i]!, 0);
    return id;
  };
  const freeRunState = (i: number): number => {
    let id = freeRun[i]!;
    if (id < 0) freeRun[i] = id = space.id(RUN, V[i]!, 0);
    return id;
  };

  /** Fill the table entry of state `id` for a step of length L. */
  const fill = (table: StepTable, id: number, L: number): void => {
    const kind = space.kind[id]!;
    const progress = space.progress[id]!;
    const elapsed = kind === RUN ? S : space.elapsed[id]!;
    let workFrom = 0;
    let floor = progress + TIME_EPS_S; // checkpoints up to here were reached before the step
    table.cutLo[id] = -1;
    table.cutHi[id] = -1;
    table.eStartup[id] = 0;
    if (elapsed < S) {
      const doneTo = Math.min(S, elapsed + L);
      table.eStartup[id] = startupEnergy(profile, elapsed, doneTo);
      table.progressEnd[id] = progress;
      table.eWork[id] = 0;
      table.workFrom[id] = L;
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
    const finishes = need <= avail + TIME_EPS_S;
    const q = finishes ? W : progress + avail;
    if (!continuous) {
      // end at any checkpoint reached in the step, beyond the progress resumed from
      const lo = lastCheckpointIndex(checkpoints, floor - TIME_EPS_S) + 1;
      const hi = Math.min(lastCheckpointIndex(checkpoints, q) + 1, cutCount);
      if (hi > lo) {
        table.cutLo[id] = lo;
        table.cutHi[id] = hi;
      }
    }
    table.progressEnd[id] = q;
    table.eWork[id] = workEnergyBetween(profile, progress, q);
    if (finishes) {
      table.next[id] = FINISHED;
      table.finishAt[id] = workFrom + need;
      return;
    }
    table.next[id] = space.id(RUN, q, 0);
  };

  // Buffers are reused from the previous solve (solveByDp is synchronous; the nested solve for the
  // bound has finished before these are taken): stamps are made unique by an offset per solve.
  const pool = scratch.pool ?? new Pool(16 * (T + 1));
  scratch.pool = undefined;
  pool.size = 0;
  if (scratch.stampBase + 2 * (T + 2) > 0x7fffffff) {
    scratch.stamp.fill(-1);
    scratch.stampBase = 0;
  }
  const base0 = scratch.stampBase;
  scratch.stampBase += T + 2;
  let stamp = scratch.stamp; // base0 + layer in which a state index was last added
  let posOf = scratch.posOf; // its pool position there
  const ensureIndex = (n: number): void => {
    if (stamp.length >= n) return;
    const cap = Math.max(n, stamp.length * 2, 256);
    const s = new Int32Array(cap).fill(-1);
    s.set(stamp);
    const p = new Int32Array(cap);
    p.set(posOf);
    stamp = scratch.stamp = s;
    posOf = scratch.posOf = p;
  };
  const { constant: intensity, leastFrom, least: slotLeast } = slots;
  // the rearrangement bound: O(T log T) to build, O(log T) per boundary and per bound
  const cheap = withBounds ? new CheapestSeconds(slotLeast, b) : undefined;
  /** lower bound on the cost (W x s x gCO2/kWh) still to pay from state id at boundary cheap.from */
  let lbValue = new Float64Array(0);
  let lbLayer = new Int32Array(0);
  const rearranged = (id: number): number => {
    const c = cheap!;
    if (id >= lbLayer.length) {
      const n = Math.max(id + 1, lbLayer.length * 2, 64);
      const v = new Float64Array(n);
      v.set(lbValue);
      const l = new Int32Array(n).fill(-1);
      l.set(lbLayer);
      lbValue = v;
      lbLayer = l;
    }
    if (lbLayer[id] === c.from) return lbValue[id]!;
    const at = id * LEVELS;
    let lb = 0;
    let used = 0;
    let before = 0;
    for (let l = 0; l < LEVELS; l++) {
      const sec = space.levelSec[at + l]!;
      if (!(sec > 0)) continue;
      const upto = c.cheapest(used + sec);
      lb += space.levelPow[at + l]! * (upto - before);
      before = upto;
      used += sec;
    }
    lbLayer[id] = c.from;
    lbValue[id] = lb;
    return lb;
  };
  let bestCost = Infinity;
  /**
   * Keep the cheaper way into (layer, state); the first found on ties. A state whose cost so far
   * plus a lower bound on what remains (remaining energy x the least intensity left; with free
   * instants also the rearrangement bound) is strictly above a plan's cost cannot be on an optimal
   * path and is dropped; so is one that can no longer finish by the deadline. With a negative
   * intensity ahead (a noisy forecast view) more energy could cost less, so there is no such bound.
   */
  const relax = (layer: number, id: number, k: number, cost: number, parent: number, flags: number, endAt: number, startAt: number): void => {
    const s = id * kDim + k;
    if (s >= stamp.length) ensureIndex(s + 1);
    if (stamp[s] === base0 + layer) {
      // already there, having passed the checks below at a higher cost
      const at = posOf[s]!;
      if (cost < pool.cost[at]!) {
        pool.cost[at] = cost;
        pool.parent[at] = parent;
        pool.flags[at] = flags;
        pool.endAt[at] = endAt;
        pool.startAt[at] = startAt;
      }
      return;
    }
    if (b[layer]! + space.remaining[id]! > deadline) return;
    const least = leastFrom[layer]!;
    if (least >= 0) {
      if (cost + least * space.remainingJ[id]! > pruneAt) return;
      if (cheap && layer === cheap.from && pruneAt < Infinity && cost + rearranged(id) > pruneAt) return;
    }
    stamp[s] = base0 + layer;
    posOf[s] = pool.push(id, k, cost, parent, flags, endAt, startAt);
  };

  const layerStart = new Int32Array(T + 1); // pool position where each boundary's states begin
  // prune against the cheapest plan found so far, and from the start against the bound
  let pruneAt = bound;
  relax(0, space.id(IDLE, 0, 0), 0, 0, -1, 0, NaN, NaN);
  let bestParent = -1;
  let bestFlags = 0;
  let bestFinish = NaN;
  let bestStartAt = NaN;
  const finished = (cost: number, parent: number, flags: number, finish: number, startAt: number): void => {
    if (cost < bestCost) {
      bestCost = cost;
      pruneAt = Math.min(bound, cost + 1e-12 * Math.abs(cost));
      bestParent = parent;
      bestFlags = flags | ENDED;
      bestFinish = finish;
      bestStartAt = startAt;
    }
  };
  // sources of free positions in a constant step: runs (window L), fresh starts (window L - S)
  const runSources = scratch.runSources;
  const startSources = scratch.startSources;
  runSources.n = 0;
  startSources.n = 0;

  for (let j = 0; j < T; j++) {
    const t0 = b[j]!;
    const t1 = b[j + 1]!;
    const L = t1 - t0;
    const I = intensity[j]!;
    const constant = !Number.isNaN(I); // one carbon step over the slot: energies price it exactly
    let table = tables.get(L);
    if (!table) tables.set(L, (table = spareTables.pop() ?? new StepTable()));

    if (continuous) {
      // Stop at this boundary, keeping all progress; the idle state may restart right here.
      const end = pool.size;
      for (let pos = layerStart[j]!; pos < end; pos++) {
        const id = pool.state[pos]!;
        if (space.kind[id] !== RUN || !(space.progress[id]! > 0)) continue; // (no progress: nothing to keep)
        let idle = idleOf[id];
        if (idle === undefined) idleOf[id] = idle = space.id(IDLE, space.progress[id]!, 0);
        relax(j, idle, pool.starts[pos]!, pool.cost[pos]!, pos, ENDED, t0, NaN);
      }
    }
    layerStart[j + 1] = pool.size;
    if (cheap) cheap.advance(); // from here on the states made are at b_{j+1}

    for (let pos = layerStart[j]!; pos < layerStart[j + 1]!; pos++) {
      let id = pool.state[pos]!;
      let k = pool.starts[pos]!;
      const cost = pool.cost[pos]!;
      let flags = 0;
      if (space.kind[id] === IDLE) {
        if (j + 1 < T) relax(j + 1, id, k, cost, pos, 0, NaN, NaN);
        if (k >= maxStarts) continue;
        if (free) freeStarts(pos, id, k, cost, j, L, I, constant);
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
      const progress = space.progress[id]!;
      const workAt = t0 + table.workFrom[id]!;
      // the startup part of the step; work up to q then costs I x E(q) on top (constant step) or
      // workCost(workAt, progress, q) (otherwise)
      let base: number;
      if (constant) base = cost + I * (table.eStartup[id]! - space.progressJ[id]!);
      else {
        const elapsed = space.kind[id] === RUN ? S : space.elapsed[id]!;
        base = cost + startupCost(profile, carbon, t0, elapsed, Math.min(S, elapsed + L));
      }
      const lo = table.cutLo[id]!;
      if (lo >= 0) {
        const hi = table.cutHi[id]!;
        for (let c = lo; c < hi; c++) {
          const cp = checkpoints[c]!;
          const cc = constant ? base + I * cpJ[c]! : base + workCost(profile, carbon, workAt, progress, cp);
          relax(j + 1, cutState(c), k, cc, pos, flags | ENDED, workAt + (cp - progress), NaN);
        }
      }
      const qEnd = table.progressEnd[id]!;
      if (free && continuous && qEnd > progress) {
        // free ends inside the step, before the finish
        if (constant && space.kind[id] === RUN) runSources.add(progress, base, k, pos);
        else if (constant && flags === STARTED && S < L) startSources.add(progress, base, k, pos);
        else {
          const stop = Math.min(qEnd, W) - Q;
          for (let i = lowerBound(V, progress + Q); i < V.length && V[i]! < stop; i++) {
            const cv = constant ? base + I * VJ[i]! : base + workCost(profile, carbon, workAt, progress, V[i]!);
            relax(j + 1, freeIdleState(i), k, cv, pos, flags | ENDED, workAt + (V[i]! - progress), NaN);
          }
        }
      }
      const total = constant ? cost + I * (table.eStartup[id]! + table.eWork[id]!) : base + workCost(profile, carbon, workAt, progress, qEnd);
      if (next === FINISHED) finished(total, pos, flags, t0 + table.finishAt[id]!, NaN);
      else relax(j + 1, next, k, total, pos, flags, NaN, NaN);
    }

    if (free && constant) {
      // targets at b_{j+1} that can still finish by the deadline: progress at least `bottom`
      const bottom = W + S - (deadline - t1);
      // free ends of running intervals: stop where the progress is V[i], inside [t0, t1)
      runSources.sweep(V, L, bottom, W - Q, (i, src) => {
        const parent = runSources.pos[src]!;
        const v = V[i]!;
        relax(j + 1, freeIdleState(i), runSources.k[src]!, runSources.base[src]! + I * VJ[i]!, parent, ENDED, t0 + (v - runSources.a[src]!), NaN);
      });
      // intervals started at t0 (fresh starts, k already counted) that stop at a free end; and, at
      // the same cost, intervals started at a free instant that run on to t1 with progress V[i]
      startSources.sweep(V, L - S, bottom - S, W - Q, (i, src) => {
        const parent = startSources.pos[src]!;
        const v = V[i]!;
        const k = startSources.k[src]!;
        const c = startSources.base[src]! + I * VJ[i]!;
        if (continuous) relax(j + 1, freeIdleState(i), k, c, parent, STARTED | ENDED, t0 + S + (v - startSources.a[src]!), NaN);
        relax(j + 1, freeRunState(i), k, c, parent, STARTED, NaN, t1 - S - (v - startSources.a[src]!));
      });
    }
  }

  /**
   * Free starts from idle(p) at position `pos`: the interval starts at x inside [b_j, b_{j+1})
   * with virtual progress v = p + (b_{j+1} - x) - S in V. In a constant step the ones whose startup
   * ends inside the step reach run(v) through the sliding window (as fresh starts at t0 would: the
   * same energy at the same price), and those ending a checkpoint or the job inside the step cost
   * what the start at t0 costs, so only the rest is enumerated here.
   */
  function freeStarts(pos: number, idleId: number, k0: number, cost: number, j: number, L: number, I: number, constant: boolean): void {
    const t1 = b[j + 1]!;
    const p = space.progress[idleId]!;
    const pJ = space.progressJ[idleId]!;
    const k = maxStarts === Infinity ? k0 : k0 + 1;
    if (constant && S < L && !continuous) {
      // checkpointed: fresh starts at t0 feed the window for run(v) (not otherwise added)
      startSources.add(p, cost + I * (profile.startupEnergyJ - pJ), k, pos);
    }
    const top = constant ? Math.min(p + Q, p + L - S - Q) : Math.min(W + Q, p + L - S - Q);
    for (let i = lowerBound(V, p - S + Q); i < V.length && V[i]! < top; i++) {
      const v = V[i]!;
      const r = S + (v - p); // startup seconds done by b_{j+1}
      const x = t1 - r;
      if (r < S - TIME_EPS_S) {
        const c = constant ? I * startupEnergy(profile, 0, r) : startupCost(profile, carbon, x, 0, r);
        const key = idleId * V.length + i;
        let sid = freeStartup.get(key);
        if (sid === undefined) freeStartup.set(key, (sid = space.id(STARTUP, p, r)));
        relax(j + 1, sid, k, cost + c, pos, STARTED, NaN, x);
        continue;
      }
      const workAt = x + S;
      const su = cost + (constant ? I * profile.startupEnergyJ : startupCost(profile, carbon, x, 0, S));
      if (!continuous) {
        const cLo = lastCheckpointIndex(checkpoints, p) + 1;
        const cHi = Math.min(lastCheckpointIndex(checkpoints, v) + 1, cutCount);
        for (let c = cLo; c < cHi; c++) {
          const cp = checkpoints[c]!;
          const cc = constant ? su + I * (cpJ[c]! - pJ) : su + workCost(profile, carbon, workAt, p, cp);
          relax(j + 1, cutState(c), k, cc, pos, STARTED | ENDED, workAt + (cp - p), x);
        }
      }
      if (v >= W - TIME_EPS_S) finished(constant ? su + I * (profile.workEnergyJ - pJ) : su + workCost(profile, carbon, workAt, p, W), pos, STARTED, t1, x);
      else relax(j + 1, freeRunState(i), k, constant ? su + I * (VJ[i]! - pJ) : su + workCost(profile, carbon, workAt, p, v), pos, STARTED, NaN, x);
    }
  }

  for (const table of tables.values()) {
    table.reset();
    spareTables.push(table);
  }
  scratch.pool = pool;
  if (bestParent < 0) throw new Error('dynamic program found no plan for a feasible problem (internal error)');
  const intervals = tracePlan(pool, layerStart, b, bestParent, bestFlags, bestFinish, bestStartAt);
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
function tracePlan(pool: Pool, layerStart: Int32Array, b: Float64Array, parent: number, flags: number, finish: number, startAt: number): Interval[] {
  const instants: number[] = [finish];
  if (flags & STARTED) instants.push(Number.isNaN(startAt) ? b[layerOf(layerStart, parent)]! : startAt);
  for (let pos = parent; pos >= 0; pos = pool.parent[pos]!) {
    const f = pool.flags[pos]!;
    if (f & ENDED) instants.push(pool.endAt[pos]!);
    if (f & STARTED) instants.push(Number.isNaN(pool.startAt[pos]!) ? b[layerOf(layerStart, pool.parent[pos]!)]! : pool.startAt[pos]!);
  }
  instants.reverse();
  const intervals: Interval[] = [];
  for (let k = 0; k + 1 < instants.length; k += 2) intervals.push([instants[k]!, instants[k + 1]!]);
  return intervals;
}
