// Node power from its occupancy, as PWR computes it (Fr4nz83/PWR-plugin-kubernetes,
// NodeResource.GetEnergyConsumptionNode), and a utilisation-proportional variant.
//
// binary (PWR's model): a GPU draws its idle power when all of it is free and its busy power as
// soon as anything is allocated on it. vCPUs sit two to a core and cores in packages of
// vcpusPerPackage / 2; working cores = ceil(capacity / 2) - floor(free / 2) (vCPUs), and a package
// draws busy power when any of its cores works (cores packed), else idle power.
// proportional (ours): every device draws idle + (busy - idle) x its allocated share: a GPU its
// allocated thousandths, the CPU packages of a node the allocated fraction of its vCPUs.
import { CPU_PACKAGE_POWER, GPU_POWER, VCPUS_PER_PACKAGE, type DevicePower } from '../types.js';
import { MILLI } from './shape.js';
import type { PlacementState } from './state.js';

export const POWER_MODES = ['binary', 'proportional'] as const;
export type PowerMode = (typeof POWER_MODES)[number];

export interface PlacementPower {
  mode: PowerMode;
  cpuPackage: DevicePower;
  /** vCPUs per CPU package (2 per core): 32 = PWR's 16-core package */
  vcpusPerPackage: number;
  /** GPU draw by model */
  gpus: Readonly<Record<string, DevicePower>>;
}

export function defaultPlacementPower(mode: PowerMode = 'binary', gpus: Readonly<Record<string, DevicePower>> = GPU_POWER): PlacementPower {
  return { mode, cpuPackage: CPU_PACKAGE_POWER, vcpusPerPackage: VCPUS_PER_PACKAGE, gpus };
}

/** CPU draw of a node with `capMilli` vCPU thousandths of which `leftMilli` are free. */
export function cpuPowerW(p: PlacementPower, capMilli: number, leftMilli: number): number {
  const coresPerPackage = p.vcpusPerPackage / 2;
  const cores = Math.ceil(capMilli / 1000 / 2);
  const packages = Math.ceil(cores / coresPerPackage);
  const { idleW, busyW } = p.cpuPackage;
  if (p.mode === 'proportional') {
    const share = capMilli > 0 ? (capMilli - leftMilli) / capMilli : 0;
    return packages * (idleW + (busyW - idleW) * share);
  }
  const working = cores - Math.floor(leftMilli / 1000 / 2);
  const active = Math.ceil(working / coresPerPackage);
  return idleW * (packages - active) + busyW * active;
}

/** GPU draw of a node: `count` GPUs of the model, their free thousandths summed and fully free counted. */
export function gpuPowerW(p: PlacementPower, model: string | null, count: number, totalLeft: number, fullyFree: number): number {
  if (model === null || count === 0) return 0;
  const d = p.gpus[model];
  if (!d) throw new Error(`internal: no power for GPU model ${model}`);
  if (p.mode === 'proportional') return count * d.idleW + (d.busyW - d.idleW) * ((count * MILLI - totalLeft) / MILLI);
  return d.idleW * fullyFree + d.busyW * (count - fullyFree);
}

/** Node n's draw now (W). */
export function nodePowerW(p: PlacementPower, s: PlacementState, n: number): number {
  return (
    cpuPowerW(p, s.cpuCap[n]!, s.cpuLeft[n]!) +
    gpuPowerW(p, s.nodes[n]!.model, s.gpuCount[n]!, s.gpuTotalLeft[n]!, s.gpuFreeWhole[n]!)
  );
}
