// A finite cluster's occupancy: free CPUs, memory and GPU shares per node, and the power its
// devices draw. One feasibility rule (fitsOn) serves placement, EASY's reservations and the checks.
import { type ClusterSpec, type DevicePower, type ResourceRequest } from './types.js';

/** Where a job runs: its node and the GPUs it holds there. */
export interface Allocation {
  node: number;
  cpus: number;
  memMiB: number;
  /** GPU indices on the node (empty without GPUs) */
  gpus: readonly number[];
  /** thousandths of each listed GPU held */
  gpuMilli: number;
}

/** GPU share of one whole GPU. */
export const WHOLE_GPU_MILLI = 1000;

export class ClusterState {
  readonly spec: ClusterSpec;
  readonly freeCpus: Float64Array;
  readonly freeMem: Float64Array;
  /** free thousandths of GPU g of node n at gpuFree[gpuBase[n] + g] */
  readonly gpuFree: Int32Array;
  readonly gpuBase: Int32Array;
  /** draw of each node now (W) */
  readonly nodePowerW: Float64Array;
  private totalPowerW = 0;
  /** draw of the devices that are idle now (W): the idle share of powerW */
  private idleW = 0;
  readonly nodeIdleW: Float64Array;
  /** busy CPU count summed over nodes (for utilisation) */
  busyCpus = 0;
  private capacity = -1;

