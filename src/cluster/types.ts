// The cluster model's data: nodes with CPUs, memory and GPUs of one model, and the power table
// that turns their occupancy into watts. Pure data and small helpers: readers live in cluster/spec.ts.

/** Idle and busy draw of one device (W). */
export interface DevicePower {
  idleW: number;
  busyW: number;
}

/**
 * GPU draw by model, idle (nothing allocated) and busy (anything allocated): PWR's table
 * (Fr4nz83/PWR-plugin-kubernetes). G2 and G3 are openb's anonymised models, priced as A10 and A100.
 */
export const GPU_POWER: Readonly<Record<string, DevicePower>> = {
  T4: { idleW: 10, busyW: 70 },
  A10: { idleW: 30, busyW: 150 },
  G2: { idleW: 30, busyW: 150 },
  P100: { idleW: 25, busyW: 250 },
  V100M16: { idleW: 30, busyW: 300 },
  V100M32: { idleW: 30, busyW: 300 },
  V100: { idleW: 30, busyW: 300 },
  A100: { idleW: 50, busyW: 400 },
  G3: { idleW: 50, busyW: 400 },
};

/** A CPU package of 16 cores (32 vCPUs): 15 W idle, 120 W when any of its cores is allocated. */
export const CPU_PACKAGE_POWER: DevicePower = { idleW: 15, busyW: 120 };
export const VCPUS_PER_PACKAGE = 32;

/** One processor of an SWF log's machine: 95 W idle, 190 W busy (Batsim-style homogeneous hosts). */
export const PROCESSOR_POWER: DevicePower = { idleW: 95, busyW: 190 };

/** How a cluster's occupancy becomes power. */
export type PowerModel =
  /** every CPU counted alone at idle/busy draw (SWF logs: one processor = one CPU) */
  | { kind: 'processor'; processor: DevicePower }
  /** CPU packages of `vcpusPerPackage` vCPUs and GPUs by model, each idle or busy */
  | { kind: 'device'; cpuPackage: DevicePower; vcpusPerPackage: number; gpus: Readonly<Record<string, DevicePower>> };

/** One node of a cluster spec. */
export interface NodeSpec {
  name: string;
  /** vCPUs (openb's cpu_milli / 1000; SWF: processors) */
  cpus: number;
  /** memory (MiB); Infinity when the spec does not limit it */
  memMiB: number;
  /** whole GPUs on the node */
  gpus: number;
  /** GPU model (a key of the power table); null without GPUs */
  gpuModel: string | null;
}

/** A finite cluster: nodes and the power model. */
export interface ClusterSpec {
  nodes: NodeSpec[];
  power: PowerModel;
  /** where it came from, for messages and summaries (`procs:100`, a file name, `swf:MaxProcs`) */
  source: string;
}

export type { ResourceRequest } from '../model/jobs.js';
export { cpuRequest } from '../model/jobs.js';
