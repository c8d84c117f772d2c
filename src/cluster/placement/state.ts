// The cluster as the scoring plugins see it: per node CPU and memory left, pods placed, each GPU's
// free thousandths, the GpuClustering kinds of the pods on it, and the interned "state" of the node.
// Nodes in identical states (same kind of node, CPU left, multiset of GPU free shares, pod kinds)
// share one state id, so every score that depends only on the state is computed once per state.
import { InputError } from '../../errors.js';
import { affinityKind, MILLI, type PodShape } from './shape.js';

/** One node: its size and, for what-if scenarios, what is already used on it. */
export interface PlacementNode {
  name: string;
  cpuMilli: number;
  memMiB: number;
  gpus: number;
  /** GPU model; null without GPUs */
  model: string | null;
  /** CPU thousandths free at the start (default: all) */
  cpuLeftMilli?: number;
  /** memory free at the start (default: all) */
  memLeftMiB?: number;
  /** free thousandths of each GPU at the start (default: all 1000) */
  gpuLeft?: readonly number[];
  /** pods already placed, by GpuClustering kind (0 = share-gpu, k = k-gpu) */
  affinity?: ReadonlyMap<number, number>;
  /** pods already placed (default: the affinity counts summed) */
  pods?: number;
}

/** Kubernetes' pod limit per node in the openb node list (`pods: 1001`). */
export const DEFAULT_MAX_PODS = 1001;

export class PlacementState {
  readonly n: number;
  readonly names: readonly string[];
  readonly nodes: readonly PlacementNode[];
  /** GPU models by index; modelIdx[n] = -1 without GPUs */
  readonly models: readonly string[];
  readonly modelIdx: Int16Array;
  readonly cpuCap: Float64Array;
  readonly cpuLeft: Float64Array;
  readonly memLeft: Float64Array;
  readonly pods: Int32Array;
  readonly maxPods: number;
  readonly gpuCount: Int32Array;
  readonly gpuBase: Int32Array;
  /** free thousandths of GPU g of node n at gpuLeft[gpuBase[n] + g] */
  readonly gpuLeft: Int32Array;
  /** sum, maximum and count of fully free GPUs per node */
  readonly gpuTotalLeft: Int32Array;
  readonly gpuMaxLeft: Int32Array;
  readonly gpuFreeWhole: Int32Array;
  /** pods of each GpuClustering kind on node n at aff[n * kinds + kind]; kind 0 = share, k = k-gpu */
  readonly aff: Int32Array;
  readonly kinds: number;
  /** distinct kinds present on each node */
  readonly affKinds: Int32Array;
  /** the node's interned state */
  readonly stateId: Int32Array;
  /** capacity summed over nodes */
  readonly capacityGpuMilli: number;
  readonly capacityCpuMilli: number;
  /** nodes per node kind (cpu capacity, GPU count, model): the first part of a state key */
  private readonly typeId: Int32Array;
  private readonly stateKeys = new Map<string, number>();
  /** how many times each node changed (placements and releases) */
  readonly version: Uint32Array;

