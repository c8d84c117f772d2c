// Random (the peers' RandomScore): one feasible node, drawn uniformly, scores 100, every other 0.
// A share takes a GPU drawn uniformly among those with enough free (gpuSelMethod random).
import { MAX_NODE_SCORE, MIN_NODE_SCORE, type ScorePlugin } from './plugin.js';

/** A Random plugin: it keeps the node drawn for the current pod, so each placer has its own. */
export function randomPlugin(): ScorePlugin {
  let chosen = -1;
  return {
    name: 'random',
    cacheable: false,
    preScore(ctx, _pod, feasible, count) {
      chosen = count > 0 ? feasible[Math.floor(ctx.rng() * count)]! : -1;
    },
    score(_ctx, _pod, n) {
      return n === chosen ? MAX_NODE_SCORE : MIN_NODE_SCORE;
    },
    shareGpu(ctx, pod, n) {
      const s = ctx.state;
      const base = s.gpuBase[n]!;
      let seen = 0;
      let gpu = -1;
      for (let g = 0; g < s.gpuCount[n]!; g++) {
        if (s.gpuLeft[base + g]! < pod.gpuMilli) continue;
        seen++;
        if (Math.floor(ctx.rng() * seen) === 0) gpu = g;
      }
      return gpu;
    },
  };
}
