// What the four demand-response policies share: jobs with flexibility buckets and DVFS curves,
// each job's minimum throughput and pausable share of an event, the DVFS Fair split, the plan
// (segments of per-job GPU counts and caps) and its throughput and power accounting.
import type { PowerTargetTimeline, ResolvedEvent, TargetStep } from '../../cluster/demand-response.js';
import { InputError, type InputLocation } from '../../errors.js';
import {
  capForPowerPerGpu,
  maxPowerPerGpu,
  minCapForRatio,
  powerPerGpuAt,
  throughputRatioAt,
  type DvfsCurve,
} from '../../model/dvfs.js';
import { TIME_EPS_S } from '../../model/profile.js';

/** Allowed average-throughput loss over the flexibility window, by bucket 0..3. */
export const FLEX_LOSS: readonly number[] = [0, 0.1, 0.25, 0.5];
/** The same as exact fractions [numerator, denominator]. */
const FLEX_LOSS_FRACTION: readonly (readonly [number, number])[] = [
  [0, 1],
  [1, 10],
  [1, 4],
  [1, 2],
];

export const DR_POLICY_NAMES = ['dvfs-fair', 'dvfs-pausing-fair', 'pausing-greedy', 'pausing-resize-fair'] as const;
export type DrPolicyName = (typeof DR_POLICY_NAMES)[number];

export function isDrPolicyName(name: string): name is DrPolicyName {
  return (DR_POLICY_NAMES as readonly string[]).includes(name);
}

export interface DrJobSpec {
  name: string;
  curve: DvfsCurve;
  /** GPUs the job runs on outside events */
  gpus: number;
  /** flexibility bucket 0..3 */
  bucket: number;
  /** window (s) over which the loss is averaged; default: the event */
  flexWindowS?: number;
  /** false: the job cannot be capped, only paused or resized; default true */
  usesDvfs?: boolean;
}

export interface DrJob {
  readonly index: number;
  readonly name: string;
  readonly curve: DvfsCurve;
  readonly gpus: number;
  readonly bucket: number;
  readonly loss: number;
  readonly flexWindowS: number | undefined;
  readonly usesDvfs: boolean;
  /** draw uncapped on its own GPUs (W) */
  readonly maxPowerW: number;
}

/** Check the jobs (unique names, whole positive GPU counts, a known bucket). */
export function drJobs(specs: readonly DrJobSpec[], where: (i: number, field: string) => InputLocation = (i, f) => ({ field: `jobs[${i}].${f}` })): DrJob[] {
  const seen = new Set<string>();
  return specs.map((s, index) => {
    if (typeof s.name !== 'string' || s.name === '') throw new InputError('bad_dr_job', 'a job needs a non-empty name', where(index, 'name'));
    if (seen.has(s.name)) throw new InputError('bad_dr_job', `job name "${s.name}" appears twice`, where(index, 'name'));
    seen.add(s.name);
    if (!Number.isInteger(s.gpus) || s.gpus < 1) throw new InputError('bad_dr_job', `job "${s.name}": ${s.gpus} is not a positive whole number of GPUs`, where(index, 'gpus'));
    if (!Number.isInteger(s.bucket) || s.bucket < 0 || s.bucket >= FLEX_LOSS.length) {
      throw new InputError('bad_dr_job', `job "${s.name}": unknown flexibility bucket ${JSON.stringify(s.bucket)} (buckets 0, 1, 2, 3 allow 0, 10, 25, 50 % loss)`, where(index, 'bucket'));
    }
    if (s.flexWindowS !== undefined && !(s.flexWindowS > 0 && Number.isFinite(s.flexWindowS))) {
      throw new InputError('bad_dr_job', `job "${s.name}": flex window ${s.flexWindowS / 60} min is not a positive duration`, where(index, 'flex_window'));
    }
    return Object.freeze({
      index,
      name: s.name,
      curve: s.curve,
      gpus: s.gpus,
      bucket: s.bucket,
      loss: FLEX_LOSS[s.bucket]!,
      flexWindowS: s.flexWindowS,
      usesDvfs: s.usesDvfs ?? true,
      maxPowerW: maxPowerPerGpu(s.curve) * s.gpus,
    });
  });
}

/** The cluster's uncapped draw: every job on its own GPUs at its highest cap. */
export function baselinePowerW(jobs: readonly DrJob[]): number {
  let w = 0;
  for (const j of jobs) w += j.maxPowerW;
  return w;
}