  constructor(nodes: readonly PlacementNode[], options: { maxPods?: number } = {}) {
    const n = nodes.length;
    this.n = n;
    this.nodes = nodes;
    this.names = nodes.map((x) => x.name);
    this.maxPods = options.maxPods ?? DEFAULT_MAX_PODS;
    const models: string[] = [];
    this.modelIdx = new Int16Array(n);
    this.cpuCap = new Float64Array(n);
    this.cpuLeft = new Float64Array(n);
    this.memLeft = new Float64Array(n);
    this.pods = new Int32Array(n);
    this.gpuCount = new Int32Array(n);
    this.gpuBase = new Int32Array(n + 1);
    let maxGpus = 0;
    for (let i = 0; i < n; i++) {
      const node = nodes[i]!;
      this.gpuBase[i + 1] = this.gpuBase[i]! + node.gpus;
      maxGpus = Math.max(maxGpus, node.gpus);
    }
    this.kinds = maxGpus + 1;
    this.gpuLeft = new Int32Array(this.gpuBase[n]!);
    this.gpuTotalLeft = new Int32Array(n);
    this.gpuMaxLeft = new Int32Array(n);
    this.gpuFreeWhole = new Int32Array(n);
    this.aff = new Int32Array(n * this.kinds);
    this.affKinds = new Int32Array(n);
    this.stateId = new Int32Array(n);
    this.typeId = new Int32Array(n);
    this.version = new Uint32Array(n);
    const types = new Map<string, number>();
    let gpuCap = 0;
    let cpuCap = 0;
    for (let i = 0; i < n; i++) {
      const node = nodes[i]!;
      if (node.model === null) this.modelIdx[i] = -1;
      else {
        let m = models.indexOf(node.model);
        if (m < 0) m = models.push(node.model) - 1;
        this.modelIdx[i] = m;
      }
      this.cpuCap[i] = node.cpuMilli;
      this.cpuLeft[i] = node.cpuLeftMilli ?? node.cpuMilli;
      this.memLeft[i] = node.memLeftMiB ?? node.memMiB;
      this.gpuCount[i] = node.gpus;
      const base = this.gpuBase[i]!;
      for (let g = 0; g < node.gpus; g++) this.gpuLeft[base + g] = node.gpuLeft?.[g] ?? MILLI;
      let placed = 0;
      for (const [kind, count] of node.affinity ?? []) {
        this.aff[i * this.kinds + kind] = count;
        placed += count;
      }
      this.pods[i] = node.pods ?? placed;
      const typeKey = `${node.cpuMilli}|${node.gpus}|${node.model ?? ''}`;
      let t = types.get(typeKey);
      if (t === undefined) types.set(typeKey, (t = types.size));
      this.typeId[i] = t;
      gpuCap += node.gpus * MILLI;
      cpuCap += node.cpuMilli;
      this.refresh(i);
    }
    this.models = models;
    this.capacityGpuMilli = gpuCap;
    this.capacityCpuMilli = cpuCap;
  }

  /** Distinct node states seen so far (state ids run 0 .. stateCount - 1). */
  get stateCount(): number {
    return this.stateKeys.size;
  }

