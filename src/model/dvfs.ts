// Throughput and power of a GPU job against its per-GPU power cap (DVFS): measured points joined by
// straight lines, integer caps (nvidia-smi takes whole watts). The reference curves are the A100
// sweep of the Emerald AI field demonstration (traces/dvfs/a100_dvfs_sweep.csv, Apache-2.0).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, type InputLocation } from '../errors.js';
import { parseCsvRows } from '../io/csv.js';

/** A job's response to a per-GPU power cap, measured at a few caps. */
export interface DvfsCurve {
  readonly name: string;
  /** measured caps (W per GPU), whole watts, strictly increasing */
  readonly caps: readonly number[];
  /** draw per GPU at each cap (W), strictly increasing */
  readonly ppgW: readonly number[];
  /** throughput at each cap in any unit, non-decreasing; ratios are taken to the value at the highest cap */
  readonly thr: readonly number[];
  /** GPUs the curve was measured on (per-GPU draw and the ratio are taken as independent of it) */
  readonly profileGpus: number;
  readonly minCap: number;
  readonly maxCap: number;
  /** draw per GPU at every whole-watt cap from minCap to maxCap (caps are integers) */
  readonly ppgTable: Float64Array;
  /** throughput ratio at every whole-watt cap from minCap to maxCap */
  readonly ratioTable: Float64Array;
}

export interface DvfsCurveSpec {
  name: string;
  caps: readonly number[];
  ppgW: readonly number[];
  thr: readonly number[];
  profileGpus: number;
}

/**
 * Check and freeze a curve. `where.field` names the profile (e.g. `profiles.llm`); each error
 * names the array and index inside it.
 */
export function dvfsCurve(spec: DvfsCurveSpec, where: InputLocation = {}): DvfsCurve {
  const base = where.field ?? spec.name;
  const bad = (field: string, message: string): InputError => new InputError('bad_dvfs_curve', message, { ...where, field: `${base}.${field}` });
  const n = spec.caps.length;
  if (n < 1) throw bad('caps', 'needs at least one cap');
  if (spec.ppgW.length !== n) throw bad('ppg_W', `has ${spec.ppgW.length} values for ${n} caps`);
  if (spec.thr.length !== n) throw bad('thr_norm', `has ${spec.thr.length} values for ${n} caps`);
  for (let i = 0; i < n; i++) {
    const c = spec.caps[i]!;
    if (!Number.isInteger(c) || c <= 0) throw bad(`caps[${i}]`, `${c} is not a positive whole number of watts`);
    if (i > 0 && !(c > spec.caps[i - 1]!)) throw bad(`caps[${i}]`, `${c} W is not above the cap before it (${spec.caps[i - 1]} W): caps must increase`);
    const p = spec.ppgW[i]!;
    if (!Number.isFinite(p) || p <= 0) throw bad(`ppg_W[${i}]`, `${p} is not a positive power`);
    if (i > 0 && !(p > spec.ppgW[i - 1]!)) throw bad(`ppg_W[${i}]`, `${p} W is not above the draw at the cap before it (${spec.ppgW[i - 1]} W): draw must increase with the cap`);
    const t = spec.thr[i]!;
    if (!Number.isFinite(t) || t <= 0) throw bad(`thr_norm[${i}]`, `${t} is not a positive throughput`);
    if (i > 0 && t < spec.thr[i - 1]!) throw bad(`thr_norm[${i}]`, `${t} is below the throughput at the cap before it (${spec.thr[i - 1]}): throughput must not fall as the cap rises`);
  }
  if (!Number.isInteger(spec.profileGpus) || spec.profileGpus < 1) throw bad('profile_gpus', `${spec.profileGpus} is not a positive whole number of GPUs`);
  const curve = {
    name: spec.name,
    caps: Object.freeze([...spec.caps]),
    ppgW: Object.freeze([...spec.ppgW]),
    thr: Object.freeze([...spec.thr]),
    profileGpus: spec.profileGpus,
    minCap: spec.caps[0]!,
    maxCap: spec.caps[n - 1]!,
  };
  const count = curve.maxCap - curve.minCap + 1;
  const ppgTable = new Float64Array(count);
  const ratioTable = new Float64Array(count);
  const top = curve.thr[n - 1]!;
  for (let k = 0; k < count; k++) {
    ppgTable[k] = interpolate(curve, curve.ppgW, curve.minCap + k);
    ratioTable[k] = interpolate(curve, curve.thr, curve.minCap + k) / top;
  }
  return Object.freeze({ ...curve, ppgTable, ratioTable });
}

