// GpuClustering (the peers' GpuClusteringScore): GPU pods go where pods of their own kind
// (share-gpu, 1-gpu, 2-gpu, ...) already run; within a band, fuller nodes first. In whole numbers,
// with used = 25 x (8000 - free GPU thousandths) / 8000:
//   only the pod's kind on the node: 75 + used;  its kind among others: 50 + used;
//   nothing on the node: 25 + used;  other kinds only: used.  CPU-only pods score 0.
// A share takes the tightest GPU.
import { MAX_NODE_SCORE, MAX_SPEC_GPU, MIN_NODE_SCORE, tightestGpu, type ScorePlugin } from './plugin.js';
import { affinityKind } from './shape.js';

export const gpuclusteringPlugin: ScorePlugin = {
  name: 'gpuclustering',
  cacheable: true,
  score(ctx, pod, n) {
    const kind = affinityKind(pod);
    if (kind < 0) return MIN_NODE_SCORE;
    const s = ctx.state;
    const quarter = Math.trunc(MAX_NODE_SCORE / 4);
    const used = Math.trunc((quarter * (MAX_SPEC_GPU - s.gpuTotalLeft[n]!)) / MAX_SPEC_GPU);
    const kinds = s.affKinds[n]!;
    const mine = kind < s.kinds ? s.aff[n * s.kinds + kind]! : 0;
    if (mine > 0) return used + (kinds === 1 ? Math.trunc((MAX_NODE_SCORE * 3) / 4) : Math.trunc((MAX_NODE_SCORE * 2) / 4));
    return used + (kinds === 0 ? quarter : 0);
  },
  shareGpu(ctx, pod, n) {
    return tightestGpu(ctx.state, n, pod.gpuMilli);
  },
};
