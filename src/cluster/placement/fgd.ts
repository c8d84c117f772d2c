// FGD, Fragmentation Gradient Descent (Weng et al., ATC'23; the peers' FGDScore plugin): a node's
// score is how much placing the pod lowers the node's fragmentation with respect to the target
// workload, squashed by a sigmoid: trunc(100 x sigmoid((frag before - frag after) / 1000)). A share
// tries every GPU with enough free and keeps the best (the lowest index on equal scores), which is
// also the GPU it takes; whole GPUs and CPU-only pods take what the peers' Sub takes. No
// normalisation: the sigmoid keeps scores in 0..100.
import { leftAfter, MAX_NODE_SCORE, type PluginContext, type ScorePlugin } from './plugin.js';
import { isSharing, type PodShape } from './shape.js';

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function scoreOf(before: number, after: number): number {
  return Math.trunc(sigmoid((before - after) / 1000) * MAX_NODE_SCORE);
}

/** FGD score of putting the share on GPU g of node n (the GPU must have enough free). */
function shareScore(ctx: PluginContext, pod: PodShape, n: number, g: number, before: number): number {
  const { state: s, frag } = ctx;
  const out = frag.scratch;
  const count = leftAfter(s, n, pod, g, out);
  return scoreOf(before, frag.fragOf(s.modelIdx[n]!, s.cpuLeft[n]! - pod.cpuMilli, out, count));
}

/** The best score over the GPUs that can take the share, and the first GPU reaching it. */
function bestShare(ctx: PluginContext, pod: PodShape, n: number): { score: number; gpu: number } {
  const s = ctx.state;
  const before = ctx.frag.nodeFrag(s, n);
  const base = s.gpuBase[n]!;
  let best = -1;
  let gpu = -1;
  // GPUs with equal free shares give the same multiset after, hence the same score
  const seen: number[] = [];
  const seenScore: number[] = [];
  for (let g = 0; g < s.gpuCount[n]!; g++) {
    const v = s.gpuLeft[base + g]!;
    if (v < pod.gpuMilli) continue;
    let k = seen.indexOf(v);
    if (k < 0) {
      k = seen.push(v) - 1;
      seenScore.push(shareScore(ctx, pod, n, g, before));
    }
    if (gpu < 0 || seenScore[k]! > best) {
      best = seenScore[k]!;
      gpu = g;
    }
  }
  return { score: best, gpu };
}

export const fgdPlugin: ScorePlugin = {
  name: 'fgd',
  cacheable: true,
  score(ctx, pod, n) {
    if (isSharing(pod)) return bestShare(ctx, pod, n).score;
    const { state: s, frag } = ctx;
    const before = frag.nodeFrag(s, n);
    const count = leftAfter(s, n, pod, -1, frag.scratch);
    return scoreOf(before, frag.fragOf(s.modelIdx[n]!, s.cpuLeft[n]! - pod.cpuMilli, frag.scratch, count));
  },
  shareGpu(ctx, pod, n) {
    return bestShare(ctx, pod, n).gpu;
  },
};
