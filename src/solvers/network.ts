// The checkpoint-resume problem as a MILP over a time-expanded network (docs/lp.md).
//
// Node free(j, p): the job is not running at boundary b_j and has saved progress p. Arcs:
//   wait      free(j, p) -> free(j + 1, p), cost 0
//   interval  free(j, p) -> free(i, p'): start at b_j, end at a boundary b_e (jobs that save
//             continuously) or at the end of any checkpoint reached (jobs with checkpoints); p' the
//             progress kept, b_i the first boundary at or after the end
//   finish    free(j, p) -> sink: start at b_j and run until the job finishes, by the deadline
// Each arc's cost is the emissions of its whole interval, computed in one piece, so the network
// prices a plan differently from the dynamic program's slot steps: a useful cross-check.
// This is the slot-grid plan space (problem.freeInstant false). Free instants are the dynamic
// program's alone: as arcs (a free start, or end, at every free position V from every node) the
// network grows with |V|^2 per node (635k arcs at 12 slots for a 4 h job with a 5-minute startup).
// One binary x_a per arc; flow conservation with one unit from free(0, 0) to the sink; a cap on
// starts is one more row: sum of interval and finish arcs <= K. Without the cap the matrix is a
// network matrix (totally unimodular) and the LP relaxation is integral; the cap makes it a MILP.
// Coupling rows for several jobs (shared capacity, power caps) would be added the same way.
// Size: O(T x P) nodes and O(T x P x E) arcs, E the end boundaries an interval can reach before
// the job finishes (about (S + W) / L + 1), P the distinct saved progress values.
import { TIME_EPS_S } from '../model/profile.js';
import type { Interval } from '../model/execution.js';
import { checkMaxStarts, problemTerms, problemFeasible, PROGRESS_QUANTUM_S, startupCost, workCost, type CheckpointResumeProblem } from './problem.js';

/** A MILP in the shape solvers take: min c'x, rowLower <= Ax <= rowUpper, x binary. */
export interface MilpModel {
  numCols: number;
  numRows: number;
  colCost: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  /** compressed sparse columns: column c holds rows indices[starts[c] .. starts[c+1]) */
  matrix: { starts: Int32Array; indices: Int32Array; values: Float64Array };
}

/** The network of one problem: arcs with their intervals and costs (W x s x gCO2/kWh). */
export interface IntervalNetwork {
  /** number of free(j, p) nodes; the sink is node `nodes` */
  nodes: number;
  from: Int32Array;
  to: Int32Array;
  cost: Float64Array;
  /** run interval of the arc; NaN for wait arcs */
  start: Float64Array;
  end: Float64Array;
  /** the cap on starts, Infinity when uncapped */
  maxStarts: number;
}

/** Build the network for a feasible problem (problemFeasible). */
export function buildIntervalNetwork(problem: CheckpointResumeProblem): IntervalNetwork {
  if (!problemFeasible(problem)) throw new RangeError('no plan meets the deadline: the network would be empty');
  const { profile, carbon, b, T, S, W, deadline, checkpoints, continuous } = problemTerms(problem);
  if (problem.freeInstant) throw new RangeError('the MILP network holds the slot-grid plan space only: free instants need the dynamic program (solver dp)');
  const maxStarts = checkMaxStarts(problem.maxStarts);
  const cutCount = checkpoints.length > 0 && checkpoints[checkpoints.length - 1]! >= W - TIME_EPS_S ? checkpoints.length - 1 : checkpoints.length;

  // Nodes per boundary, keyed by quantised progress; created as arcs reach them (j ascending).
  const layerNodes: Map<number, number>[] = Array.from({ length: T }, () => new Map());
  const nodeProgress: number[] = [];
  const node = (j: number, p: number): number => {
    const k = Math.round(p / PROGRESS_QUANTUM_S);
    const layer = layerNodes[j]!;
    let id = layer.get(k);
    if (id === undefined) {
      id = nodeProgress.length;
      layer.set(k, id);
      nodeProgress.push(p);
    }
    return id;
  };
  const canFinish = (j: number, p: number): boolean => j < T && b[j]! + S + (W - p) <= deadline;
  /** first boundary index i > from with b_i >= t (within the engine's tolerance) */
  const boundaryAtOrAfter = (t: number, from: number): number => {
    let i = from;
    while (i <= T && b[i]! < t - TIME_EPS_S) i++;
    return i;
  };

  const from: number[] = [];
  const to: number[] = [];
  const cost: number[] = [];
  const start: number[] = [];
  const end: number[] = [];
  const SINK = -1; // patched to the node count at the end
  const arc = (u: number, v: number, c: number, s: number, e: number): void => {
    from.push(u);
    to.push(v);
    cost.push(c);
    start.push(s);
    end.push(e);
  };

  /** The arcs of one interval from node u (progress p) starting at s in the slot [b_j, b_{j+1}). */
  const intervalArcs = (u: number, p: number, s: number, j: number): void => {
    const startup = startupCost(profile, carbon, s, 0, S);
    const finish = s + S + (W - p);
    if (finish <= deadline) arc(u, SINK, startup + workCost(profile, carbon, s + S, p, W), s, finish);
    if (continuous) {
      for (let e = j + 1; e <= T; e++) {
        const run = b[e]! - s - S; // seconds of work by b_e
        if (W - p <= run + TIME_EPS_S) break; // finished by then: that is the finish arc
        if (run <= 0) continue; // only startup by b_e: the interval would save nothing
        if (!canFinish(e, p + run)) continue;
        arc(u, node(e, p + run), startup + workCost(profile, carbon, s + S, p, p + run), s, b[e]!);
      }
      return;
    }
    for (let c = 0; c < cutCount; c++) {
      const kept = checkpoints[c]!;
      if (!(kept > p + TIME_EPS_S)) continue; // nothing new saved
      const stop = s + S + (kept - p);
      if (stop > deadline) break;
      const i = boundaryAtOrAfter(stop, j + 1);
      if (!canFinish(i, kept)) continue;
      arc(u, node(i, kept), startup + workCost(profile, carbon, s + S, p, kept), s, stop);
    }
  };

  node(0, 0);
  for (let j = 0; j < T; j++) {
    for (const u of layerNodes[j]!.values()) {
      const p = nodeProgress[u]!;
      if (canFinish(j + 1, p)) arc(u, node(j + 1, p), 0, NaN, NaN);
      intervalArcs(u, p, b[j]!, j);
    }
  }
  const nodes = nodeProgress.length;
  const toArr = Int32Array.from(to, (v) => (v === SINK ? nodes : v));
  return {
    nodes,
    from: Int32Array.from(from),
    to: toArr,
    cost: Float64Array.from(cost),
    start: Float64Array.from(start),
    end: Float64Array.from(end),
    maxStarts,
  };
}

