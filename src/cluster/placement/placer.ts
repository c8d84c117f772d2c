// The scheduling cycle of the peers' Kubernetes fork, for one pod: filter the nodes, score the
// feasible ones with every plugin, let plugins normalise, sum with the weights, take the highest
// total, and pick the GPUs by the highest-weight plugin's rule.
//
// Ties between nodes (equal totals):
//   'ranked' (the peers): the smallest node name, where the simulator prefixes every name with its
//            position in a seeded random permutation of the nodes sorted by name; so: the node
//            whose seeded rank is lowest
//   'name':   the smallest node name (byte order); what hand-computed scenarios expect
//   'random': drawn uniformly among the tied nodes from the seeded random numbers
//
// Speed: a cacheable plugin's raw score depends only on (pod shape, node state), so it is computed
// once per pair; nodes in identical states share it, and a node that did not change since the last
// pod of the same shape costs one array read.
import { InputError } from '../../errors.js';
import { seededRandom } from '../../model/random.js';
import { FragModel, type TargetShape } from './frag.js';
import { lowestFreeGpus, type PluginContext, type ScorePlugin } from './plugin.js';
import { defaultPlacementPower, type PlacementPower } from './power.js';
import { createPlugin, gpuRulePlugin, parsePlacementPolicy, type PlacementPolicy } from './registry.js';
import { isSharing, MILLI, shapeKey, type PodShape } from './shape.js';
import type { PlacementState } from './state.js';

export const TIE_RULES = ['ranked', 'name', 'random'] as const;
export type TieRule = (typeof TIE_RULES)[number];

export interface PlacerOptions {
  /** a policy or its text (`fgd`, `pwr=200,fgd=800`) */
  policy: PlacementPolicy | string;
  /** FGD's target workload (see targetWorkload); required when the policy uses fgd */
  target?: readonly TargetShape[];
  power?: PlacementPower;
  /** default 'name' */
  ties?: TieRule;
  /** seeded random numbers (Random, random ties); default seededRandom(String(seed)), seedrandom's sequence */
  rng?: () => number;
  seed?: string | number;
  /** 'ranked': each node's rank, lower wins ties; default: seededRanking(names, rng) */
  rank?: Int32Array;
  /** keep every feasible node's total of the last decision (scenario output) */
  keepTotals?: boolean;
  /** a further filter (the online engine's own fit check) */
  extraFilter?: (n: number, pod: PodShape) => boolean;
}

export interface Decision {
  node: number;
  /** GPU indices on the node (empty without GPUs) */
  gpus: number[];
  /** feasible nodes */
  feasible: number;
  /** weighted total by node index, when keepTotals */
  totals?: Map<number, number>;
}

/**
 * Ranks of a seeded permutation, as the peers' simulator draws it (rand.Perm over the nodes
 * sorted by name; Go's inside-out shuffle): rank[n] = the prefix node n gets.
 */
export function seededRanking(names: readonly string[], rng: () => number): Int32Array {
  const byName = names.map((_, i) => i).sort((a, b) => byteCompare(names[a]!, names[b]!));
  const perm = new Int32Array(names.length);
  for (let i = 0; i < perm.length; i++) {
    const j = Math.floor(rng() * (i + 1));
    perm[i] = perm[j]!;
    perm[j] = i;
  }
  const rank = new Int32Array(names.length);
  for (let i = 0; i < byName.length; i++) rank[byName[i]!] = perm[i]!;
  return rank;
}

/** Ranks by name (byte order, as Go compares strings). */
export function nameRanking(names: readonly string[]): Int32Array {
  const byName = names.map((_, i) => i).sort((a, b) => byteCompare(names[a]!, names[b]!));
  const rank = new Int32Array(names.length);
  for (let i = 0; i < byName.length; i++) rank[byName[i]!] = i;
  return rank;
}

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

interface Term {
  plugin: ScorePlugin;
  weight: number;
  /** per shape id: raw scores by state id (NaN: not computed) */
  cache: Float64Array[];
  buf: Float64Array;
}