/** A job's flexibility within one event. */
export interface EventFlex {
  /** lowest allowed average throughput ratio over the event */
  rMin: number;
  /** share of the event it may stand still (1 - rMin), as an exact fraction num/den, at most 1 */
  pauseNum: number;
  pauseDen: number;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return Math.abs(a);
}

export function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

/** Seconds as whole milliseconds: the unit the exact pausable shares are computed in. */
function wholeMs(s: number): number {
  return Math.round(s * 1000);
}

/**
 * The loss over the window W, with throughput 1 outside the event of length E, allows an event
 * average of 1 - loss x W / E: so rMin = max(0, 1 - loss W / E) and the pausable share is
 * min(1, loss W / E). W must cover the event (W >= E).
 */
export function eventFlex(job: DrJob, eventLengthS: number, where: InputLocation = {}): EventFlex {
  const windowS = job.flexWindowS ?? eventLengthS;
  if (windowS < eventLengthS * (1 - 1e-12)) {
    throw new InputError('bad_dr_job', `job "${job.name}": flex window ${windowS / 60} min is shorter than the event (${eventLengthS / 60} min); it must contain the event`, where);
  }
  const [ln, ld] = FLEX_LOSS_FRACTION[job.bucket]!;
  let num = ln * wholeMs(windowS);
  let den = ld * wholeMs(eventLengthS);
  if (num >= den) {
    num = 1;
    den = 1;
  } else if (num === 0) den = 1;
  else {
    const g = gcd(num, den);
    num /= g;
    den /= g;
  }
  return { rMin: 1 - num / den, pauseNum: num, pauseDen: den };
}

export function pausableShare(f: EventFlex): number {
  return f.pauseNum / f.pauseDen;
}

// ---- one job at a cap and GPU count ----

export function jobPowerW(job: DrJob, gpus: number, cap: number): number {
  return gpus === 0 ? 0 : powerPerGpuAt(job.curve, cap) * gpus;
}

/** Throughput relative to the job uncapped on its own GPUs: linear in GPUs. */
export function jobRatio(job: DrJob, gpus: number, cap: number): number {
  return gpus === 0 ? 0 : (throughputRatioAt(job.curve, cap) * gpus) / job.gpus;
}

// ---- DVFS Fair ----

export type FairMode = 'headroom' | 'equal-watts';
export const FAIR_MODES: readonly FairMode[] = ['headroom', 'equal-watts'];

/** One DVFS Fair participant: a job running on `gpus` GPUs that must keep `rMin` in this piece. */
export interface Participant {
  job: DrJob;
  gpus: number;
  /** lowest throughput ratio allowed in this piece */
  rMin: number;
}

export interface FairResult {
  /** power the jobs still draw above the budget after shedding all they may (W) */
  shortfallW: number;
  /** power shed below the uncapped draw (W), before caps and node counts are rounded */
  shedW: number;
}

/** Lowest GPU count on the job's node grid (its count minus whole nodes) keeping throughput >= rMin at full cap; never 0. */
export function minGpus(job: DrJob, rMin: number, step: number): number {
  let g = job.gpus;
  while (g - step >= 1 && g - step >= rMin * job.gpus - 1e-9) g -= step;
  return g;
}

/** Lowest cap a participant may run at on its GPUs (its highest when it cannot be capped). */
export function floorCap(p: Participant): number {
  if (!p.job.usesDvfs) return p.job.curve.maxCap;
  const needFromCap = (p.rMin * p.job.gpus) / p.gpus;
  return minCapForRatio(p.job.curve, needFromCap);
}

/**
 * The draw a participant may shed: a capped job from its highest cap down to its floor cap; a job
 * that cannot be capped (uses_dvfs false) by whole nodes, down to its lowest allowed GPU count.
 */
export function headroomW(p: Participant, gpuStep: number): number {
  const ppg = maxPowerPerGpu(p.job.curve);
  if (!p.job.usesDvfs) return (p.gpus - Math.min(p.gpus, minGpus(p.job, p.rMin, gpuStep))) * ppg;
  return ppg * p.gpus - powerPerGpuAt(p.job.curve, floorCap(p)) * p.gpus;
}

/**
 * Totals of a DVFS Fair split without the caps: what is shed and what is still over the budget.
 * Shared by the split itself and by the candidate comparisons of DVFS + Job Pausing.
 */
