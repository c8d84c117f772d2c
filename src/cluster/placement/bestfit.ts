// BestFit (the peers' BestFitScore): the node left with the least CPU and GPU after the pod, each
// against the largest node (128 vCPUs, 8 GPUs), half weight each:
// trunc(100 x (1 - (0.5 (cpu free - cpu) / 128000 + 0.5 (GPU free - GPU) / 8000))), then the
// framework's min-max normalisation to 0..100 (all equal -> 0). A share takes the tightest GPU.
import { MAX_NODE_SCORE, MAX_SPEC_CPU, MAX_SPEC_GPU, MIN_NODE_SCORE, minMaxNormalize, tightestGpu, type ScorePlugin } from './plugin.js';
import { totalGpuMilli } from './shape.js';

export const bestfitPlugin: ScorePlugin = {
  name: 'bestfit',
  cacheable: true,
  score(ctx, pod, n) {
    const s = ctx.state;
    let score = 0;
    score += ((s.cpuLeft[n]! - pod.cpuMilli) / MAX_SPEC_CPU) * 0.5;
    score += ((s.gpuTotalLeft[n]! - totalGpuMilli(pod)) / MAX_SPEC_GPU) * 0.5;
    return Math.trunc((1.0 - score) * MAX_NODE_SCORE);
  },
  normalize(scores, count) {
    minMaxNormalize(scores, count, MIN_NODE_SCORE);
  },
  shareGpu(ctx, pod, n) {
    return tightestGpu(ctx.state, n, pod.gpuMilli);
  },
};
