// A demand-response scenario on the online engine: each DR job becomes an engine job whose one
// work phase draws its uncapped power, whose resume phases are its restart (the cost of a pause
// or a resize), and which saves continuously; the online policy follows the timeline through
// 'power-target' events. The result holds the cluster power the engine charged, per-job energy,
// carbon and throughput, and the same quantities per plan segment, to compare with the plan.
import { shiftTimeline, type PowerTargetTimeline } from '../../cluster/demand-response.js';
import { simulate } from '../../cluster/simulate.js';
import { CarbonSignal, JOULES_PER_KWH } from '../../carbon/signal.js';
import { InputError } from '../../errors.js';
import type { Job } from '../../model/jobs.js';
import { compileProfile, type Phase } from '../../model/profile.js';
import { fromPlanner } from '../from-planner.js';
import { POLICIES } from '../registry.js';
import { SCHEDULERS } from '../../schedulers/registry.js';
import type { Policy } from '../types.js';
import { drOnlinePolicy, type DrAction, type DrOnlineOptions } from './online.js';
import type { DrJob, DrPlan, DrPolicyName, EventPlanner } from './shared.js';

/** A planner written on the scenario axis, run on the engine's (moved by shiftS). */
function shiftedPlanner(planner: EventPlanner, shiftS: number): EventPlanner {
  return (input) => {
    const back = (t: number): number => t - shiftS;
    const pieces = planner({
      ...input,
      event: { ...input.event, startS: back(input.event.startS), endS: back(input.event.endS) },
      steps: input.steps.map((s) => ({ ...s, t0: back(s.t0), t1: back(s.t1) })),
    });
    return pieces.map((p) => ({ ...p, t0: p.t0 + shiftS, t1: p.t1 + shiftS }));
  };
}

/** What a restart costs a job: its resume phases, each a duration and a draw per GPU (W). */
export interface RestartSpec {
  phases: readonly { durationS: number; ppgW: number }[];
}

/** carbon-sim extension: a DR job that is submitted later and scheduled by a carbon-aware policy. */
export interface ShiftableSpec {
  /** submission, s on the scenario axis */
  arrivalS: number;
  /** uninterrupted run time (s) */
  lengthS: number;
  /** how long it may wait beyond its run time (s) */
  maxWaitS: number;
}

export interface DrEngineOptions extends DrOnlineOptions {
  /** the always-running jobs start this long before the first event (s); default 60 */
  leadS?: number;
  /** the horizon ends this long after the last event (s); default 3600 */
  tailS?: number;
  /** intensity for charging, with engine time 0 at the jobs' start (lead before the first event); default none (carbon 0) */
  carbon?: CarbonSignal;
  /** by job name */
  restart?: ReadonlyMap<string, RestartSpec>;
  shiftable?: ReadonlyMap<string, ShiftableSpec>;
  /** a planner (SCHEDULERS) or batch policy (POLICIES) name that decides starts; DR composes with it */
  scheduler?: string;
  /** follow this event planner instead of the policy's (replays of fixed actions) */
  planner?: EventPlanner;
}

export interface DrEngineJob {
  name: string;
  energyJ: number;
  /** over the horizon */
  carbonG: number;
  starts: number;
  /** average throughput ratio over each event, as the engine ran it (restarts make no progress) */
  eventRatio: number[];
  /** for shiftable jobs: first start - arrival (s) */
  queueWaitS: number;
}

export interface DrEngineResult {
  policy: string;
  /** engine time = scenario time + shiftS */
  shiftS: number;
  startS: number;
  endS: number;
  /** cluster power steps on the scenario axis: powerW[i] on [powerT[i], powerT[i+1]) */
  powerT: Float64Array;
  powerW: Float64Array;
  jobs: DrEngineJob[];
  energyJ: number;
  carbonG: number;
  /** mean engine draw over each plan segment (finite ones), the open segment up to endS */
  segmentPowerW: Float64Array;
  /** time above the target, and the largest excess */
  overTargetS: number;
  maxExcessW: number;
  actions: readonly DrAction[];
}