export class Placer {
  readonly state: PlacementState;
  readonly policy: PlacementPolicy;
  readonly ties: TieRule;
  readonly ctx: PluginContext;
  private readonly terms: Term[];
  private readonly rule: ScorePlugin;
  private readonly rank: Int32Array;
  private readonly feasible: Int32Array;
  private readonly total: Float64Array;
  private readonly shapeIds = new Map<string, number>();
  /** shape ids by pod object (pods are not changed once placed) */
  private readonly podShapes = new WeakMap<PodShape, number>();
  private readonly allowed = new Map<string, Uint8Array | undefined>();
  private readonly keepTotals: boolean;
  private readonly extraFilter: ((n: number, pod: PodShape) => boolean) | undefined;
  /** score computations (cache misses) and cache hits, for the speed notes */
  misses = 0;
  hits = 0;

  constructor(state: PlacementState, options: PlacerOptions) {
    this.state = state;
    this.policy = typeof options.policy === 'string' ? parsePlacementPolicy(options.policy) : options.policy;
    this.ties = options.ties ?? 'name';
    const rng = options.rng ?? seededRandom(String(options.seed ?? 0));
    const usesFgd = this.policy.terms.some((t) => t.plugin === 'fgd');
    if (usesFgd && options.target === undefined) throw new InputError('no_target', 'FGD needs a target workload', { field: 'target' });
    this.ctx = {
      state,
      frag: new FragModel(options.target ?? [], state.models),
      power: options.power ?? defaultPlacementPower(),
      rng,
    };
    const plugins = new Map(this.policy.terms.map((t) => [t.plugin, createPlugin(t.plugin)]));
    this.terms = this.policy.terms.map((t) => ({ plugin: plugins.get(t.plugin)!, weight: t.weight, cache: [], buf: new Float64Array(state.n) }));
    this.rule = plugins.get(gpuRulePlugin(this.policy))!;
    this.rank = this.ties === 'ranked' ? (options.rank ?? seededRanking(state.names, rng)) : nameRanking(state.names);
    this.feasible = new Int32Array(state.n);
    this.total = new Float64Array(state.n);
    this.keepTotals = options.keepTotals ?? false;
    this.extraFilter = options.extraFilter;
  }

  /** The models the pod's spec allows (undefined: any), cached per spec. */
  allowedFor(pod: PodShape): Uint8Array | undefined {
    if (pod.gpuSpec === '') return undefined;
    if (!this.allowed.has(pod.gpuSpec)) this.allowed.set(pod.gpuSpec, this.state.allowedModels(pod.gpuSpec));
    return this.allowed.get(pod.gpuSpec);
  }

  /** Whether some node could hold the pod if it were empty. */
  couldEverFit(pod: PodShape): boolean {
    const allowed = this.allowedFor(pod);
    for (let n = 0; n < this.state.n; n++) if (this.state.couldFit(n, pod, allowed)) return true;
    return false;
  }

  /** Where the pod would go now (the state is not changed); null when no node fits. */
  decide(pod: PodShape): Decision | null {
    const s = this.state;
    const allowed = this.allowedFor(pod);
    const feasible = this.feasible;
    const count = this.filter(pod, allowed);
    if (count === 0) return null;
    const total = this.total;
    total.fill(0, 0, count);
    const shape = this.shapeId(pod);
    const stateId = s.stateId;
    for (const term of this.terms) {
      const { plugin, buf } = term;
      plugin.preScore?.(this.ctx, pod, feasible, count);
      if (plugin.cacheable) {
        let cache = term.cache[shape];
        if (cache === undefined || cache.length < s.stateCount) cache = term.cache[shape] = grown(cache, s.stateCount);
        for (let i = 0; i < count; i++) {
          const n = feasible[i]!;
          const id = stateId[n]!;
          let v = cache[id]!;
          if (v !== v) {
            v = plugin.score(this.ctx, pod, n);
            cache[id] = v;
            this.misses++;
          } else this.hits++;
          buf[i] = v;
        }
      } else {
        for (let i = 0; i < count; i++) buf[i] = plugin.score(this.ctx, pod, feasible[i]!);
      }
      plugin.normalize?.(buf, count);
      const w = term.weight;
      for (let i = 0; i < count; i++) total[i] = total[i]! + w * buf[i]!;
    }
    const best = this.pick(count);
    const node = feasible[best]!;
    const decision: Decision = { node, gpus: this.gpusFor(pod, node), feasible: count };
    if (this.keepTotals) {
      decision.totals = new Map();
      for (let i = 0; i < count; i++) decision.totals.set(feasible[i]!, total[i]!);
    }
    return decision;
  }

