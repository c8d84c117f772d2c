// The scenario file of `carbon-sim dr` and its JSON answer. Shape (times in minutes from the event
// start, power in W):
//   {profiles: {NAME: {caps, ppg_W, thr_norm, profile_gpus}}, jobs: [[name, profile, gpus, bucket,
//    {flex_window?, uses_dvfs?}?]], signal: {event_start, event_end, ramp_duration, target_power},
//    ramp_step, margin_frac, gpu_step, fair_mode}
// answered by {plan: [{t0, t1, budget, jobs: {name: {gpus, cap}}, power}], throughput: {name:
// {event_ratio, r_min}}}. Extensions (docs/demand-response.md): a profile name of the bundled A100
// sweep needs no `profiles` entry; a profile may give `restart_min` and `restart_ppg_W` (the cost
// of a restart on the engine); a job may give `arrival`, `length` and `max_wait` (minutes) to be
// submitted later and scheduled by a carbon-aware policy; `events` (the --dr file's list) may
// replace `signal`; `target_power` may be a share of the baseline ("75%").
import {
  DEFAULT_MARGIN_FRAC,
  DEFAULT_RAMP_STEP_S,
  parseDrEvents,
  parseTargetSpec,
  powerTargetTimeline,
  type DrEvent,
  type PowerTargetTimeline,
} from '../../cluster/demand-response.js';
import { InputError } from '../../errors.js';
import { a100Reference, dvfsCurve, scaleCurve, type DvfsCurve } from '../../model/dvfs.js';
import type { RestartSpec, ShiftableSpec } from './engine.js';
import { planDemandResponse } from './plan.js';
import { baselinePowerW, drJobs, FAIR_MODES, violations, type DrJob, type DrJobSpec, type DrOptions, type DrPlan, type DrPolicyName, type FairMode } from './shared.js';

const MIN = 60;

export interface DrScenario {
  jobs: DrJob[];
  events: DrEvent[];
  rampStepS: number;
  marginFrac: number;
  gpuStep: number;
  fairMode: FairMode;
  baselineW: number;
  timeline: PowerTargetTimeline;
  restart: Map<string, RestartSpec>;
  shiftable: Map<string, ShiftableSpec>;
  file: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function keysIn(o: Record<string, unknown>, allowed: readonly string[], file: string, prefix: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new InputError('bad_scenario', `unknown field "${k}" (expected one of ${allowed.join(', ')})`, { file, field: prefix ? `${prefix}.${k}` : k });
  }
}

function num(v: unknown, file: string, field: string, check: (x: number) => boolean, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) throw new InputError('bad_scenario', `${JSON.stringify(v)} is not ${what}`, { file, field });
  return v;
}

function numbers(v: unknown, file: string, field: string): number[] {
  if (!Array.isArray(v)) throw new InputError('bad_scenario', 'must be a list of numbers', { file, field });
  return v.map((x, i) => num(x, file, `${field}[${i}]`, () => true, 'a number'));
}

const SCENARIO_KEYS = ['profiles', 'jobs', 'signal', 'events', 'ramp_step', 'margin_frac', 'gpu_step', 'fair_mode'];
const PROFILE_KEYS = ['caps', 'ppg_W', 'thr_norm', 'profile_gpus', 'restart'];
const SIGNAL_KEYS = ['event_start', 'event_end', 'ramp_duration', 'target_power'];
const JOB_OPTION_KEYS = ['flex_window', 'uses_dvfs', 'arrival', 'length', 'max_wait'];

/** `[[minutes, W per GPU], ...]`: the phases a restart runs before the work continues. */
function parseRestart(v: unknown, file: string, field: string): RestartSpec {
  if (!Array.isArray(v)) throw new InputError('bad_scenario', 'must be a list of [minutes, W per GPU] phases', { file, field });
  return {
    phases: v.map((ph, k) => {
      if (!Array.isArray(ph) || ph.length !== 2) throw new InputError('bad_scenario', 'a restart phase is [minutes, W per GPU]', { file, field: `${field}[${k}]` });
      return {
        durationS: num(ph[0], file, `${field}[${k}][0]`, (x) => x >= 0, 'a non-negative number of minutes') * MIN,
        ppgW: num(ph[1], file, `${field}[${k}][1]`, (x) => x >= 0, 'a non-negative power per GPU'),
      };
    }),
  };
}

export interface ScenarioOverrides {
  /** events from a --dr file, replacing the scenario's signal */
  events?: { events: DrEvent[]; rampStepS?: number; marginFrac?: number; file: string };
  /** multiply every profile's draw per GPU (and restart draw) by this: a calibration to a metered baseline */
  powerScale?: number;
}

