// GPU fragmentation with respect to a target workload (Weng et al., "Beware of Fragmentation",
// ATC'23; hkust-adsl/kubernetes-scheduler-simulator pkg/utils/frag.go), in the peers' arithmetic.
//
// Target workload: the pod shapes (CPU, per-GPU share, GPU count, model spec; memory ignored) of the
// original trace by how often they occur, the most frequent first (equal counts: the larger shape
// first), taken one at a time until they cover `popularity` % of the pods, then renormalised to 1.
//
// Fragmentation of a node for one target shape t (all in GPU thousandths):
//   t asks no GPU                         -> all free GPU counts as fragment (classes XL / XR)
//   the node's model is not allowed for t -> all free GPU (NA)
//   t fits the node's GPUs and its CPU    -> the free GPU on GPUs with less free than t's share (Q2 part of Q3)
//   t fits the GPUs but not the CPU       -> all free GPU (Q4)
//   t does not fit the GPUs               -> all free GPU (Q2, or Q1 when the CPU does not fit either)
// The node's fragmentation is the sum over t weighted by t's share, accumulated per class in
// target order and summed in class order as the peers do, so the floats are theirs.
import { cleanSpec, type PodShape } from './shape.js';
import type { PlacementState } from './state.js';

export interface TargetShape {
  cpuMilli: number;
  gpuMilli: number;
  numGpu: number;
  gpuSpec: string;
  /** share of the target workload, 0..1; the shares sum to 1 */
  p: number;
}

export interface TargetOptions {
  /** cumulative share of pods the target covers, in % (the peers' podPopularityThreshold); default 95 */
  popularity?: number;
  /** shapes added per step (podIncreaseStep); default 1 */
  step?: number;
  /** count pods without GPUs (isInvolvedCpuPods); default true */
  includeCpuPods?: boolean;
}

/** The target workload of a trace (the original pods, before any inflation). */
export function targetWorkload(pods: readonly PodShape[], options: TargetOptions = {}): TargetShape[] {
  const popularity = options.popularity ?? 95;
  const step = options.step ?? 1;
  const includeCpu = options.includeCpuPods ?? true;
  const counts = new Map<string, TargetShape>();
  let total = 0;
  for (const pod of pods) {
    if (!includeCpu && pod.numGpu === 0) continue;
    const gpuMilli = pod.numGpu === 0 ? 0 : pod.gpuMilli;
    const spec = cleanSpec(pod.gpuSpec);
    const key = `${pod.cpuMilli}|${gpuMilli}|${pod.numGpu}|${spec}`;
    const entry = counts.get(key);
    if (entry) entry.p += 1;
    else counts.set(key, { cpuMilli: pod.cpuMilli, gpuMilli, numGpu: pod.numGpu, gpuSpec: spec, p: 1 });
    total += 1;
  }
  if (total === 0) return [];
  // decreasing count; equal counts: the larger shape first (CPU, share, GPU count, spec), as the
  // peers' sort.Reverse of (count, shape) orders them
  const list = [...counts.values()].sort(
    (a, b) =>
      b.p - a.p ||
      b.cpuMilli - a.cpuMilli ||
      b.gpuMilli - a.gpuMilli ||
      b.numGpu - a.numGpu ||
      (a.gpuSpec < b.gpuSpec ? 1 : a.gpuSpec > b.gpuSpec ? -1 : 0),
  );
  const expected = (popularity * total) / 100;
  let i = 0;
  let taken = 0;
  let cum = 0;
  while (cum < expected) {
    taken += step;
    for (; i < taken && i < list.length; i++) {
      cum += list[i]!.p;
      list[i]!.p = list[i]!.p / total;
    }
    if (i >= list.length) break;
  }
  if (i >= list.length) return list;
  const out = list.slice(0, i);
  for (const t of out) t.p /= cum / total;
  return out;
}

