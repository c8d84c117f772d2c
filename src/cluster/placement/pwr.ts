// PWR (Lettich et al. 2024; Fr4nz83/PWR-plugin-kubernetes pwr_score.go): a node's raw score is the
// negative increase of its power draw if the pod were placed there, in whole watts (int64 of the
// difference), a share trying every GPU with enough free and keeping the best (the first index on
// equal scores), which is also the GPU it takes. Normalised min-max over the feasible nodes to
// 0..100; all equal -> 100 (PWR's NormalizeScore).
import { minMaxNormalize, MAX_NODE_SCORE, type PluginContext, type ScorePlugin } from './plugin.js';
import { cpuPowerW, gpuPowerW } from './power.js';
import { isSharing, MILLI, type PodShape } from './shape.js';

/** Node n's draw with `cpuLeft` CPU thousandths free and its GPUs' free total and fully free count. */
function drawW(ctx: PluginContext, n: number, cpuLeft: number, totalLeft: number, fullyFree: number): number {
  const s = ctx.state;
  return cpuPowerW(ctx.power, s.cpuCap[n]!, cpuLeft) + gpuPowerW(ctx.power, s.nodes[n]!.model, s.gpuCount[n]!, totalLeft, fullyFree);
}

function nowW(ctx: PluginContext, n: number): number {
  const s = ctx.state;
  return drawW(ctx, n, s.cpuLeft[n]!, s.gpuTotalLeft[n]!, s.gpuFreeWhole[n]!);
}

/** PWR score of the share on a GPU with `left` free: int64(old - new). */
function shareScore(ctx: PluginContext, pod: PodShape, n: number, left: number, old: number): number {
  const s = ctx.state;
  const freeAfter = s.gpuFreeWhole[n]! - (left === MILLI ? 1 : 0);
  return Math.trunc(old - drawW(ctx, n, s.cpuLeft[n]! - pod.cpuMilli, s.gpuTotalLeft[n]! - pod.gpuMilli, freeAfter));
}

function bestShare(ctx: PluginContext, pod: PodShape, n: number): { score: number; gpu: number } {
  const s = ctx.state;
  const old = nowW(ctx, n);
  const base = s.gpuBase[n]!;
  let best = -Infinity;
  let gpu = -1;
  for (let g = 0; g < s.gpuCount[n]!; g++) {
    const v = s.gpuLeft[base + g]!;
    if (v < pod.gpuMilli) continue;
    const sc = shareScore(ctx, pod, n, v, old);
    if (gpu < 0 || sc > best) {
      best = sc;
      gpu = g;
    }
  }
  return { score: best, gpu };
}

export const pwrPlugin: ScorePlugin = {
  name: 'pwr',
  cacheable: true,
  score(ctx, pod, n) {
    if (isSharing(pod)) return bestShare(ctx, pod, n).score;
    const s = ctx.state;
    const whole = pod.numGpu === 0 ? 0 : pod.numGpu;
    const after = drawW(ctx, n, s.cpuLeft[n]! - pod.cpuMilli, s.gpuTotalLeft[n]! - whole * MILLI, s.gpuFreeWhole[n]! - whole);
    return Math.trunc(nowW(ctx, n) - after);
  },
  normalize(scores, count) {
    minMaxNormalize(scores, count, MAX_NODE_SCORE);
  },
  shareGpu(ctx, pod, n) {
    return bestShare(ctx, pod, n).gpu;
  },
};