/** Read a parsed scenario; every problem is one InputError naming the file and the field. */
export function parseDrScenario(json: unknown, file: string, overrides: ScenarioOverrides = {}): DrScenario {
  if (!isObject(json)) throw new InputError('bad_scenario', 'a scenario is a JSON object', { file });
  keysIn(json, SCENARIO_KEYS, file, '');

  const profiles = new Map<string, { curve: DvfsCurve; restart?: RestartSpec }>();
  if (json.profiles !== undefined) {
    if (!isObject(json.profiles)) throw new InputError('bad_scenario', 'must be an object of named profiles', { file, field: 'profiles' });
    for (const [name, p] of Object.entries(json.profiles)) {
      const f = `profiles.${name}`;
      if (!isObject(p)) throw new InputError('bad_scenario', 'must be an object {caps, ppg_W, thr_norm, profile_gpus}', { file, field: f });
      keysIn(p, PROFILE_KEYS, file, f);
      const restart = p.restart === undefined ? undefined : parseRestart(p.restart, file, `${f}.restart`);
      const bundled = a100Reference()[name];
      if (bundled && !('caps' in p) && !('ppg_W' in p) && !('thr_norm' in p) && !('profile_gpus' in p)) {
        // a bundled curve, given only its restart
        profiles.set(name, { curve: bundled, ...(restart && { restart }) });
        continue;
      }
      for (const k of ['caps', 'ppg_W', 'thr_norm']) if (!(k in p)) throw new InputError('bad_scenario', `missing "${k}"`, { file, field: `${f}.${k}` });
      const gpus = p.profile_gpus === undefined ? 1 : num(p.profile_gpus, file, `${f}.profile_gpus`, (x) => Number.isInteger(x) && x >= 1, 'a positive whole number of GPUs');
      const curve = dvfsCurve({ name, caps: numbers(p.caps, file, `${f}.caps`), ppgW: numbers(p.ppg_W, file, `${f}.ppg_W`), thr: numbers(p.thr_norm, file, `${f}.thr_norm`), profileGpus: gpus }, { file, field: f });
      profiles.set(name, { curve, ...(restart && { restart }) });
    }
  }

  if (!Array.isArray(json.jobs) || json.jobs.length === 0) throw new InputError('bad_scenario', 'needs a non-empty list of jobs [name, profile, gpus, bucket, options?]', { file, field: 'jobs' });
  const specs: DrJobSpec[] = [];
  const restart = new Map<string, RestartSpec>();
  const shiftable = new Map<string, ShiftableSpec>();
  json.jobs.forEach((row, i) => {
    const f = `jobs[${i}]`;
    if (!Array.isArray(row) || row.length < 4 || row.length > 5) throw new InputError('bad_scenario', 'a job is [name, profile, gpus, bucket] or [name, profile, gpus, bucket, {options}]', { file, field: f });
    const [name, profile, gpus, bucket, opts] = row as unknown[];
    if (typeof name !== 'string' || name === '') throw new InputError('bad_scenario', `${JSON.stringify(name)} is not a job name`, { file, field: `${f}[0]` });
    if (typeof profile !== 'string') throw new InputError('bad_scenario', `${JSON.stringify(profile)} is not a profile name`, { file, field: `${f}[1]` });
    let p = profiles.get(profile);
    if (!p) {
      const ref = a100Reference()[profile];
      if (!ref) {
        const known = [...profiles.keys(), ...Object.keys(a100Reference())];
        throw new InputError('bad_scenario', `job "${name}": unknown profile "${profile}" (defined or bundled: ${known.join(', ')})`, { file, field: `${f}[1]` });
      }
      p = { curve: ref };
    }
    if (typeof gpus !== 'number' || !Number.isInteger(gpus) || gpus < 1) throw new InputError('bad_scenario', `job "${name}": ${JSON.stringify(gpus)} is not a positive whole number of GPUs`, { file, field: `${f}[2]` });
    if (typeof bucket !== 'number' || !Number.isInteger(bucket) || bucket < 0 || bucket > 3) {
      throw new InputError('bad_scenario', `job "${name}": unknown flexibility bucket ${JSON.stringify(bucket)} (buckets 0, 1, 2, 3 allow 0, 10, 25, 50 % loss)`, { file, field: `${f}[3]` });
    }
    const spec: DrJobSpec = { name, curve: p.curve, gpus, bucket };
    if (opts !== undefined) {
      const g = `${f}[4]`;
      if (!isObject(opts)) throw new InputError('bad_scenario', 'job options must be an object {flex_window?, uses_dvfs?}', { file, field: g });
      keysIn(opts, JOB_OPTION_KEYS, file, g);
      if (opts.flex_window !== undefined) spec.flexWindowS = num(opts.flex_window, file, `${g}.flex_window`, (x) => x > 0, 'a positive number of minutes') * MIN;
      if (opts.uses_dvfs !== undefined) {
        if (typeof opts.uses_dvfs !== 'boolean') throw new InputError('bad_scenario', `${JSON.stringify(opts.uses_dvfs)} is not true or false`, { file, field: `${g}.uses_dvfs` });
        spec.usesDvfs = opts.uses_dvfs;
      }
      const shiftKeys = ['arrival', 'length', 'max_wait'].filter((k) => opts[k] !== undefined);
      if (shiftKeys.length > 0) {
        for (const k of ['arrival', 'length']) if (opts[k] === undefined) throw new InputError('bad_scenario', `a job with ${shiftKeys.join(', ')} needs "${k}" too`, { file, field: `${g}.${k}` });
        shiftable.set(name, {
          arrivalS: num(opts.arrival, file, `${g}.arrival`, () => true, 'a time in minutes') * MIN,
          lengthS: num(opts.length, file, `${g}.length`, (x) => x > 0, 'a positive number of minutes') * MIN,
          maxWaitS: opts.max_wait === undefined ? 0 : num(opts.max_wait, file, `${g}.max_wait`, (x) => x >= 0, 'a non-negative number of minutes') * MIN,
        });
      }
    }
    const k = overrides.powerScale ?? 1;
    if (k !== 1) spec.curve = scaleCurve(spec.curve, k);
    if (p.restart) restart.set(name, k === 1 ? p.restart : { phases: p.restart.phases.map((ph) => ({ ...ph, ppgW: ph.ppgW * k })) });
    specs.push(spec);
  });
  const jobs = drJobs(specs, (i, field) => ({ file, field: field === 'name' ? `jobs[${i}][0]` : `jobs[${i}]` }));
  const baselineW = baselinePowerW(jobs);

  let rampStepS = DEFAULT_RAMP_STEP_S;
  if (json.ramp_step !== undefined) rampStepS = num(json.ramp_step, file, 'ramp_step', (x) => x > 0, 'a positive number of minutes') * MIN;
  let marginFrac = DEFAULT_MARGIN_FRAC;
  if (json.margin_frac !== undefined) marginFrac = num(json.margin_frac, file, 'margin_frac', (x) => x >= 0 && x < 1, 'a fraction of the baseline in [0, 1)');
  const gpuStep = json.gpu_step === undefined ? 8 : num(json.gpu_step, file, 'gpu_step', (x) => Number.isInteger(x) && x >= 1, 'a positive whole number of GPUs');
  let fairMode: FairMode = 'headroom';
  if (json.fair_mode !== undefined) {
    if (typeof json.fair_mode !== 'string' || !(FAIR_MODES as readonly string[]).includes(json.fair_mode)) {
      throw new InputError('bad_scenario', `${JSON.stringify(json.fair_mode)} is not a fair mode (${FAIR_MODES.join(' or ')})`, { file, field: 'fair_mode' });
    }
    fairMode = json.fair_mode as FairMode;
  }

  let events: DrEvent[];
  let eventsFile = file;
  let fieldOf: (i: number, name: 'start' | 'end' | 'ramp' | 'target' | 'changes') => string;
  if (overrides.events) {
    events = overrides.events.events;
    eventsFile = overrides.events.file;
    if (overrides.events.rampStepS !== undefined) rampStepS = overrides.events.rampStepS;
    if (overrides.events.marginFrac !== undefined) marginFrac = overrides.events.marginFrac;
    fieldOf = (i, name) => `events[${i}].${name}`;
  } else if (json.signal !== undefined) {
    if (json.events !== undefined) throw new InputError('bad_scenario', 'give either "signal" or "events", not both', { file, field: 'events' });
    const s = json.signal;
    if (!isObject(s)) throw new InputError('bad_scenario', 'must be an object {event_start, event_end, ramp_duration, target_power}', { file, field: 'signal' });
    keysIn(s, SIGNAL_KEYS, file, 'signal');
    for (const k of ['event_start', 'event_end', 'target_power']) if (!(k in s)) throw new InputError('bad_scenario', `missing "${k}"`, { file, field: `signal.${k}` });
    events = [
      {
        startS: num(s.event_start, file, 'signal.event_start', () => true, 'a time in minutes') * MIN,
        endS: num(s.event_end, file, 'signal.event_end', () => true, 'a time in minutes') * MIN,
        rampS: s.ramp_duration === undefined ? 0 : num(s.ramp_duration, file, 'signal.ramp_duration', () => true, 'a number of minutes') * MIN,
        target: parseTargetSpec(s.target_power, file, 'signal.target_power'),
      },
    ];
    const names = { start: 'event_start', end: 'event_end', ramp: 'ramp_duration', target: 'target_power', changes: 'changes' } as const;
    fieldOf = (_i, name) => `signal.${names[name]}`;
  } else if (json.events !== undefined) {
    const parsed = parseDrEvents({ events: json.events }, file);
    events = parsed.events;
    fieldOf = (i, name) => `events[${i}].${name}`;
  } else {
    throw new InputError('bad_scenario', 'needs a "signal" (or "events", or a --dr file)', { file, field: 'signal' });
  }
  const timeline = powerTargetTimeline(events, { baselineW, rampStepS, marginFrac, file: eventsFile, fieldOf });
  // flexibility windows must contain every event: checked now, before anything is planned
  for (const e of timeline.events) {
    for (const j of jobs) {
      if (j.flexWindowS !== undefined && j.flexWindowS < (e.endS - e.startS) * (1 - 1e-12)) {
        throw new InputError('bad_scenario', `job "${j.name}": flex window ${j.flexWindowS / MIN} min is shorter than the event (${(e.endS - e.startS) / MIN} min); it must contain the event`, { file, field: `jobs[${j.index}][4].flex_window` });
      }
    }
  }
  return { jobs, events, rampStepS, marginFrac, gpuStep, fairMode, baselineW, timeline, restart, shiftable, file };
}