/** The target workload compiled for fast evaluation on one cluster's GPU models. */
export class FragModel {
  readonly targets: readonly TargetShape[];
  private readonly cpu: Float64Array;
  private readonly milli: Int32Array;
  private readonly num: Int32Array;
  private readonly p: Float64Array;
  /** access[m * T + t] = 1 when model m is allowed for target t */
  private readonly access: Uint8Array;
  private readonly t: number;
  /** per state id: the node's fragmentation (NaN: not computed yet) */
  private cache: Float64Array = new Float64Array(1024).fill(NaN);
  /** scratch for a node's GPU free shares */
  readonly scratch = new Int32Array(64);

  constructor(targets: readonly TargetShape[], models: readonly string[]) {
    this.targets = targets;
    const T = targets.length;
    this.t = T;
    this.cpu = Float64Array.from(targets, (x) => x.cpuMilli);
    this.milli = Int32Array.from(targets, (x) => x.gpuMilli);
    this.num = Int32Array.from(targets, (x) => x.numGpu);
    this.p = Float64Array.from(targets, (x) => x.p);
    this.access = new Uint8Array(Math.max(1, models.length) * T);
    for (let m = 0; m < models.length; m++) {
      for (let t = 0; t < T; t++) {
        const spec = targets[t]!.gpuSpec;
        this.access[m * T + t] = spec === '' || spec.split('|').includes(models[m]!) ? 1 : 0;
      }
    }
  }

  /**
   * Fragmentation (GPU thousandths) of a node with GPU model m (-1: none), `cpuLeft` CPU
   * thousandths free and GPUs whose free thousandths are left[0 .. count - 1].
   */
  fragOf(m: number, cpuLeft: number, left: ArrayLike<number>, count: number): number {
    let total = 0;
    for (let g = 0; g < count; g++) total += left[g]!;
    if (total === 0) return 0; // the peers' per-class amounts are all zero then
    const T = this.t;
    const cpu = this.cpu;
    const milli = this.milli;
    const num = this.num;
    const p = this.p;
    const access = this.access;
    const row = m * T;
    // classes: q1 lack both, q2 lack GPU, q4 lack CPU, xl / xr no-GPU pods, na model not allowed
    let q1 = 0;
    let q2 = 0;
    let q4 = 0;
    let xl = 0;
    let xr = 0;
    let na = 0;
    for (let t = 0; t < T; t++) {
      const share = p[t]!;
      const need = milli[t]!;
      const cpuFits = cpuLeft >= cpu[t]!;
      if (need === 0) {
        if (cpuFits) xl += share * total;
        else xr += share * total;
        continue;
      }
      if (m < 0 || access[row + t] === 0) {
        na += share * total;
        continue;
      }
      let enough = 0;
      let below = 0;
      for (let g = 0; g < count; g++) {
        const v = left[g]!;
        if (v >= need) enough++;
        else below += v;
      }
      if (enough >= num[t]!) {
        if (cpuFits) q2 += share * below;
        else q4 += share * total;
      } else if (cpuFits) q2 += share * total;
      else q1 += share * total;
    }
    return q1 + q2 + q4 + xl + xr + na;
  }

  /** Fragmentation of node n in its current state (cached by state id). */
  nodeFrag(s: PlacementState, n: number): number {
    const id = s.stateId[n]!;
    if (id >= this.cache.length) this.grow(id);
    const cached = this.cache[id]!;
    if (cached === cached) return cached; // not NaN
    const base = s.gpuBase[n]!;
    const v = this.fragOf(s.modelIdx[n]!, s.cpuLeft[n]!, s.gpuLeft.subarray(base, base + s.gpuCount[n]!), s.gpuCount[n]!);
    this.cache[id] = v;
    return v;
  }

  private grow(id: number): void {
    let size = this.cache.length;
    while (size <= id) size *= 2;
    const next = new Float64Array(size).fill(NaN);
    next.set(this.cache);
    this.cache = next;
  }
}

/** Cluster fragmentation ratio: fragmentation summed over nodes / free GPU thousandths (0 when none is free). */
export function clusterFragRatio(model: FragModel, s: PlacementState): number {
  let frag = 0;
  let idle = 0;
  for (let n = 0; n < s.n; n++) {
    frag += model.nodeFrag(s, n);
    idle += s.gpuTotalLeft[n]!;
  }
  return idle > 0 ? frag / idle : 0;
}
