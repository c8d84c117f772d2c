// Batch queueing on a finite cluster: FCFS and EASY backfilling, with the semantics the field's
// replays use (docs/engine.md), and a carbon-aware EASY that holds queued work in dirty hours.
// All of them act only in the scheduling pass that closes an instant.
import type { CarbonSignal } from '../carbon/signal.js';
import type { ClusterState } from '../cluster/state.js';
import type { SimEvent } from '../engine/events.js';
import type { Actions, ClusterView, Policy } from './types.js';

/** Which queued jobs may start now; the others are held (skipped, not blocking). */
export type Eligible = (j: number, view: ClusterView) => boolean;

export const always: Eligible = () => true;

/** The run time EASY assumes for job j (s): the user's estimate, unless a caller predicts it. */
export type RunTimeEstimate = (j: number, view: ClusterView) => number;

/** The next queued job at or after j that is eligible; -1 when none. */
function nextEligible(view: ClusterView, j: number, eligible: Eligible): number {
  while (j !== -1 && !eligible(j, view)) j = view.queueNext(j);
  return j;
}

/** FCFS: start the queue's head while it fits; the first that does not fit blocks the rest. */
export function fcfsPolicy(): Policy {
  return {
    name: 'fcfs',
    wantsPass: true,
    onEvent(e: SimEvent, view: ClusterView, act: Actions): void {
      if (e.kind !== 'pass') return;
      startHeads(view, act, always);
    },
  };
}

/** Start eligible heads while they fit; return the first eligible job that does not (-1: none). */
function startHeads(view: ClusterView, act: Actions, eligible: Eligible): number {
  let j = nextEligible(view, view.queueHead(), eligible);
  while (j !== -1) {
    const after = view.queueNext(j);
    if (!act.start(j)) return j;
    j = nextEligible(view, after, eligible);
  }
  return -1;
}

/**
 * EASY backfilling (Lifka 1995; Mu'alem & Feitelson 2001). The blocked head gets a reservation:
 * the earliest predicted end (start + estimate, or now when the job is overdue) at which it fits,
 * counting every job predicted to end then. A later job backfills if it fits now and either ends
 * by its estimate no later than the reservation, or fits in what is spare at the reservation
 * (which it then takes). The reservation is not recomputed within the pass.
 */
/** Told each reservation EASY makes: the blocked head and the instant it is promised. */
export type ReservationObserver = (job: number, reservationS: number) => void;

/** Scratch a policy reuses across passes: the reservation's cluster copy and the running jobs by predicted end. */
export class EasyScratch {
  shadow: ClusterState | null = null;
  running: number[] = [];
  ends: number[] = [];
}

export function easyPass(
  view: ClusterView,
  act: Actions,
  eligible: Eligible,
  observe?: ReservationObserver,
  estimate?: RunTimeEstimate,
  scratch: EasyScratch = new EasyScratch(),
): void {
  const head = startHeads(view, act, eligible);
  if (head === -1) return;
  const cluster = view.cluster;
  if (!cluster) return; // infinite capacity: every start fits, startHeads started everyone
  const now = view.now;
  const estimateS = (j: number): number => (estimate ? estimate(j, view) : view.estimateS(j));

  // Running jobs by predicted end (start + estimate, or now when overdue), ties in start order.
  const running = scratch.running;
  const ends = scratch.ends;
  running.length = 0;
  ends.length = 0;
  for (let r = view.runningHead(); r !== -1; r = view.runningNext(r)) {
    running.push(r);
    ends.push(Math.max(view.startedAt(r) + estimateS(r), now));
  }
  const byEnd = running.map((_, i) => i).sort((a, b) => ends[a]! - ends[b]! || a - b);

  const shadow = scratch.shadow?.spec === cluster.spec ? scratch.shadow.copyFrom(cluster) : (scratch.shadow = cluster.clone());
  const headReq = view.request(head);
  let reservation = Infinity;
  for (let i = 0; i < byEnd.length; ) {
    const t = ends[byEnd[i]!]!;
    for (; i < byEnd.length && ends[byEnd[i]!] === t; i++) shadow.release(view.allocation(running[byEnd[i]!]!)!);
    if (shadow.firstFit(headReq) >= 0) {
      reservation = t;
      break;
    }
  }
  if (reservation === Infinity) return; // cannot happen for a job that fits an empty node
  observe?.(head, reservation);
  shadow.allocate(shadow.firstFit(headReq), headReq);

  const capacity = cluster.capacityCpus;
  for (let j = nextEligible(view, view.queueNext(head), eligible); j !== -1; ) {
    if (cluster.busyCpus >= capacity) break; // every CPU is taken: nothing fits now
    const after = view.queueNext(j);
    const req = view.request(j);
    const node = cluster.firstFit(req);
    if (node >= 0) {
      if (now + estimateS(j) <= reservation) act.start(j, node);
      else if (shadow.fitsOn(node, req)) {
        act.start(j, node);
        shadow.allocate(node, req);
      }
    }
    j = nextEligible(view, after, eligible);
  }
}