  constructor(spec: ClusterSpec, copyOf?: ClusterState) {
    this.spec = spec;
    const n = spec.nodes.length;
    if (copyOf) {
      this.freeCpus = copyOf.freeCpus.slice();
      this.freeMem = copyOf.freeMem.slice();
      this.gpuFree = copyOf.gpuFree.slice();
      this.gpuBase = copyOf.gpuBase;
      this.nodePowerW = copyOf.nodePowerW.slice();
      this.totalPowerW = copyOf.totalPowerW;
      this.idleW = copyOf.idleW;
      this.nodeIdleW = copyOf.nodeIdleW.slice();
      this.busyCpus = copyOf.busyCpus;
      return;
    }
    this.freeCpus = new Float64Array(n);
    this.freeMem = new Float64Array(n);
    this.gpuBase = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) this.gpuBase[i + 1] = this.gpuBase[i]! + spec.nodes[i]!.gpus;
    this.gpuFree = new Int32Array(this.gpuBase[n]!).fill(WHOLE_GPU_MILLI);
    this.nodePowerW = new Float64Array(n);
    this.nodeIdleW = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const node = spec.nodes[i]!;
      this.freeCpus[i] = node.cpus;
      this.freeMem[i] = node.memMiB;
      this.updatePower(i);
    }
  }

  /** A copy whose changes leave this one untouched (EASY's view of the reservation instant). */
  clone(): ClusterState {
    return new ClusterState(this.spec, this);
  }

  /** Become a copy of `other` (same spec) without allocating: a reused scratch clone. */
  copyFrom(other: ClusterState): this {
    this.freeCpus.set(other.freeCpus);
    this.freeMem.set(other.freeMem);
    this.gpuFree.set(other.gpuFree);
    this.nodePowerW.set(other.nodePowerW);
    this.nodeIdleW.set(other.nodeIdleW);
    this.totalPowerW = other.totalPowerW;
    this.idleW = other.idleW;
    this.busyCpus = other.busyCpus;
    return this;
  }

  get nodeCount(): number {
    return this.spec.nodes.length;
  }

  /** Cluster draw now (W): every device, idle or busy. */
  get powerW(): number {
    return this.totalPowerW;
  }

  /** Draw of the idle devices now (W). */
  get idlePowerW(): number {
    return this.idleW;
  }

  /** CPUs of all nodes. */
  get capacityCpus(): number {
    if (this.capacity < 0) {
      let c = 0;
      for (const node of this.spec.nodes) c += node.cpus;
      this.capacity = c;
    }
    return this.capacity;
  }

  /** Whether the request fits on node n now: CPUs, memory, GPU model and GPU shares. */
  fitsOn(n: number, req: ResourceRequest): boolean {
    if (req.cpus > this.freeCpus[n]! || req.memMiB > this.freeMem[n]!) return false;
    if (req.gpus === 0) return true;
    const node = this.spec.nodes[n]!;
    if (node.gpus === 0) return false;
    if (req.gpuModels.length > 0 && !req.gpuModels.includes(node.gpuModel ?? '')) return false;
    return this.pickGpus(n, req) !== null;
  }

  /** Whether the request could ever fit on node n (an empty node). */
  couldFitOn(n: number, req: ResourceRequest): boolean {
    const node = this.spec.nodes[n]!;
    if (req.cpus > node.cpus || req.memMiB > node.memMiB) return false;
    if (req.gpus === 0) return true;
    if (req.gpuModels.length > 0 && !req.gpuModels.includes(node.gpuModel ?? '')) return false;
    return req.gpuMilli < WHOLE_GPU_MILLI ? node.gpus >= 1 : node.gpus >= req.gpus;
  }

  /** First node (lowest index) where the request fits now; -1 when none. */
  firstFit(req: ResourceRequest): number {
    const n = this.spec.nodes.length;
    for (let i = 0; i < n; i++) if (this.fitsOn(i, req)) return i;
    return -1;
  }

  /**
   * GPUs on node n for the request: a share takes the lowest-index GPU with enough free; k whole
   * GPUs take the lowest-index fully free ones. null when they are not there.
   */
  pickGpus(n: number, req: ResourceRequest): number[] | null {
    if (req.gpus === 0) return [];
    const base = this.gpuBase[n]!;
    const count = this.gpuBase[n + 1]! - base;
    if (req.gpuMilli < WHOLE_GPU_MILLI) {
      for (let g = 0; g < count; g++) if (this.gpuFree[base + g]! >= req.gpuMilli) return [g];
      return null;
    }
    const picked: number[] = [];
    for (let g = 0; g < count && picked.length < req.gpus; g++) if (this.gpuFree[base + g] === WHOLE_GPU_MILLI) picked.push(g);
    return picked.length === req.gpus ? picked : null;
  }

  /** Take the request on node n (it must fit). */
  allocate(n: number, req: ResourceRequest, gpus?: readonly number[]): Allocation {
    const picked = gpus ?? this.pickGpus(n, req);
    if (!picked || !this.fitsOn(n, req)) throw new Error(`allocation does not fit on node ${this.spec.nodes[n]?.name ?? n}`);
    const milli = req.gpus === 0 ? 0 : req.gpuMilli < WHOLE_GPU_MILLI ? req.gpuMilli : WHOLE_GPU_MILLI;
    const a: Allocation = { node: n, cpus: req.cpus, memMiB: req.memMiB, gpus: picked, gpuMilli: milli };
    this.apply(a, -1);
    return a;
  }

  release(a: Allocation): void {
    this.apply(a, 1);
  }

  private apply(a: Allocation, sign: 1 | -1): void {
    const n = a.node;
    this.freeCpus[n] = this.freeCpus[n]! + sign * a.cpus;
    this.freeMem[n] = this.freeMem[n]! + sign * a.memMiB;
    this.busyCpus -= sign * a.cpus;
    const base = this.gpuBase[n]!;
    for (const g of a.gpus) this.gpuFree[base + g] = this.gpuFree[base + g]! + sign * a.gpuMilli;
    this.updatePower(n);
  }

  /**
   * Node n's draw from its occupancy under the cluster's power model: every device idle or busy.
   * Device draws are whole watts in the tables, so the running totals stay exact.
   */
  private updatePower(n: number): void {
    const node = this.spec.nodes[n]!;
    const model = this.spec.power;
    const used = node.cpus - this.freeCpus[n]!;
    let busy: number;
    let idle: number;
    if (model.kind === 'processor') {
      busy = used * model.processor.busyW;
      idle = (node.cpus - used) * model.processor.idleW;
    } else {
      const packages = Math.ceil(node.cpus / model.vcpusPerPackage);
      // vCPUs are packed onto packages: a package draws busy power when any of its cores is used
      const busyPackages = Math.min(packages, Math.ceil(used / model.vcpusPerPackage - 1e-9));
      busy = busyPackages * model.cpuPackage.busyW;
      idle = (packages - busyPackages) * model.cpuPackage.idleW;
      if (node.gpus > 0) {
        const gpu: DevicePower = model.gpus[node.gpuModel ?? '']!;
        const base = this.gpuBase[n]!;
        for (let g = 0; g < node.gpus; g++) {
          if (this.gpuFree[base + g]! < WHOLE_GPU_MILLI) busy += gpu.busyW;
          else idle += gpu.idleW;
        }
      }
    }
    this.totalPowerW += busy + idle - this.nodePowerW[n]!;
    this.idleW += idle - this.nodeIdleW[n]!;
    this.nodePowerW[n] = busy + idle;
    this.nodeIdleW[n] = idle;
  }
}