/** The same curve drawing `k` times the power (a calibration to a metered baseline). */
export function scaleCurve(c: DvfsCurve, k: number): DvfsCurve {
  if (!(k > 0) || !Number.isFinite(k)) throw new InputError('bad_dvfs_curve', `power scale ${k} must be positive`, { field: 'power-scale' });
  return dvfsCurve({ name: c.name, caps: c.caps, ppgW: c.ppgW.map((p) => p * k), thr: c.thr, profileGpus: c.profileGpus });
}

type Points = Pick<DvfsCurve, 'caps' | 'minCap' | 'maxCap'>;

/** Index i of the measured segment [caps[i], caps[i+1]] holding cap (clamped to the curve). */
function segmentOf(c: Points, cap: number): number {
  const caps = c.caps;
  let i = 0;
  while (i < caps.length - 2 && cap > caps[i + 1]!) i++;
  return i;
}

function interpolate(c: Points, ys: readonly number[], cap: number): number {
  const caps = c.caps;
  if (caps.length === 1 || cap <= c.minCap) return ys[0]!;
  if (cap >= c.maxCap) return ys[ys.length - 1]!;
  const i = segmentOf(c, cap);
  const x0 = caps[i]!;
  const x1 = caps[i + 1]!;
  return ys[i]! + ((cap - x0) * (ys[i + 1]! - ys[i]!)) / (x1 - x0);
}

/** Draw per GPU (W) at a cap: linear between measured caps, the end values outside them. */
export function powerPerGpuAt(c: DvfsCurve, cap: number): number {
  if (Number.isInteger(cap) && cap >= c.minCap && cap <= c.maxCap) return c.ppgTable[cap - c.minCap]!;
  return interpolate(c, c.ppgW, cap);
}

/** Throughput at a cap relative to the highest cap (1 there). */
export function throughputRatioAt(c: DvfsCurve, cap: number): number {
  if (Number.isInteger(cap) && cap >= c.minCap && cap <= c.maxCap) return c.ratioTable[cap - c.minCap]!;
  return interpolate(c, c.thr, cap) / c.thr[c.thr.length - 1]!;
}

/** Draw per GPU uncapped: at the highest measured cap. */
export function maxPowerPerGpu(c: DvfsCurve): number {
  return c.ppgW[c.ppgW.length - 1]!;
}

/** Slack when comparing a ratio or a power after interpolation (relative). */
const REL_EPS = 1e-12;

/**
 * The lowest whole-watt cap whose throughput ratio is at least `ratio`; the lowest cap when even it
 * is enough, the highest when nothing below it is (ratio >= 1). Throughput never falls as the cap
 * rises, so a binary search over the whole-watt table finds it.
 */
export function minCapForRatio(c: DvfsCurve, ratio: number): number {
  const r = c.ratioTable;
  const want = ratio - REL_EPS;
  if (r[0]! >= want) return c.minCap;
  if (r[r.length - 1]! < want) return c.maxCap;
  let lo = 0;
  let hi = r.length - 1; // r[hi] >= want > r[lo]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (r[mid]! >= want) hi = mid;
    else lo = mid;
  }
  return c.minCap + hi;
}

/**
 * The highest whole-watt cap whose draw per GPU is at most `ppg` (W); the lowest cap when even it
 * draws more (the caller reports the shortfall).
 */