  /**
   * The feasible nodes into this.feasible; returns how many. PlacementState.fits, inlined: this
   * loop runs once per node and pod.
   */
  private filter(pod: PodShape, allowed: Uint8Array | undefined): number {
    const s = this.state;
    const feasible = this.feasible;
    const extra = this.extraFilter;
    const { cpuLeft, memLeft, pods, modelIdx, gpuMaxLeft, gpuFreeWhole } = s;
    const cpu = pod.cpuMilli;
    const mem = pod.memMiB;
    const maxPods = s.maxPods;
    const numGpu = pod.numGpu;
    const share = numGpu > 0 && pod.gpuMilli < MILLI;
    const milli = pod.gpuMilli;
    let count = 0;
    for (let n = 0; n < s.n; n++) {
      if (cpuLeft[n]! < cpu || memLeft[n]! < mem || pods[n]! >= maxPods) continue;
      if (numGpu > 0) {
        const m = modelIdx[n]!;
        if (m < 0 || (allowed !== undefined && allowed[m] !== 1)) continue;
        if (share ? gpuMaxLeft[n]! < milli : gpuFreeWhole[n]! < numGpu) continue;
      }
      if (extra !== undefined && !extra(n, pod)) continue;
      feasible[count++] = n;
    }
    return count;
  }

  /** decide, then take the resources. */
  place(pod: PodShape): Decision | null {
    const d = this.decide(pod);
    if (d) this.state.allocate(d.node, pod, d.gpus);
    return d;
  }

  /** The GPUs the pod takes on node n: a share by the rule plugin, k whole GPUs the lowest-index free ones. */
  gpusFor(pod: PodShape, n: number): number[] {
    if (pod.numGpu === 0) return [];
    if (isSharing(pod)) {
      const g = this.rule.shareGpu(this.ctx, pod, n);
      if (g < 0) throw new Error(`internal: no GPU of node ${this.state.names[n]} takes the share`);
      return [g];
    }
    return lowestFreeGpus(this.state, n, pod.numGpu);
  }

  private pick(count: number): number {
    const total = this.total;
    const rank = this.rank;
    let best = 0;
    let tied = 1;
    for (let i = 1; i < count; i++) {
      const v = total[i]!;
      const b = total[best]!;
      if (v > b) {
        best = i;
        tied = 1;
      } else if (v === b) {
        if (this.ties === 'random') {
          tied++;
          if (Math.floor(this.ctx.rng() * tied) === 0) best = i;
        } else if (rank[this.feasible[i]!]! < rank[this.feasible[best]!]!) best = i;
      }
    }
    return best;
  }

  private shapeId(pod: PodShape): number {
    const known = this.podShapes.get(pod);
    if (known !== undefined) return known;
    const key = shapeKey(pod);
    let id = this.shapeIds.get(key);
    if (id === undefined) this.shapeIds.set(key, (id = this.shapeIds.size));
    this.podShapes.set(pod, id);
    return id;
  }
}

function grown(cache: Float64Array | undefined, need: number): Float64Array {
  let size = Math.max(1024, cache?.length ?? 0);
  while (size < need) size *= 2;
  const next = new Float64Array(size).fill(NaN);
  if (cache) next.set(cache);
  return next;
}
