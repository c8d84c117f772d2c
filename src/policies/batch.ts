// Batch queueing on a finite cluster: FCFS and EASY backfilling, with the semantics the field's
// replays use (docs/engine.md), and a carbon-aware EASY that holds queued work in dirty hours.
// All of them act only in the scheduling pass that closes an instant.
import type { CarbonSignal } from '../carbon/signal.js';
import type { SimEvent } from '../engine/events.js';
import type { Actions, ClusterView, Policy } from './types.js';

/** Which queued jobs may start now; the others are held (skipped, not blocking). */
type Eligible = (j: number, view: ClusterView) => boolean;

const always: Eligible = () => true;

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

function easyPass(view: ClusterView, act: Actions, eligible: Eligible, observe?: ReservationObserver): void {
  const head = startHeads(view, act, eligible);
  if (head === -1) return;
  const cluster = view.cluster;
  if (!cluster) return; // infinite capacity: every start fits, startHeads started everyone
  const now = view.now;

  // Running jobs by predicted end, ties in start order (sort is stable).
  const ending: number[] = [];
  for (let r = view.runningHead(); r !== -1; r = view.runningNext(r)) ending.push(r);
  const predicted = (r: number): number => Math.max(view.startedAt(r) + view.estimateS(r), now);
  ending.sort((a, b) => predicted(a) - predicted(b));

  const shadow = cluster.clone();
  const headReq = view.request(head);
  let reservation = Infinity;
  for (let i = 0; i < ending.length; ) {
    const t = predicted(ending[i]!);
    for (; i < ending.length && predicted(ending[i]!) === t; i++) shadow.release(view.allocation(ending[i]!)!);
    if (shadow.firstFit(headReq) >= 0) {
      reservation = t;
      break;
    }
  }
  if (reservation === Infinity) return; // cannot happen for a job that fits an empty node
  observe?.(head, reservation);
  shadow.allocate(shadow.firstFit(headReq), headReq);

  for (let j = nextEligible(view, view.queueNext(head), eligible); j !== -1; ) {
    const after = view.queueNext(j);
    const req = view.request(j);
    const node = cluster.firstFit(req);
    if (node >= 0) {
      if (now + view.estimateS(j) <= reservation) act.start(j, node);
      else if (shadow.fitsOn(node, req)) {
        act.start(j, node);
        shadow.allocate(node, req);
      }
    }
    j = nextEligible(view, after, eligible);
  }
}

export function easyPolicy(options: { observe?: ReservationObserver } = {}): Policy {
  return {
    name: 'easy',
    wantsPass: true,
    onEvent(e: SimEvent, view: ClusterView, act: Actions): void {
      if (e.kind === 'pass') easyPass(view, act, always, options.observe);
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
 * the `holdQuantile` quantile of the next `windowS`, unless holding longer would make it start
 * after its latest start (deadline - estimate). Held jobs neither start nor block: EASY, with
 * backfilling, runs over the others. The policy wakes at every carbon step while it holds work.
 */
export function carbonEasyPolicy(options: CarbonEasyOptions = {}): Policy {
  const windowS = options.windowS ?? 24 * 3600;
  const q = options.holdQuantile ?? 0.5;
  let cachedAt = NaN;
  let dirty = false;
  let wokenFor = -Infinity;

  function isDirty(carbon: CarbonSignal, now: number): boolean {
    if (now >= carbon.end && carbon.extend === 'none') return false; // no signal left to judge by
    const step = carbon.stepEnd(now);
    if (step !== cachedAt) {
      cachedAt = step;
      dirty = carbon.intensityAt(now) > windowQuantile(carbon, now, windowS, q);
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
      const eligible: Eligible = hold ? (j, v) => v.jobs[j]!.deadline - v.estimateS(j) <= now : always;
      easyPass(view, act, eligible);
      if (!hold || view.queueLength === 0) return;
      // Wake at the next carbon step or the earliest latest start of a held job, whichever is first.
      let wake = view.carbon.stepEnd(now);
      for (let j = view.queueHead(); j !== -1; j = view.queueNext(j)) {
        const latest = view.jobs[j]!.deadline - view.estimateS(j);
        if (latest > now && latest < wake) wake = latest;
      }
      if (wake > now && wake !== wokenFor && Number.isFinite(wake)) {
        wokenFor = wake;
        act.wakeAt(wake, -1, 1);
      }
    },
  };
}

/** The q-quantile of the signal's step values over [t, t + windowS) (the value at rank floor(q x n) of the n steps). */
function windowQuantile(carbon: CarbonSignal, t: number, windowS: number, q: number): number {
  const values: number[] = [];
  const end = carbon.extend === 'none' ? Math.min(t + windowS, carbon.end) : t + windowS;
  for (let s = t; s < end; s = carbon.stepEnd(s)) values.push(carbon.intensityAt(s));
  if (values.length === 0) return Infinity;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
}
