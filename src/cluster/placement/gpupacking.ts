// GpuPacking (the peers' GpuPackingScore), in whole numbers, from high to low:
//   the pod fits on GPUs already in use:  max(100 - sum over the GPUs it takes of (free x 100 / 1000) / 10, 50)
//   it must use fully free GPUs on a node in use:  max(50 - fully free GPUs it takes, 33)
//   the node is untouched (all GPUs free):  max(33 - free GPUs, free GPUs)
// CPU-only pods score 0 everywhere. The GPUs it would take: the least free with enough first
// (stable on index). A share takes the tightest GPU.
import { MAX_NODE_SCORE, MIN_NODE_SCORE, tightestGpu, type ScorePlugin } from './plugin.js';
import { MILLI } from './shape.js';

export const gpupackingPlugin: ScorePlugin = {
  name: 'gpupacking',
  cacheable: true,
  score(ctx, pod, n) {
    if (pod.numGpu === 0 || pod.gpuMilli <= 0) return MIN_NODE_SCORE;
    const s = ctx.state;
    const count = s.gpuCount[n]!;
    const free = s.gpuFreeWhole[n]!;
    const third = Math.trunc(MAX_NODE_SCORE / 3);
    const half = Math.trunc(MAX_NODE_SCORE / 2);
    if (free === count) return Math.max(third - free, free);
    const base = s.gpuBase[n]!;
    const order: number[] = [];
    for (let g = 0; g < count; g++) order.push(g);
    order.sort((a, b) => s.gpuLeft[base + a]! - s.gpuLeft[base + b]! || a - b);
    let need = pod.numGpu;
    let wholeUsed = 0;
    let ratio = 0;
    for (const g of order) {
      if (need === 0) break;
      const v = s.gpuLeft[base + g]!;
      if (pod.gpuMilli <= v) {
        need--;
        if (v === MILLI) wholeUsed++;
        ratio += Math.trunc((v * 100) / MILLI);
      }
    }
    if (need !== 0) return MIN_NODE_SCORE; // cannot happen on a feasible node
    if (wholeUsed > 0) return Math.max(half - wholeUsed, third);
    return Math.max(MAX_NODE_SCORE - Math.trunc(ratio / 10), half);
  },
  shareGpu(ctx, pod, n) {
    return tightestGpu(ctx.state, n, pod.gpuMilli);
  },
};