  /** Free GPU thousandths summed over the cluster. */
  idleGpuMilli(): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) s += this.gpuTotalLeft[i]!;
    return s;
  }

  /** Allocated GPU thousandths summed over the cluster. */
  allocatedGpuMilli(): number {
    return this.capacityGpuMilli - this.idleGpuMilli();
  }

  /** The free thousandths of node n's GPUs, in index order (a copy). */
  gpuLeftOf(n: number): number[] {
    return Array.from(this.gpuLeft.subarray(this.gpuBase[n]!, this.gpuBase[n + 1]!));
  }

  /**
   * Whether the pod fits on node n now: CPU, memory, pod count, GPU model and GPU shares (a share
   * needs one GPU with that much free, k whole GPUs need k fully free GPUs). `allowed[m]` says
   * whether GPU model m is allowed (undefined: any).
   */
  fits(n: number, s: PodShape, allowed: Uint8Array | undefined): boolean {
    if (this.cpuLeft[n]! < s.cpuMilli || this.memLeft[n]! < s.memMiB || this.pods[n]! >= this.maxPods) return false;
    if (s.numGpu === 0) return true;
    const m = this.modelIdx[n]!;
    if (m < 0 || (allowed !== undefined && allowed[m] !== 1)) return false;
    return s.gpuMilli < MILLI ? this.gpuMaxLeft[n]! >= s.gpuMilli : this.gpuFreeWhole[n]! >= s.numGpu;
  }

  /** Whether the pod would fit on node n if it were empty. */
  couldFit(n: number, s: PodShape, allowed: Uint8Array | undefined): boolean {
    const node = this.nodes[n]!;
    if (node.cpuMilli < s.cpuMilli || node.memMiB < s.memMiB || this.maxPods < 1) return false;
    if (s.numGpu === 0) return true;
    const m = this.modelIdx[n]!;
    if (m < 0 || (allowed !== undefined && allowed[m] !== 1)) return false;
    return s.gpuMilli < MILLI ? node.gpus >= 1 : node.gpus >= s.numGpu;
  }

  /** `allowed` for a spec: one flag per model index; undefined when the spec allows any model. */
  allowedModels(spec: string): Uint8Array | undefined {
    if (spec === '') return undefined;
    const names = spec.split('|');
    const flags = new Uint8Array(Math.max(1, this.models.length));
    for (let m = 0; m < this.models.length; m++) if (names.includes(this.models[m]!)) flags[m] = 1;
    return flags;
  }

  /** Take the pod on node n with the given GPU indices (the caller checked that it fits). */
  allocate(n: number, s: PodShape, gpus: readonly number[]): void {
    this.apply(n, s, gpus, -1);
  }

  release(n: number, s: PodShape, gpus: readonly number[]): void {
    this.apply(n, s, gpus, 1);
  }

  private apply(n: number, s: PodShape, gpus: readonly number[], sign: 1 | -1): void {
    this.cpuLeft[n] = this.cpuLeft[n]! + sign * s.cpuMilli;
    this.memLeft[n] = this.memLeft[n]! + sign * s.memMiB;
    this.pods[n] = this.pods[n]! - sign;
    const base = this.gpuBase[n]!;
    const per = s.numGpu === 0 ? 0 : s.gpuMilli;
    for (const g of gpus) {
      const v = this.gpuLeft[base + g]! + sign * per;
      if (g < 0 || g >= this.gpuCount[n]! || v < 0 || v > MILLI) throw new Error(`internal: GPU ${g} of node ${this.names[n]} would have ${v}/1000 free`);
      this.gpuLeft[base + g] = v;
    }
    const kind = affinityKind(s);
    if (kind >= 0) this.aff[n * this.kinds + kind] = this.aff[n * this.kinds + kind]! - sign;
    this.version[n] = this.version[n]! + 1;
    this.refresh(n);
  }

  /** Recompute node n's GPU summaries, pod kinds and state id. */
  private refresh(n: number): void {
    const base = this.gpuBase[n]!;
    const count = this.gpuCount[n]!;
    let total = 0;
    let max = 0;
    let whole = 0;
    const sorted: number[] = new Array(count);
    for (let g = 0; g < count; g++) {
      const v = this.gpuLeft[base + g]!;
      total += v;
      if (v > max) max = v;
      if (v === MILLI) whole++;
      sorted[g] = v;
    }
    this.gpuTotalLeft[n] = total;
    this.gpuMaxLeft[n] = max;
    this.gpuFreeWhole[n] = whole;
    sorted.sort((a, b) => b - a);
    let kinds = 0;
    let present = '';
    const k0 = n * this.kinds;
    for (let k = 0; k < this.kinds; k++) {
      if (this.aff[k0 + k]! > 0) {
        kinds++;
        present += `${k},`;
      }
    }
    this.affKinds[n] = kinds;
    const key = `${this.typeId[n]}|${this.cpuLeft[n]}|${sorted.join(',')}|${present}`;
    let id = this.stateKeys.get(key);
    if (id === undefined) this.stateKeys.set(key, (id = this.stateKeys.size));
    this.stateId[n] = id;
  }
}

/** Check a starting usage against the node's size; `where` names the node in errors. */
export function checkStartingUsage(node: PlacementNode, where: (field: string) => { file?: string; line?: number; field: string }): void {
  if (node.cpuLeftMilli !== undefined && node.cpuLeftMilli > node.cpuMilli) {
    throw new InputError('bad_value', `cpu_left ${node.cpuLeftMilli} is more than cpu_milli ${node.cpuMilli}`, where('cpu_left'));
  }
  if (node.memLeftMiB !== undefined && node.memLeftMiB > node.memMiB) {
    throw new InputError('bad_value', `mem_left ${node.memLeftMiB} is more than memory_mib ${node.memMiB}`, where('mem_left'));
  }
  if (node.gpuLeft !== undefined) {
    if (node.gpuLeft.length !== node.gpus) throw new InputError('bad_value', `gpu_left lists ${node.gpuLeft.length} GPUs, the node has ${node.gpus}`, where('gpu_left'));
    for (const [g, v] of node.gpuLeft.entries()) {
      if (!Number.isInteger(v) || v < 0 || v > MILLI) throw new InputError('bad_value', `gpu_left[${g}] = ${v}: free thousandths must be a whole number 0..1000`, where(`gpu_left[${g}]`));
    }
  }
}
