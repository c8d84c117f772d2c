// The evaluation protocol of FGD (ATC'23) and PWR (2024), as their scripts run it: the pods of a
// trace in a seeded random order, inflated with clones drawn uniformly with replacement until the
// total GPU request would pass `ratio` x the cluster's GPUs; arrivals only (nothing ever leaves);
// a pod that fits nowhere when it arrives is dropped. After every arrival the run records the
// arrived and allocated GPU, the cluster's power and its fragmentation.
//
// Random numbers, from one seeded stream in the peers' order: the shuffle (pods sorted by name
// first), the clones, the node ranking that breaks ties, then the policy's own draws.
import { seededRandom } from '../../model/random.js';
import { FragModel, targetWorkload, type TargetShape } from './frag.js';
import { Placer, seededRanking, type TieRule } from './placer.js';
import { defaultPlacementPower, nodePowerW, type PlacementPower } from './power.js';
import type { PlacementPolicy } from './registry.js';
import { totalGpuMilli, type NamedPod } from './shape.js';
import { PlacementState, type PlacementNode } from './state.js';

export interface ProtocolOptions {
  nodes: readonly PlacementNode[];
  /** the trace's pods (the target workload is built from them, before inflation) */
  pods: readonly NamedPod[];
  policy: PlacementPolicy | string;
  seed: number;
  /** inflate (or prune) to this multiple of the cluster's GPUs; default 1.3; 0: keep the trace as is */
  ratio?: number;
  /** default 'ranked' (the peers') */
  ties?: TieRule;
  power?: PlacementPower;
  /** FGD's target workload; default: targetWorkload(pods) */
  target?: readonly TargetShape[];
  /** keep the pods in trace order instead of shuffling them */
  noShuffle?: boolean;
}

export interface ProtocolRun {
  policy: string;
  seed: number;
  /** arrivals (the shuffled, inflated pod list) */
  arrivals: number;
  capacityGpuMilli: number;
  /** after each arrival: GPU thousandths arrived (placed or not), allocated, free */
  arrivedMilli: Float64Array;
  allocatedMilli: Float64Array;
  idleMilli: Float64Array;
  /** after each arrival: cluster draw (W) and fragmentation (GPU thousandths) */
  powerW: Float64Array;
  fragMilli: Float64Array;
  placed: number;
  /** pods that fitted nowhere when they arrived (dropped) */
  failed: number;
  /** of those, pods no node could ever hold */
  neverFit: number;
  /** placing time (ms), and score computations vs cache hits */
  ms: number;
  scoreMisses: number;
  scoreHits: number;
}

/** Go's rand.Shuffle form of Fisher-Yates, in place. */
function shuffle<T>(items: T[], rng: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
}

/**
 * The arrival list: the pods sorted by name and shuffled (unless noShuffle), then clones of pods
 * drawn uniformly (from the name-sorted trace) appended while the total GPU request stays within
 * ratio x capacity; when the trace already asks for more, pods drawn uniformly are removed until
 * it does not.
 */
export function arrivalList(pods: readonly NamedPod[], capacityGpuMilli: number, ratio: number, rng: () => number, noShuffle = false): NamedPod[] {
  const sorted = [...pods].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const list = noShuffle ? [...pods] : [...sorted];
  if (!noShuffle) shuffle(list, rng);
  if (!(ratio > 0) || sorted.length === 0) return list;
  const goal = ratio * capacityGpuMilli;
  let total = 0;
  for (const p of list) total += totalGpuMilli(p);
  if (total > goal) {
    while (total > goal && list.length > 0) {
      const i = Math.floor(rng() * list.length);
      total -= totalGpuMilli(list[i]!);
      list.splice(i, 1);
    }
    return list;
  }
  for (let k = 0; ; k++) {
    const p = sorted[Math.floor(rng() * sorted.length)]!;
    if (total + totalGpuMilli(p) > goal) break;
    total += totalGpuMilli(p);
    list.push({ ...p, name: `${p.name}-tuned-${k}` });
  }
  return list;
}