export function easyPolicy(options: { observe?: ReservationObserver } = {}): Policy {
  const scratch = new EasyScratch();
  return {
    name: 'easy',
    wantsPass: true,
    onEvent(e: SimEvent, view: ClusterView, act: Actions): void {
      if (e.kind === 'pass') easyPass(view, act, always, options.observe, undefined, scratch);
    },
  };
}

export interface CarbonEasyOptions {
  /** look-ahead window over which "dirty" is judged (s); default 24 h */
  windowS?: number;
  /** hold while the intensity now is above this quantile of the window; default 0.5 */
  holdQuantile?: number;
}

/**
 * Carbon-aware EASY: a queued job is held while the intensity now (as the policy sees it) is above
 * the `holdQuantile` quantile of the next `windowS`, until its wait budget is spent (deadline -
 * duration: arrival + the allowed wait). Held jobs neither start nor block: EASY, with
 * backfilling, runs over the others. The policy wakes at every carbon step while it holds work.
 */
export function carbonEasyPolicy(options: CarbonEasyOptions = {}): Policy {
  const windowS = options.windowS ?? 24 * 3600;
  const q = options.holdQuantile ?? 0.5;
  let cachedAt = NaN;
  let dirty = false;
  const scratch = new EasyScratch();
  let wokenFor = -Infinity;

  // The verdict of a carbon step: its value against the window that starts with it. The window is
  // the step itself and the steps that start within windowS - resolution after its end, so every
  // instant of one step gets the same verdict (24 hourly values for 24 h).
  function isDirty(carbon: CarbonSignal, now: number): boolean {
    if (now >= carbon.end && carbon.extend === 'none') return false; // no signal left to judge by
    const next = carbon.stepEnd(now);
    if (next !== cachedAt) {
      cachedAt = next;
      const here = carbon.intensityAt(now);
      dirty = here > windowQuantile(carbon, here, next, next + windowS - carbon.resolutionS, q);
    }
    return dirty;
  }

  return {
    name: 'carbon-easy',
    wantsPass: true,
    onEvent(e: SimEvent, view: ClusterView, act: Actions): void {
      // a timer needs no handling: the engine closes the instant with a pass
      if (e.kind !== 'pass') return;
      const now = view.now;
      const hold = isDirty(view.carbon, now);
      const eligible: Eligible = hold ? (j, v) => latestStart(v, j) <= now : always;
      easyPass(view, act, eligible, undefined, undefined, scratch);
      if (!hold || view.queueLength === 0) return;
      // Wake at the next carbon step or the earliest latest start of a held job, whichever is first.
      let wake = view.carbon.stepEnd(now);
      for (let j = view.queueHead(); j !== -1; j = view.queueNext(j)) {
        const latest = latestStart(view, j);
        if (latest > now && latest < wake) wake = latest;
      }
      if (wake > now && wake !== wokenFor && Number.isFinite(wake)) {
        wokenFor = wake;
        act.wakeAt(wake, -1, 1);
      }
    },
  };
}

/**
 * The last instant a held job may start: when its wait budget is spent (deadline - its duration,
 * i.e. arrival + the allowed wait). Computed from the deadline rule's budget, so the policy never
 * reads the job's real run time.
 */
function latestStart(view: ClusterView, j: number): number {
  const job = view.job(j);
  return job.deadline - job.profile.durationS;
}

/**
 * The q-quantile (the value at rank floor(q x n) of n) of `first` and the values of the steps that
 * start in [from, to).
 */
function windowQuantile(carbon: CarbonSignal, first: number, from: number, to: number, q: number): number {
  const values: number[] = [first];
  const end = carbon.extend === 'none' ? Math.min(to, carbon.end) : to;
  for (let s = from; s < end; s = carbon.stepEnd(s)) values.push(carbon.intensityAt(s));
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
}
