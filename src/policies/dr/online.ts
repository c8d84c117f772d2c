// The demand-response policies on the online engine. Each reacts to the engine's 'power-target'
// events (one per step of the timeline) and to its own timers, and acts through setPowerCap
// (a cap: progress rate and draw from the job's DVFS curve), suspend (a pause: the job stops at
// its last checkpoint and draws nothing), resume (the restart runs the profile's resume phases:
// pausing has a real cost) and resize (GPUs, throughput linear in them).
//   - dvfs-fair and pausing-resize-fair plan each step when it begins, for the DR jobs running (or
//     paused by the policy) at that instant, and plan the step again when that set changes;
//   - dvfs-pausing-fair and pausing-greedy plan the whole event at its first step (their slots and
//     rows span the event) and apply each piece at a timer; a job that starts mid-event runs uncapped.
// With `inner` the policy composes with a scheduling policy (carbon-aware or batch): the inner
// policy decides starts and stops, the DR layer only caps, pauses and resizes what runs.
import type { PowerTargetTimeline, ResolvedEvent } from '../../cluster/demand-response.js';
import type { SimEvent } from '../../engine/events.js';
import { maxPowerPerGpu, powerPerGpuAt, throughputRatioAt } from '../../model/dvfs.js';
import type { Actions, ClusterView, JobState, Policy } from '../types.js';
import { EVENT_PLANNERS } from './plan.js';
import { eventFlex, resolveOptions, type DrJob, type EventFlex, type DrOptions, type DrPolicyName, type EventPiece, type EventPlanner, type ResolvedOptions } from './shared.js';

export interface DrOnlineOptions extends DrOptions {
  /** resize by checkpoint, stop and restart on the new GPU count, as the field did (the restart is charged); default true */
  restartOnResize?: boolean;
}

export interface DrOnlineSetup {
  policy: DrPolicyName;
  /** the DR attributes of the engine's jobs, matched by job id = DR job name; other jobs are left alone */
  jobs: readonly DrJob[];
  timeline: PowerTargetTimeline;
  options?: DrOnlineOptions;
  /** a scheduling policy that decides starts and stops; without one every job starts at arrival */
  inner?: Policy;
  /** plan whole events with this planner instead of the policy's (replays of fixed actions) */
  planner?: EventPlanner;
}

/** One change the policy made to a job: GPUs (0 = paused) and cap from `t` on. */
export interface DrAction {
  t: number;
  job: string;
  gpus: number;
  cap: number;
}

/** Work progress (s of work) of each DR job at an event's start and end, by DR job index. */
export interface DrEventProgress {
  event: number;
  startS: number;
  endS: number;
  atStart: Float64Array;
  atEnd: Float64Array;
}