export function fairTotals(maxW: number, headroom: number, budgetW: number): FairResult {
  const need = maxW - budgetW;
  if (!(need > 0)) return { shortfallW: 0, shedW: 0 };
  if (need >= headroom) return { shortfallW: need - headroom, shedW: headroom };
  return { shortfallW: 0, shedW: need };
}

export interface FairOptions {
  mode: FairMode;
  gpuStep: number;
}

/** What DVFS Fair needs of its participants, computed once for a set of them. */
export interface FairPrep {
  parts: readonly Participant[];
  gpuStep: number;
  ppg: Float64Array;
  maxW: Float64Array;
  room: Float64Array;
  floor: Int32Array;
  lowest: Int32Array;
  totalMax: number;
  totalRoom: number;
}

export function prepareFair(parts: readonly Participant[], gpuStep: number): FairPrep {
  const n = parts.length;
  const prep: FairPrep = {
    parts,
    gpuStep,
    ppg: new Float64Array(n),
    maxW: new Float64Array(n),
    room: new Float64Array(n),
    floor: new Int32Array(n),
    lowest: new Int32Array(n),
    totalMax: 0,
    totalRoom: 0,
  };
  for (let k = 0; k < n; k++) {
    const p = parts[k]!;
    const ppg = maxPowerPerGpu(p.job.curve);
    prep.ppg[k] = ppg;
    prep.maxW[k] = ppg * p.gpus;
    prep.floor[k] = floorCap(p);
    prep.lowest[k] = p.job.usesDvfs ? p.gpus : Math.min(p.gpus, minGpus(p.job, p.rMin, gpuStep));
    prep.room[k] = p.job.usesDvfs ? prep.maxW[k]! - powerPerGpuAt(p.job.curve, prep.floor[k]!) * p.gpus : (p.gpus - prep.lowest[k]!) * ppg;
    prep.totalMax += prep.maxW[k]!;
    prep.totalRoom += prep.room[k]!;
  }
  return prep;
}

/**
 * DVFS Fair over the participants against `budgetW`. Headroom mode: every job sheds the same
 * fraction of its own headroom (one step is exact: the fraction never pushes a job below its
 * floor). Equal-watts mode: every job sheds the same watts, clamped at its headroom, the rest
 * spread over the others (water filling). A capped job then gets the highest whole-watt cap whose
 * draw is within its share (never below its floor cap). A job that cannot be capped sheds its
 * share in whole nodes, rounded down; if the rounding leaves the total over the budget, further
 * nodes go, one at a time, from the job with the smallest used share of its node headroom (ties:
 * larger draw per node, then name). Caps and GPU counts are written by job index.
 */
export function dvfsFair(parts: readonly Participant[], budgetW: number, opts: FairOptions, caps: Int32Array, gpus: Int32Array): FairResult {
  return fairSplit(prepareFair(parts, opts.gpuStep), budgetW, opts.mode, caps, gpus);
}