export function scenarioOptions(s: DrScenario): DrOptions {
  return { gpuStep: s.gpuStep, fairMode: s.fairMode };
}

/** Plan the scenario with a policy; a planner's own input error is named in the scenario file. */
export function planScenario(s: DrScenario, policy: DrPolicyName): DrPlan {
  try {
    return planDemandResponse(policy, s.jobs, s.timeline, scenarioOptions(s), (j) => ({ file: s.file, field: `jobs[${j}][4].flex_window` }));
  } catch (err) {
    if (err instanceof InputError) err.at({ file: s.file });
    throw err;
  }
}

export interface PlanJson {
  plan: { t0: number; t1: number | null; budget: number | null; jobs: Record<string, { gpus: number; cap: number }>; power: number }[];
  throughput: Record<string, { event_ratio: number; r_min: number } | { event_ratio: number; r_min: number }[]>;
}

/** The answer in the scenario's units: minutes, W; several events give a list per job. */
export function planJson(plan: DrPlan): PlanJson {
  const jobs = plan.jobs;
  const out: PlanJson = {
    plan: plan.segments.map((s) => {
      const per: Record<string, { gpus: number; cap: number }> = {};
      for (const j of jobs) per[j.name] = { gpus: s.gpus[j.index]!, cap: s.caps[j.index]! };
      return { t0: s.t0 / MIN, t1: Number.isFinite(s.t1) ? s.t1 / MIN : null, budget: Number.isFinite(s.budgetW) ? s.budgetW : null, jobs: per, power: s.powerW };
    }),
    throughput: {},
  };
  for (const j of jobs) {
    const per = plan.throughput.map((ev) => ({ event_ratio: ev[j.index]!.eventRatio, r_min: ev[j.index]!.rMin }));
    out.throughput[j.name] = per.length === 1 ? per[0]! : per;
  }
  return out;
}

/** Summary numbers of a plan: violations against target and budget, energy over the events. */
export function planSummary(plan: DrPlan): { overTargetS: number; overBudgetS: number; maxExcessW: number; eventEnergyJ: number; minMarginRatio: number } {
  const v = violations(plan);
  const dur = (s: { t0: number; t1: number }): number => s.t1 - s.t0;
  let eventEnergyJ = 0;
  for (const s of plan.segments) if (s.event >= 0) eventEnergyJ += s.powerW * dur(s);
  let minMarginRatio = Infinity;
  for (const ev of plan.throughput) for (const t of ev) minMarginRatio = Math.min(minMarginRatio, t.eventRatio - t.rMin);
  return {
    overTargetS: v.overTarget.reduce((a, s) => a + dur(s), 0),
    overBudgetS: v.overBudget.reduce((a, s) => a + dur(s), 0),
    maxExcessW: v.overTarget.reduce((a, s) => Math.max(a, s.powerW - s.targetW), 0),
    eventEnergyJ,
    minMarginRatio,
  };
}