export function runProtocol(options: ProtocolOptions): ProtocolRun {
  const rng = seededRandom(String(options.seed));
  const state = new PlacementState(options.nodes);
  const power = options.power ?? defaultPlacementPower();
  const target = options.target ?? targetWorkload(options.pods);
  const arrivals = arrivalList(options.pods, state.capacityGpuMilli, options.ratio ?? 1.3, rng, options.noShuffle);
  const ties = options.ties ?? 'ranked';
  const rank = ties === 'ranked' ? seededRanking(state.names, rng) : undefined;
  const placer = new Placer(state, { policy: options.policy, target, power, ties, rng, ...(rank && { rank }) });
  const frag: FragModel = placer.ctx.frag;

  const N = arrivals.length;
  const run: ProtocolRun = {
    policy: placer.policy.name,
    seed: options.seed,
    arrivals: N,
    capacityGpuMilli: state.capacityGpuMilli,
    arrivedMilli: new Float64Array(N),
    allocatedMilli: new Float64Array(N),
    idleMilli: new Float64Array(N),
    powerW: new Float64Array(N),
    fragMilli: new Float64Array(N),
    placed: 0,
    failed: 0,
    neverFit: 0,
    ms: 0,
    scoreMisses: 0,
    scoreHits: 0,
  };
  const nodePower = new Float64Array(state.n);
  const nodeFrag = new Float64Array(state.n);
  let powerSum = 0;
  let fragSum = 0;
  let idle = 0;
  for (let n = 0; n < state.n; n++) {
    nodePower[n] = nodePowerW(power, state, n);
    nodeFrag[n] = frag.nodeFrag(state, n);
    powerSum += nodePower[n]!;
    fragSum += nodeFrag[n]!;
    idle += state.gpuTotalLeft[n]!;
  }
  const neverFit = new Map<string, boolean>();
  let arrived = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const pod = arrivals[i]!;
    arrived += totalGpuMilli(pod);
    const d = placer.place(pod);
    if (d) {
      run.placed++;
      const n = d.node;
      const p = nodePowerW(power, state, n);
      const f = frag.nodeFrag(state, n);
      powerSum += p - nodePower[n]!;
      fragSum += f - nodeFrag[n]!;
      nodePower[n] = p;
      nodeFrag[n] = f;
      idle -= totalGpuMilli(pod);
    } else {
      run.failed++;
      const key = `${pod.cpuMilli}|${pod.memMiB}|${pod.numGpu}|${pod.gpuMilli}|${pod.gpuSpec}`;
      let never = neverFit.get(key);
      if (never === undefined) neverFit.set(key, (never = !placer.couldEverFit(pod)));
      if (never) run.neverFit++;
    }
    run.arrivedMilli[i] = arrived;
    run.allocatedMilli[i] = state.capacityGpuMilli - idle;
    run.idleMilli[i] = idle;
    run.powerW[i] = powerSum;
    run.fragMilli[i] = fragSum;
  }
  run.ms = performance.now() - t0;
  run.scoreMisses = placer.misses;
  run.scoreHits = placer.hits;
  return run;
}

/**
 * v at x = X from a run's (x, v) points, as the PWR paper's notebook reads its logs: the first
 * point of each distinct x, linear between points, held flat outside them.
 */
export function valueAt(x: ArrayLike<number>, v: ArrayLike<number>, X: number): number {
  let prevX = NaN;
  let prevV = NaN;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    if (xi === prevX) continue; // keep the first of equal x
    if (xi >= X) {
      if (xi === X || prevX !== prevX) return v[i]!;
      return prevV + ((v[i]! - prevV) * (X - prevX)) / (xi - prevX);
    }
    prevX = xi;
    prevV = v[i]!;
  }
  return prevV;
}

export interface Checkpoint {
  /** arrived GPU / cluster GPUs */
  x: number;
  /** GPU allocation ratio: allocated / arrived */
  grar: number;
  powerW: number;
  /** fragmentation / free GPU */
  fragRatio: number;
  /** allocated / cluster GPUs */
  allocShare: number;
}

/** The run's metrics at the given arrived shares (interpolated as valueAt). */
export function checkpoints(run: ProtocolRun, xs: readonly number[]): Checkpoint[] {
  const N = run.arrivals;
  const x = new Float64Array(N);
  const grar = new Float64Array(N);
  const ratio = new Float64Array(N);
  const alloc = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    x[i] = run.arrivedMilli[i]! / run.capacityGpuMilli;
    grar[i] = run.arrivedMilli[i]! > 0 ? run.allocatedMilli[i]! / run.arrivedMilli[i]! : 1;
    ratio[i] = run.idleMilli[i]! > 0 ? run.fragMilli[i]! / run.idleMilli[i]! : 0;
    alloc[i] = run.allocatedMilli[i]! / run.capacityGpuMilli;
  }
  return xs.map((X) => ({ x: X, grar: valueAt(x, grar, X), powerW: valueAt(x, run.powerW, X), fragRatio: valueAt(x, ratio, X), allocShare: valueAt(x, alloc, X) }));
}

/**
 * The FGD artifact's reading (experiments/analysis/merge_alloc_discrete.py): the mean allocated
 * share (in %) over the arrivals whose arrived share rounds to `percent` %; within +-1 % when none does.
 */
export function peersAllocAt(run: ProtocolRun, percent: number): number {
  const bin = (lo: number, hi: number): number => {
    let sum = 0;
    let k = 0;
    for (let i = 0; i < run.arrivals; i++) {
      const a = Math.round((run.arrivedMilli[i]! / run.capacityGpuMilli) * 100);
      if (a >= lo && a <= hi) {
        sum += Math.round((run.allocatedMilli[i]! / run.capacityGpuMilli) * 10000) / 100;
        k++;
      }
    }
    return k > 0 ? sum / k : NaN;
  };
  const exact = bin(percent, percent);
  return exact === exact ? exact : bin(percent - 1, percent + 1);
}