export function fairSplit(prep: FairPrep, budgetW: number, mode: FairMode, caps: Int32Array, gpus: Int32Array): FairResult {
  const { parts, maxW, room, floor, lowest, ppg, gpuStep } = prep;
  const n = parts.length;
  const totals = fairTotals(prep.totalMax, prep.totalRoom, budgetW);
  const shed = new Float64Array(n);
  if (totals.shedW > 0) {
    if (totals.shedW >= prep.totalRoom) for (let k = 0; k < n; k++) shed[k] = room[k]!;
    else if (mode === 'headroom') {
      const f = totals.shedW / prep.totalRoom;
      for (let k = 0; k < n; k++) shed[k] = f * room[k]!;
    } else {
      // water filling: the level w with sum min(room, w) = shed; jobs with less room than the
      // level shed all of it, the others exactly w
      const order = Array.from({ length: n }, (_, k) => k)
        .filter((k) => room[k]! > 0)
        .sort((a, b) => room[a]! - room[b]! || a - b);
      let left = totals.shedW;
      let rest = order.length;
      let level = Infinity;
      for (const k of order) {
        if (room[k]! * rest <= left) {
          left -= room[k]!;
          rest--;
        } else {
          level = left / rest;
          break;
        }
      }
      for (let k = 0; k < n; k++) shed[k] = Math.min(room[k]!, level);
    }
  }
  let power = 0;
  let resizable = false;
  for (let k = 0; k < n; k++) {
    const p = parts[k]!;
    const i = p.job.index;
    gpus[i] = p.gpus;
    caps[i] = p.job.curve.maxCap;
    if (!p.job.usesDvfs) {
      const nodes = Math.min(Math.floor(shed[k]! / (gpuStep * ppg[k]!) + 1e-9), (p.gpus - lowest[k]!) / gpuStep);
      gpus[i] = p.gpus - Math.max(0, Math.floor(nodes)) * gpuStep;
      if (gpus[i]! - gpuStep >= lowest[k]!) resizable = true;
    } else if (shed[k]! > 0) {
      caps[i] = Math.max(capForPowerPerGpu(p.job.curve, (maxW[k]! - shed[k]!) / p.gpus), floor[k]!);
    }
    power += powerPerGpuAt(p.job.curve, caps[i]!) * gpus[i]!;
  }
  const limit = budgetW + 1e-9 * Math.max(1, budgetW);
  while (resizable && power > limit) {
    let pick = -1;
    for (let k = 0; k < n; k++) {
      const p = parts[k]!;
      if (p.job.usesDvfs || gpus[p.job.index]! - gpuStep < lowest[k]!) continue;
      if (pick < 0) {
        pick = k;
        continue;
      }
      const q = parts[pick]!;
      const usedK = (p.gpus - gpus[p.job.index]!) * (q.gpus - lowest[pick]!);
      const usedP = (q.gpus - gpus[q.job.index]!) * (p.gpus - lowest[k]!);
      if (usedK < usedP || (usedK === usedP && (ppg[k]! > ppg[pick]! || (ppg[k] === ppg[pick] && p.job.name < q.job.name)))) pick = k;
    }
    if (pick < 0) break;
    const p = parts[pick]!;
    gpus[p.job.index] = gpus[p.job.index]! - gpuStep;
    power -= ppg[pick]! * gpuStep;
  }
  return totals;
}

// ---- the plan ----

/** One constant piece of the plan: every job's GPUs (0 = paused) and cap over [t0, t1). */
export interface DrSegment {
  t0: number;
  /** Infinity for the open last segment */
  t1: number;
  targetW: number;
  budgetW: number;
  /** time-ordered event index, -1 outside events */
  event: number;
  gpus: Int32Array;
  caps: Int32Array;
  powerW: number;
}

export interface DrOptions {
  /** GPUs per node: the resize step; default 8 */
  gpuStep?: number;
  fairMode?: FairMode;
  /** DVFS + Job Pausing: at most this many pause-eligible jobs are searched exhaustively; default 12 */
  exhaustiveLimit?: number;
}

export interface ResolvedOptions {
  gpuStep: number;
  fairMode: FairMode;
  exhaustiveLimit: number;
}

export function resolveOptions(o: DrOptions = {}): ResolvedOptions {
  const gpuStep = o.gpuStep ?? 8;
  if (!Number.isInteger(gpuStep) || gpuStep < 1) throw new InputError('bad_dr', `gpu step ${gpuStep} is not a positive whole number of GPUs`, { field: 'gpu_step' });
  return { gpuStep, fairMode: o.fairMode ?? 'headroom', exhaustiveLimit: o.exhaustiveLimit ?? 12 };
}

/** What an event planner is given: the jobs running through the event and its steps. */
export interface EventInput {
  jobs: readonly DrJob[];
  event: ResolvedEvent;
  steps: readonly TargetStep[];
  flex: readonly EventFlex[];
  options: ResolvedOptions;
}

/** A planner's answer: pieces covering the event in order, GPUs and caps by job index. */
export interface EventPiece {
  t0: number;
  t1: number;
  /** the timeline step the piece lies in */
  step: number;
  gpus: Int32Array;
  caps: Int32Array;
}

export type EventPlanner = (input: EventInput) => EventPiece[];

/** Everything uncapped on its own GPUs. */
export function fullAllocation(jobs: readonly DrJob[]): { gpus: Int32Array; caps: Int32Array } {
  const gpus = new Int32Array(jobs.length);
  const caps = new Int32Array(jobs.length);
  for (const j of jobs) {
    gpus[j.index] = j.gpus;
    caps[j.index] = j.curve.maxCap;
  }
  return { gpus, caps };
}

export function allocationPowerW(jobs: readonly DrJob[], gpus: Int32Array, caps: Int32Array): number {
  let w = 0;
  for (const j of jobs) w += jobPowerW(j, gpus[j.index]!, caps[j.index]!);
  return w;
}