const FLAT = (endS: number): CarbonSignal => new CarbonSignal({ times: Float64Array.of(0), values: Float64Array.of(0), end: endS, extend: 'hold', name: 'none' });

/**
 * Run the scenario's jobs through the online engine with one DR policy. `plan` (the same policy's
 * plan) gives the segments the engine's draw is averaged over.
 */
export function runDrOnEngine(policy: DrPolicyName, jobs: readonly DrJob[], timeline: PowerTargetTimeline, plan: DrPlan, options: DrEngineOptions = {}): DrEngineResult {
  const leadS = options.leadS ?? 60;
  const tailS = options.tailS ?? 3600;
  const first = timeline.events[0]!;
  const last = timeline.events[timeline.events.length - 1]!;
  const shiftS = leadS - first.startS;
  const horizon = last.endS + tailS + shiftS;
  const engineJobs: Job[] = jobs.map((d) => {
    const r = options.restart?.get(d.name);
    const shift = options.shiftable?.get(d.name);
    const resume: Phase[] = (r?.phases ?? []).filter((p) => p.durationS > 0).map((p, k) => ({ name: `restart ${k + 1}`, duration: p.durationS, power: p.ppgW * d.gpus }));
    const arrival = shift ? shift.arrivalS + shiftS : 0;
    if (shift && arrival < 0) throw new InputError('bad_dr_job', `job "${d.name}" arrives ${-arrival} s before the jobs start (lead ${leadS} s before the first event)`, { field: `jobs[${d.index}][4].arrival` });
    const workS = shift ? shift.lengthS : 2 * (horizon + 1);
    return {
      id: d.name,
      type: 'phases',
      arrival,
      deadline: shift ? arrival + shift.lengthS + shift.maxWaitS : arrival + workS,
      cpus: 0,
      request: { cpus: 0, memMiB: 0, gpus: d.gpus, gpuMilli: 1000, gpuModels: [] },
      profile: compileProfile({ startup: [], work: [{ name: 'work', duration: workS, power: d.maxPowerW }], resume }),
    };
  });

  let inner: Policy | undefined;
  if (options.scheduler !== undefined) {
    const s = SCHEDULERS[options.scheduler];
    const p = POLICIES[options.scheduler];
    if (s) inner = fromPlanner(s.create({}));
    else if (p) inner = p.create();
    else throw new InputError('unknown_scheduler', `unknown scheduler "${options.scheduler}" (planners: ${Object.keys(SCHEDULERS).join(', ')}; policies: ${Object.keys(POLICIES).join(', ')})`, { field: 'scheduler' });
  }
  const online = drOnlinePolicy({ policy, jobs, timeline: shiftTimeline(timeline, shiftS), options, ...(inner && { inner }), ...(options.planner && { planner: shiftedPlanner(options.planner, shiftS) }) });

  // pieces, clipped to the horizon
  const pa: number[] = [];
  const pb: number[] = [];
  const pw: number[] = [];
  const pj: number[] = [];
  const carbon = options.carbon ?? FLAT(horizon);
  const result = simulate(engineJobs, {
    policy: online,
    carbon,
    powerTargets: timeline.steps.map((s) => s.t0 + shiftS),
    onPiece: (j, a, b, p) => {
      const e = Math.min(b, horizon);
      if (e > a && p !== 0) {
        pa.push(a);
        pb.push(e);
        pw.push(p);
        pj.push(j);
      }
    },
  });

  // cluster power steps from the pieces: every distinct piece edge, then +draw at starts, -draw at ends
  const edges = new Float64Array(2 * pa.length + 2);
  for (let k = 0; k < pa.length; k++) {
    edges[2 * k] = pa[k]!;
    edges[2 * k + 1] = pb[k]!;
  }
  edges[2 * pa.length] = 0;
  edges[2 * pa.length + 1] = horizon;
  edges.sort();
  let m = 0;
  for (let k = 0; k < edges.length; k++) if (k === 0 || edges[k] !== edges[m - 1]) edges[m++] = edges[k]!;
  const ts = edges.subarray(0, m);
  const indexOf = (t: number): number => {
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const delta = new Float64Array(m);
  for (let k = 0; k < pa.length; k++) {
    const a = indexOf(pa[k]!);
    const b = indexOf(pb[k]!);
    delta[a] = delta[a]! + pw[k]!;
    delta[b] = delta[b]! - pw[k]!;
  }
  const powerT = new Float64Array(m);
  const powerW = new Float64Array(m);
  let acc = 0;
  for (let i = 0; i < m; i++) {
    acc += delta[i]!;
    powerT[i] = ts[i]! - shiftS;
    powerW[i] = Math.abs(acc) < 1e-6 ? 0 : acc;
  }

  // energy per job and per plan segment
  const energy = new Float64Array(jobs.length);
  const carbonW = new Float64Array(jobs.length);
  for (let k = 0; k < pa.length; k++) {
    energy[pj[k]!] = energy[pj[k]!]! + pw[k]! * (pb[k]! - pa[k]!);
    carbonW[pj[k]!] = carbonW[pj[k]!]! + pw[k]! * carbon.integrate(pa[k]!, pb[k]!);
  }
  const segEnergy = new Float64Array(plan.segments.length);
  const segEnd = (i: number): number => Math.min(plan.segments[i]!.t1, horizon - shiftS);
  for (let k = 0; k < pa.length; k++) {
    const a = pa[k]! - shiftS;
    const b = pb[k]! - shiftS;
    // segments are contiguous and sorted: binary search the first one ending after a
    let lo = 0;
    let hi = plan.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (segEnd(mid) <= a) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < plan.segments.length && plan.segments[i]!.t0 < b; i++) {
      const o = Math.min(b, segEnd(i)) - Math.max(a, plan.segments[i]!.t0);
      if (o > 0) segEnergy[i] = segEnergy[i]! + pw[k]! * o;
    }
  }
  const segmentPowerW = Float64Array.from(plan.segments, (s, i) => {
    const d = segEnd(i) - s.t0;
    return d > 0 ? segEnergy[i]! / d : 0;
  });

  // time over target: both series are sorted, walk them together
  let overTargetS = 0;
  let maxExcessW = 0;
  const steps = timeline.steps;
  for (let i = 0, k = 0; i + 1 < powerT.length; i++) {
    const a = powerT[i]!;
    const b = powerT[i + 1]!;
    while (k < steps.length && steps[k]!.t1 <= a) k++;
    for (let m = k; m < steps.length && steps[m]!.t0 < b; m++) {
      const s = steps[m]!;
      if (!Number.isFinite(s.targetW)) continue;
      const excess = powerW[i]! - s.targetW;
      if (excess > 1e-9 * Math.max(1, s.targetW)) {
        overTargetS += Math.min(b, s.t1) - Math.max(a, s.t0);
        maxExcessW = Math.max(maxExcessW, excess);
      }
    }
  }

  const byName = new Map(result.results.map((r) => [r.job.id, r]));
  const out: DrEngineJob[] = jobs.map((d) => {
    const r = byName.get(d.name)!;
    return {
      name: d.name,
      energyJ: energy[d.index]!,
      carbonG: carbonW[d.index]! / JOULES_PER_KWH,
      starts: r.execution.starts,
      eventRatio: online.progress.map((p) => (p.atEnd[d.index]! - p.atStart[d.index]!) / (p.endS - p.startS)),
      queueWaitS: r.queueWaitS,
    };
  });
  let energyJ = 0;
  let carbonG = 0;
  for (const j of out) {
    energyJ += j.energyJ;
    carbonG += j.carbonG;
  }
  return { policy: online.name, shiftS, startS: -shiftS, endS: horizon - shiftS, powerT, powerW, jobs: out, energyJ, carbonG, segmentPowerW, overTargetS, maxExcessW, actions: online.actions };
}