export function capForPowerPerGpu(c: DvfsCurve, ppg: number): number {
  const p = c.ppgTable;
  const limit = ppg + Math.abs(ppg) * REL_EPS;
  if (p[p.length - 1]! <= limit) return c.maxCap;
  if (p[0]! > limit) return c.minCap;
  let lo = 0; // p[lo] <= limit < p[hi]
  let hi = p.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (p[mid]! <= limit) lo = mid;
    else hi = mid;
  }
  return c.minCap + lo;
}

const SWEEP_HEADER = ['Workload', 'GPU power cap', 'throughput', 'total GPU power', 'normalized throughput', 'power per GPU'];

/**
 * The sweep format of dvfs_sweep.csv: one row per workload and cap with the throughput, the total
 * GPU draw, the normalised throughput and the draw per GPU. The GPUs a workload was measured on
 * are total / per-GPU draw, rounded.
 */
export function parseDvfsSweep(text: string, file: string): Record<string, DvfsCurve> {
  const rows = parseCsvRows(text, { file });
  if (rows.length === 0) throw new InputError('bad_dvfs_sweep', 'the file is empty', { file });
  const header = rows[0]!.record;
  const col = (name: string): number => {
    const k = header.indexOf(name);
    if (k < 0) throw new InputError('bad_dvfs_sweep', `no "${name}" column (expected ${SWEEP_HEADER.join(', ')})`, { file, line: rows[0]!.line, field: name });
    return k;
  };
  const [w, cap, total, norm, ppg] = [col('Workload'), col('GPU power cap'), col('total GPU power'), col('normalized throughput'), col('power per GPU')];
  const acc = new Map<string, { caps: number[]; ppgW: number[]; thr: number[]; gpus: number[]; line: number }>();
  for (const { record, line } of rows.slice(1)) {
    const num = (k: number, field: string): number => {
      const v = Number(record[k]);
      if (record[k] === undefined || record[k] === '' || !Number.isFinite(v)) throw new InputError('bad_dvfs_sweep', `"${record[k] ?? ''}" is not a number`, { file, line, field });
      return v;
    };
    const name = record[w] ?? '';
    if (name === '') throw new InputError('bad_dvfs_sweep', 'empty workload name', { file, line, field: 'Workload' });
    let a = acc.get(name);
    if (!a) acc.set(name, (a = { caps: [], ppgW: [], thr: [], gpus: [], line }));
    const p = num(ppg, 'power per GPU');
    a.caps.push(num(cap, 'GPU power cap'));
    a.ppgW.push(p);
    a.thr.push(num(norm, 'normalized throughput'));
    a.gpus.push(num(total, 'total GPU power') / p);
  }
  const out: Record<string, DvfsCurve> = {};
  for (const [name, a] of acc) {
    const gpus = Math.round(a.gpus.reduce((s, g) => s + g, 0) / a.gpus.length);
    out[name] = dvfsCurve({ name, caps: a.caps, ppgW: a.ppgW, thr: a.thr, profileGpus: gpus }, { file, line: a.line, field: name });
  }
  return out;
}

let reference: Record<string, DvfsCurve> | undefined;

/** traces/dvfs/a100_dvfs_sweep.csv, found from this module whether it runs from src/ or dist/. */
export function a100SweepPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'traces', 'dvfs', 'a100_dvfs_sweep.csv');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('bundled traces/dvfs/a100_dvfs_sweep.csv not found next to the package');
}

/** The A100 reference curves, by workload name (ft_llama_8b_p3, infer_llama_8b_48g, pt_mpt_7b_fast, ...). */
export function a100Reference(): Readonly<Record<string, DvfsCurve>> {
  if (!reference) {
    const path = a100SweepPath();
    reference = Object.freeze(parseDvfsSweep(readFileSync(path, 'utf8'), path));
  }
  return reference;
}