/**
 * The MILP of a network: rows 0..nodes are flow conservation (inflow - outflow = -1 at the
 * source, +1 at the sink, 0 elsewhere), then the cap on starts when there is one. Costs are
 * divided by `scale` so solver tolerances act on numbers of order one.
 */
export function networkMilp(net: IntervalNetwork, scale: number): MilpModel {
  const capped = net.maxStarts !== Infinity;
  const numRows = net.nodes + 1 + (capped ? 1 : 0);
  const numCols = net.from.length;
  const rowLower = new Float64Array(numRows);
  rowLower[0] = -1;
  rowLower[net.nodes] = 1;
  const rowUpper = Float64Array.from(rowLower);
  if (capped) {
    rowLower[numRows - 1] = -Infinity;
    rowUpper[numRows - 1] = net.maxStarts;
  }
  const starts = new Int32Array(numCols + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const colCost = new Float64Array(numCols);
  for (let a = 0; a < numCols; a++) {
    // CSC rows must be distinct within a column: from < to always (arcs point forward).
    indices.push(net.from[a]!, net.to[a]!);
    values.push(-1, 1);
    if (capped && !Number.isNaN(net.start[a]!)) {
      indices.push(numRows - 1);
      values.push(1);
    }
    starts[a + 1] = indices.length;
    colCost[a] = net.cost[a]! / scale;
  }
  return { numCols, numRows, colCost, rowLower, rowUpper, matrix: { starts, indices: Int32Array.from(indices), values: Float64Array.from(values) } };
}

/** A cost scale that makes the largest arc cost 1000 (1 when all are zero). */
export function costScale(net: IntervalNetwork): number {
  let max = 0;
  for (const c of net.cost) if (c > max) max = c;
  return max > 0 ? max / 1000 : 1;
}

/**
 * The plan a 0/1 arc selection encodes: the path of chosen arcs from the source to the sink,
 * with its cost. Throws when the selection is not one such path (fractional values, broken flow).
 */
export function planFromArcs(net: IntervalNetwork, x: Float64Array): { intervals: Interval[]; cost: number; arcs: number } {
  const INTEGRAL_TOL = 1e-6;
  const out = new Int32Array(net.nodes + 1).fill(-1);
  let chosen = 0;
  for (let a = 0; a < x.length; a++) {
    const v = x[a]!;
    if (Math.abs(v) <= INTEGRAL_TOL) continue;
    if (Math.abs(v - 1) > INTEGRAL_TOL) throw new RangeError(`arc ${a} has the fractional value ${v}`);
    const u = net.from[a]!;
    if (out[u] !== -1) throw new RangeError(`node ${u} has two chosen outgoing arcs`);
    out[u] = a;
    chosen++;
  }
  const intervals: Interval[] = [];
  let cost = 0;
  let u = 0;
  let steps = 0;
  while (u !== net.nodes) {
    const a = out[u]!;
    if (a < 0) throw new RangeError(`the chosen arcs stop at node ${u} before the sink`);
    cost += net.cost[a]!;
    if (!Number.isNaN(net.start[a]!)) intervals.push([net.start[a]!, net.end[a]!]);
    u = net.to[a]!;
    steps++;
  }
  if (steps !== chosen) throw new RangeError(`${chosen - steps} chosen arcs lie off the path from the source to the sink`);
  return { intervals, cost, arcs: steps };
}