export interface DrOnlinePolicy extends Policy {
  readonly actions: readonly DrAction[];
  readonly progress: readonly DrEventProgress[];
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Timer tags of the DR layer: job -1, tag -1000 - piece index (inner policies use other tags). */
const TAG_BASE = -1000;

const PER_STEP: ReadonlySet<DrPolicyName> = new Set<DrPolicyName>(['dvfs-fair', 'pausing-resize-fair']);

export function drOnlinePolicy(setup: DrOnlineSetup): DrOnlinePolicy {
  const { policy, timeline, inner } = setup;
  const opts: ResolvedOptions = resolveOptions(setup.options);
  const restartOnResize = setup.options?.restartOnResize ?? true;
  const planner = setup.planner ?? EVENT_PLANNERS[policy];
  const perStep = !setup.planner && PER_STEP.has(policy);
  const drByName = new Map(setup.jobs.map((j) => [j.name, j]));
  const log: DrAction[] = [];
  const progressLog: DrEventProgress[] = [];

  // by engine job index, filled at the first event
  let drOf: (DrJob | undefined)[] = [];
  let curGpus = new Int32Array(0);
  let curCap = new Int32Array(0);
  /** paused by this policy (suspended, to be resumed when its pause ends) */
  let drPaused = new Uint8Array(0);
  /** composed: the inner policy wants the job to run */
  let innerWants = new Uint8Array(0);
  let ready = false;

  let event: ResolvedEvent | undefined;
  let step = -1;
  let pieces: { piece: EventPiece; engine: Int32Array }[] = [];
  /** the participants the current step was planned for (per-step policies) */
  let plannedFor: number[] = [];

  function init(view: ClusterView): void {
    if (ready) return;
    ready = true;
    const n = view.jobCount;
    drOf = Array.from({ length: n }, (_, j) => drByName.get(view.job(j).id));
    curGpus = new Int32Array(n);
    curCap = new Int32Array(n);
    drPaused = new Uint8Array(n);
    innerWants = new Uint8Array(n).fill(1);
    for (let j = 0; j < n; j++) {
      const d = drOf[j];
      if (d) {
        curGpus[j] = d.gpus;
        curCap[j] = d.curve.maxCap;
      }
    }
  }

  /** DR jobs in the event's care: running, or paused by this policy. */
  function participants(view: ClusterView): number[] {
    const out: number[] = [];
    for (let j = 0; j < drOf.length; j++) {
      if (!drOf[j]) continue;
      const s: JobState = view.state(j);
      if (s === 'running' || (s === 'suspended' && drPaused[j])) out.push(j);
    }
    return out;
  }

  /** the re-indexed jobs and their flexibility for a set of participants, within the current event */
  let groups = new Map<string, { sub: DrJob[]; flex: EventFlex[]; engine: Int32Array }>();

  let lastWho: number[] = [];
  let lastGroup: { sub: DrJob[]; flex: EventFlex[]; engine: Int32Array } | undefined;

  /** Plan `steps` of the event for the engine jobs `who`; the planner sees them re-indexed 0..m-1. */
  function plan(who: number[], firstStep: number, endStep: number): { piece: EventPiece; engine: Int32Array }[] {
    const ev = event!;
    let g = lastGroup && sameList(who, lastWho) ? lastGroup : undefined;
    const key = g ? '' : who.join(',');
    if (!g) g = groups.get(key);
    if (!g) {
      const sub: DrJob[] = who.map((j, k) => ({ ...drOf[j]!, index: k }));
      const lengthS = ev.endS - ev.startS;
      groups.set(key, (g = { sub, flex: sub.map((d) => eventFlex(d, lengthS)), engine: Int32Array.from(who) }));
    }
    lastWho = who;
    lastGroup = g;
    const steps = timeline.steps.slice(firstStep, endStep);
    const engine = g.engine;
    return planner({ jobs: g.sub, event: { ...ev, firstStep }, steps, flex: g.flex, options: opts }).map((piece) => ({ piece, engine }));
  }

  function apply(view: ClusterView, act: Actions, j: number, gpus: number, cap: number): void {
    const d = drOf[j]!;
    if (gpus === curGpus[j] && cap === curCap[j] && !(gpus > 0 && drPaused[j])) return;
    const t = view.now;
    if (gpus === 0) {
      if (view.state(j) === 'running') {
        act.suspend(j);
        if (view.state(j) === 'suspended') drPaused[j] = 1;
      }
    } else {
      if (drPaused[j]) {
        drPaused[j] = 0;
        if (innerWants[j] && view.state(j) === 'suspended') act.resume(j);
      } else if (gpus !== curGpus[j] && restartOnResize && view.state(j) === 'running') {
        // the field's resize: checkpoint, stop, start again on the new count
        act.suspend(j);
        if (view.state(j) === 'suspended') act.resume(j);
      }
      if (view.state(j) === 'running') {
        const rate = (throughputRatioAt(d.curve, cap) * gpus) / d.gpus;
        const scale = (powerPerGpuAt(d.curve, cap) * gpus) / (maxPowerPerGpu(d.curve) * d.gpus);
        const req = view.request(j);
        if (req.gpus !== gpus) act.resize(j, { ...req, gpus }, rate);
        act.setPowerCap(j, rate, scale);
      }
    }
    curGpus[j] = gpus;
    curCap[j] = cap;
    log.push({ t, job: d.name, gpus, cap });
  }

  function applyPiece(view: ClusterView, act: Actions, p: { piece: EventPiece; engine: Int32Array }): void {
    for (let k = 0; k < p.engine.length; k++) apply(view, act, p.engine[k]!, p.piece.gpus[k]!, p.piece.caps[k]!);
  }

  /** Bring every DR job's run up to now (a no-op cap change advances it) and read its progress. */
  function snapshot(view: ClusterView, act: Actions, into: Float64Array): void {
    for (let j = 0; j < drOf.length; j++) {
      const d = drOf[j];
      if (!d) continue;
      const run = view.run(j);
      if (run.running) act.setPowerCap(j, run.rate, run.powerScale);
      into[d.index] = run.progress;
    }
  }

  function startEvent(view: ClusterView, act: Actions, ev: ResolvedEvent): void {
    event = ev;
    groups = new Map();
    lastGroup = undefined;
    const rec: DrEventProgress = { event: ev.index, startS: ev.startS, endS: ev.endS, atStart: new Float64Array(setup.jobs.length), atEnd: new Float64Array(setup.jobs.length) };
    snapshot(view, act, rec.atStart);
    progressLog.push(rec);
    if (perStep) return;
    pieces = plan(participants(view), ev.firstStep, ev.endStep);
    for (let k = 1; k < pieces.length; k++) act.wakeAt(pieces[k]!.piece.t0, -1, TAG_BASE - k);
    if (pieces.length > 0) applyPiece(view, act, pieces[0]!);
  }

  function planStep(view: ClusterView, act: Actions): void {
    const who = participants(view);
    plannedFor = who;
    const [p] = plan(who, step, step + 1);
    if (p) applyPiece(view, act, p);
  }

  function endEvent(view: ClusterView, act: Actions): void {
    const rec = progressLog[progressLog.length - 1];
    if (rec) snapshot(view, act, rec.atEnd);
    for (let j = 0; j < drOf.length; j++) {
      const d = drOf[j];
      if (d && view.state(j) !== 'done') apply(view, act, j, d.gpus, d.curve.maxCap);
    }
    event = undefined;
    pieces = [];
    plannedFor = [];
  }

  function onTarget(view: ClusterView, act: Actions, index: number): void {
    init(view);
    step = index;
    const st = timeline.steps[index]!;
    if (st.kind === 'open') {
      if (event) endEvent(view, act);
      return;
    }
    const ev = timeline.events[st.event]!;
    if (index === ev.firstStep) startEvent(view, act, ev);
    if (perStep) planStep(view, act);
  }

  // ---- composition: what the inner policy sees and does ----

  let proxyView: ClusterView | undefined;
  let proxyActs: Actions | undefined;
  function innerView(view: ClusterView): ClusterView {
    // a job this policy paused still runs as far as the inner policy is concerned
    proxyView ??= new Proxy(view, {
      get(target, prop) {
        if (prop === 'state') return (j: number): JobState => (drPaused[j] && innerWants[j] ? 'running' : target.state(j));
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    return proxyView;
  }
  function innerActs(act: Actions): Actions {
    proxyActs ??= {
      start: (j, node) => {
        if (drPaused[j]) {
          innerWants[j] = 1;
          return true;
        }
        return act.start(j, node);
      },
      resume: (j, node) => {
        if (drPaused[j]) {
          innerWants[j] = 1;
          return true;
        }
        return act.resume(j, node);
      },
      suspend: (j) => {
        if (drPaused[j]) {
          innerWants[j] = 0;
          return;
        }
        act.suspend(j);
      },
      resize: (j, r, rate) => act.resize(j, r, rate),
      setPowerCap: (j, rate, scale) => act.setPowerCap(j, rate, scale),
      wakeAt: (t, job, tag) => act.wakeAt(t, job, tag),
    };
    return proxyActs;
  }

  return {
    name: inner ? `${inner.name}+${setup.planner ? 'replay' : policy}` : setup.planner ? 'replay' : policy,
    get wantsPass() {
      return inner ? inner.wantsPass || (perStep && event !== undefined) : perStep && event !== undefined;
    },
    onEvent(e: SimEvent, view: ClusterView, act: Actions): void {
      init(view);
      if (e.kind === 'power-target') {
        onTarget(view, act, e.tag);
        return;
      }
      if (e.kind === 'timer' && e.job === -1 && e.tag <= TAG_BASE) {
        const p = pieces[TAG_BASE - e.tag];
        if (p && event) applyPiece(view, act, p);
        return;
      }
      if (inner) inner.onEvent(e, innerView(view), innerActs(act));
      else if (e.kind === 'arrive') act.start(e.job);
      // a per-step policy plans its step again when the set of DR jobs it cares for changed
      if (perStep && event && step >= 0 && (e.kind === 'pass' || e.kind === 'finish' || e.kind === 'arrive')) {
        if (!sameList(participants(view), plannedFor)) planStep(view, act);
      }
    },
    ...(inner?.plannedEnd && { plannedEnd: (j: number) => inner.plannedEnd!(j) }),
    ...(inner?.plannedIntervals && { plannedIntervals: (j: number) => inner.plannedIntervals!(j) }),
    ...(inner?.onFinish && { onFinish: (j: number, view: ClusterView) => inner.onFinish!(j, innerView(view)) }),
    get actions() {
      return log;
    },
    get progress() {
      return progressLog;
    },
  };
}
