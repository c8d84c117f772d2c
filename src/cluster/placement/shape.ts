// What a pod asks of one node, in the units the scoring plugins compute with: CPU in thousandths
// of a vCPU (openb's cpu_milli), memory in MiB, GPUs as a count and a per-GPU share in thousandths.
// Memory is filtered, never scored; the score caches key on everything else.
import { WHOLE_GPU_MILLI } from '../state.js';
import type { ResourceRequest } from '../types.js';

export interface PodShape {
  /** thousandths of a vCPU */
  cpuMilli: number;
  memMiB: number;
  /** 0: no GPU; 1 with gpuMilli < 1000: a share of one GPU; k: k whole GPUs (gpuMilli 1000) */
  numGpu: number;
  /** per-GPU share in thousandths: 0 without GPUs, 1..999 for a share, 1000 for whole GPUs */
  gpuMilli: number;
  /** allowed GPU models as a cleaned `|` list (no empty items); '' = any model */
  gpuSpec: string;
}

/** A pod with a name (scenario steps, protocol records). */
export interface NamedPod extends PodShape {
  name: string;
}

/** One GPU's share in thousandths. */
export const MILLI = WHOLE_GPU_MILLI;

/** A share of one GPU (the peers' "GPU-sharing pod"). */
export function isSharing(s: PodShape): boolean {
  return s.numGpu === 1 && s.gpuMilli < MILLI;
}

/** The GPU thousandths the pod takes in total (k x 1000 for k whole GPUs, 0 without GPUs). */
export function totalGpuMilli(s: PodShape): number {
  return s.numGpu === 0 ? 0 : s.numGpu * s.gpuMilli;
}

/** `a|b||a` -> `a|b|a`: empty items dropped, order and repeats kept (they are part of the peers' shape key). */
export function cleanSpec(spec: string): string {
  if (spec === '') return '';
  return spec
    .split('|')
    .filter((m) => m.length > 0)
    .join('|');
}

/** The models a spec allows; empty = any. */
export function specModels(spec: string): string[] {
  return spec === '' ? [] : [...new Set(spec.split('|'))];
}

/**
 * GpuClustering's kind of a pod: -1 no GPU, 0 a GPU share ("share-gpu"), k for k whole GPUs ("k-gpu").
 */
export function affinityKind(s: PodShape): number {
  if (s.numGpu === 0 || s.gpuMilli <= 0) return -1;
  return isSharing(s) ? 0 : s.numGpu;
}

/** The peers' affinity label of a kind. */
export function affinityLabel(kind: number): string {
  return kind === 0 ? 'share-gpu' : `${kind}-gpu`;
}

/** The key the score caches use: everything a score can depend on (memory is only filtered). */
export function shapeKey(s: PodShape): string {
  return `${s.cpuMilli}|${s.numGpu}|${s.gpuMilli}|${s.gpuSpec}`;
}

/** The engine's request for the shape: cpus = cpu_milli / 1000. */
export function shapeRequest(s: PodShape): ResourceRequest {
  return {
    cpus: s.cpuMilli / 1000,
    memMiB: s.memMiB,
    gpus: s.numGpu,
    gpuMilli: s.numGpu === 0 ? 0 : s.gpuMilli,
    gpuModels: specModels(s.gpuSpec),
  };
}

/** "3.152 vCPU, 1 x 810/1000 GPU (T4|P100)" for messages. */
export function describeShape(s: PodShape): string {
  let text = `${s.cpuMilli / 1000} vCPU`;
  if (s.memMiB > 0) text += `, ${s.memMiB} MiB`;
  if (s.numGpu > 0) text += isSharing(s) ? `, ${s.gpuMilli}/1000 of a GPU` : `, ${s.numGpu} GPU${s.numGpu === 1 ? '' : 's'}`;
  if (s.gpuSpec !== '') text += ` (${s.gpuSpec})`;
  return text;
}
