// DotProd (Tetris-style alignment; the peers' DotProductScore with dimExtMethod merge, normMethod
// max): node free (CPU, all GPU) and pod request (CPU, all GPU), both over the largest node
// (128 vCPUs, 8 GPUs); score = trunc(100 x (1 - dot / 2)), no normalisation. A share takes the
// tightest GPU (gpuSelMethod best).
import { MAX_NODE_SCORE, MAX_SPEC_CPU, MAX_SPEC_GPU, tightestGpu, type ScorePlugin } from './plugin.js';
import { totalGpuMilli } from './shape.js';

export const dotprodPlugin: ScorePlugin = {
  name: 'dotprod',
  cacheable: true,
  score(ctx, pod, n) {
    const s = ctx.state;
    let dot = 0;
    dot += (s.cpuLeft[n]! / MAX_SPEC_CPU) * (pod.cpuMilli / MAX_SPEC_CPU);
    dot += (s.gpuTotalLeft[n]! / MAX_SPEC_GPU) * (totalGpuMilli(pod) / MAX_SPEC_GPU);
    return Math.trunc(MAX_NODE_SCORE * (1 - dot / 2));
  },
  shareGpu(ctx, pod, n) {
    return tightestGpu(ctx.state, n, pod.gpuMilli);
  },
};
