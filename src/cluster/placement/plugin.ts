// The scoring-plugin interface, Kubernetes-style: every feasible node gets a raw score from each
// plugin, a plugin may normalise its scores over the feasible nodes, the weighted sum decides.
// Scores are whole numbers as in the Kubernetes framework (int64), so ties are the peers' ties.
import type { FragModel } from './frag.js';
import type { PlacementPower } from './power.js';
import { isSharing, MILLI, type PodShape } from './shape.js';
import type { PlacementState } from './state.js';

/** Kubernetes' node score range. */
export const MIN_NODE_SCORE = 0;
export const MAX_NODE_SCORE = 100;
/** The peers' normalisers: the largest node of openb (128 vCPUs, 8 GPUs), in thousandths. */
export const MAX_SPEC_CPU = 128000;
export const MAX_SPEC_GPU = 8000;

/** What plugins read: the cluster, the target workload, the power model, the seeded random numbers. */
export interface PluginContext {
  readonly state: PlacementState;
  readonly frag: FragModel;
  readonly power: PlacementPower;
  rng(): number;
}

export interface ScorePlugin {
  readonly name: string;
  /**
   * true when the raw score depends only on the node's state id and the pod shape, so the placer
   * may cache it per (shape, state)
   */
  readonly cacheable: boolean;
  /** Called once per pod before scoring, with the feasible nodes (Random picks its node here). */
  preScore?(ctx: PluginContext, pod: PodShape, feasible: Int32Array, count: number): void;
  /** Raw score of the pod on feasible node n. */
  score(ctx: PluginContext, pod: PodShape, n: number): number;
  /** NormalizeScore over the feasible nodes' raw scores, in place. */
  normalize?(scores: Float64Array, count: number): void;
  /** The GPUs of a GPU-sharing pod on node n by this plugin's rule (its index list). */
  shareGpu(ctx: PluginContext, pod: PodShape, n: number): number;
}

/** Kubernetes' default-style min-max normalisation to 0..100; all equal -> `equal`. Whole numbers. */
export function minMaxNormalize(scores: Float64Array, count: number, equal: number): void {
  if (count === 0) return;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < count; i++) {
    const v = scores[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  for (let i = 0; i < count; i++) scores[i] = range === 0 ? equal : Math.trunc(((scores[i]! - lo) * MAX_NODE_SCORE) / range);
}

/** The tightest GPU for a share: least free among those with enough, lowest index on ties. */
export function tightestGpu(s: PlacementState, n: number, milli: number): number {
  const base = s.gpuBase[n]!;
  let best = -1;
  let bestLeft = Infinity;
  for (let g = 0; g < s.gpuCount[n]!; g++) {
    const v = s.gpuLeft[base + g]!;
    if (v >= milli && v < bestLeft) {
      best = g;
      bestLeft = v;
    }
  }
  return best;
}

/** k whole GPUs: the lowest-index fully free ones. */
export function lowestFreeGpus(s: PlacementState, n: number, k: number): number[] {
  const base = s.gpuBase[n]!;
  const out: number[] = [];
  for (let g = 0; g < s.gpuCount[n]! && out.length < k; g++) if (s.gpuLeft[base + g] === MILLI) out.push(g);
  return out;
}

/**
 * The node's GPU free shares after the pod takes what the peers' NodeResource.Sub takes: a share
 * from GPU `shareAt` (or, when -1, the least-free GPU with enough), k whole GPUs from the
 * least-free GPUs with a whole GPU free, i.e. fully free ones. Written into `out`; returns count.
 */
export function leftAfter(s: PlacementState, n: number, pod: PodShape, shareAt: number, out: Int32Array): number {
  const base = s.gpuBase[n]!;
  const count = s.gpuCount[n]!;
  for (let g = 0; g < count; g++) out[g] = s.gpuLeft[base + g]!;
  if (pod.numGpu === 0) return count;
  if (isSharing(pod)) {
    const g = shareAt >= 0 ? shareAt : tightestGpu(s, n, pod.gpuMilli);
    out[g] = out[g]! - pod.gpuMilli;
    return count;
  }
  let need = pod.numGpu;
  for (let g = 0; g < count && need > 0; g++) {
    if (out[g] === MILLI) {
      out[g] = 0;
      need--;
    }
  }
  return count;
}