/**
 * The timeline steps of an event cut at extra points (slot or row edges), as pieces; `slot` counts
 * the cuts at or before the piece's start. Cuts within TIME_EPS_S of a step edge fall on it, so
 * float rounding of the cut times never makes slivers.
 */
export function cutSteps(steps: readonly TargetStep[], firstStep: number, cuts: readonly number[]): { t0: number; t1: number; step: number; slot: number }[] {
  const out: { t0: number; t1: number; step: number; slot: number }[] = [];
  let c = 0;
  for (let s = 0; s < steps.length; s++) {
    const st = steps[s]!;
    let a = st.t0;
    while (c < cuts.length && cuts[c]! <= a + TIME_EPS_S) c++;
    while (c < cuts.length && cuts[c]! < st.t1 - TIME_EPS_S) {
      out.push({ t0: a, t1: cuts[c]!, step: firstStep + s, slot: c });
      a = cuts[c]!;
      c++;
    }
    out.push({ t0: a, t1: st.t1, step: firstStep + s, slot: c });
    while (c < cuts.length && cuts[c]! <= st.t1 + TIME_EPS_S) c++;
  }
  return out;
}

export interface JobThroughput {
  /** average throughput ratio over the event */
  eventRatio: number;
  rMin: number;
}

export interface DrPlan {
  policy: DrPolicyName;
  jobs: readonly DrJob[];
  timeline: PowerTargetTimeline;
  segments: DrSegment[];
  /** per event (time order), per job */
  flex: EventFlex[][];
  throughput: JobThroughput[][];
}

/** Build a plan from an event planner: all jobs uncapped outside events. */
export function planWith(policy: DrPolicyName, planner: EventPlanner, jobs: readonly DrJob[], timeline: PowerTargetTimeline, options: DrOptions = {}, where: (job: number) => InputLocation = () => ({})): DrPlan {
  const opts = resolveOptions(options);
  const segments: DrSegment[] = [];
  const flexAll: EventFlex[][] = [];
  const thrAll: JobThroughput[][] = [];
  const full = fullAllocation(jobs);
  const steps = timeline.steps;
  let s = 0;
  for (const event of timeline.events) {
    for (; s < event.firstStep; s++) segments.push(segmentOf(jobs, steps[s]!, steps[s]!.t0, steps[s]!.t1, full.gpus, full.caps));
    const lengthS = event.endS - event.startS;
    const flex = jobs.map((j) => eventFlex(j, lengthS, where(j.index)));
    const pieces = planner({ jobs, event, steps: steps.slice(event.firstStep, event.endStep), flex, options: opts });
    const area = new Float64Array(jobs.length);
    for (const p of pieces) {
      segments.push(segmentOf(jobs, steps[p.step]!, p.t0, p.t1, p.gpus, p.caps));
      for (const j of jobs) area[j.index] = area[j.index]! + jobRatio(j, p.gpus[j.index]!, p.caps[j.index]!) * (p.t1 - p.t0);
    }
    flexAll.push(flex);
    thrAll.push(jobs.map((j) => ({ eventRatio: area[j.index]! / lengthS, rMin: flex[j.index]!.rMin })));
    s = event.endStep;
  }
  for (; s < steps.length; s++) segments.push(segmentOf(jobs, steps[s]!, steps[s]!.t0, steps[s]!.t1, full.gpus, full.caps));
  return { policy, jobs, timeline, segments, flex: flexAll, throughput: thrAll };
}

function segmentOf(jobs: readonly DrJob[], step: TargetStep, t0: number, t1: number, gpus: Int32Array, caps: Int32Array): DrSegment {
  return { t0, t1, targetW: step.targetW, budgetW: step.budgetW, event: step.event, gpus, caps, powerW: allocationPowerW(jobs, gpus, caps) };
}

/** Segments where the plan draws more than the target (the grid's limit), and more than the budget. */
export function violations(plan: DrPlan): { overTarget: DrSegment[]; overBudget: DrSegment[] } {
  const tol = (w: number): number => 1e-9 * Math.max(1, w);
  return {
    overTarget: plan.segments.filter((s) => s.powerW > s.targetW + tol(s.targetW)),
    overBudget: plan.segments.filter((s) => s.powerW > s.budgetW + tol(s.budgetW)),
  };
}
