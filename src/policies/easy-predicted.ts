// EASY backfilling with predicted run times instead of the users' estimates, and the correction of
// EASY++ (Tsafrir, Etsion & Feitelson 2007, "Backfilling using system-generated predictions rather
// than user runtime estimates"): a running job that outlives its prediction gets a longer one, by
// increments of 1 min, 5 min, 15 min, 30 min, 1 h, 2 h, 5 h, 10 h, 20 h, 50 h, 100 h (then 100 h
// again), never beyond its requested time while that is still ahead. Predictions are made once, at
// submission, and capped at the requested time. The queue order stays FCFS (EASY++'s shortest-
// job-backfilled-first ordering is not used, so that the effect of the predictions stands alone).
// The EASY pass itself is batch.ts's easyPass with the prediction as the run-time estimate.
import type { SimEvent } from '../engine/events.js';
import { always, easyPass, EasyScratch } from './batch.js';
import type { Actions, ClusterView, Policy } from './types.js';

/** Predicts a job's run time when it is submitted, from what is known then. */
export interface RunTimePredictor {
  readonly name: string;
  /** Job j was submitted now (it is already in the queue): its predicted run time (s). */
  submitted(j: number, view: ClusterView): number;
  /** Job j finished now: its run time may join the predictor's history. */
  finished?(j: number, view: ClusterView): void;
}

export interface EasyPredictedOptions {
  /** default: templatePredictor() */
  predictor?: RunTimePredictor;
  /** policy name in results; default `easy-predicted` */
  name?: string;
}

/** The increments (s) by which a prediction that a running job has outlived grows. */
export const CORRECTION_STEPS_S = [60, 300, 900, 1800, 3600, 7200, 18000, 36000, 72000, 180000, 360000];
/** Predictions are at least this long (s). */
const MIN_PREDICTION_S = 1;

/**
 * A predictor that needs only what every trace has, learning from finishes in the simulation: the
 * mean of the last two finished jobs with the same size and requested time (a Gibbons-style
 * template standing in for the user, whom the engine's jobs do not carry), else the requested time.
 * src/learn/ has Tsafrir's per-user predictor and the trained surrogate for SWF logs.
 */
export function templatePredictor(): RunTimePredictor {
  const history = new Map<string, [number, number]>();
  const key = (j: number, view: ClusterView): string => `${view.request(j).cpus}:${view.job(j).estimateS ?? -1}`;
  return {
    name: 'template',
    submitted(j, view) {
      const h = history.get(key(j, view));
      if (h === undefined) return view.estimateS(j);
      return Number.isNaN(h[1]) ? h[0] : (h[0] + h[1]) / 2;
    },
    finished(j, view) {
      const k = key(j, view);
      const run = view.job(j).profile.durationS;
      const h = history.get(k);
      history.set(k, h === undefined ? [run, NaN] : [run, h[0]]);
    },
  };
}

/** EASY with predicted run times and EASY++'s correction. */
export function easyPredictedPolicy(options: EasyPredictedOptions = {}): Policy {
  const predictor = options.predictor ?? templatePredictor();
  let prediction = new Float64Array(0);
  let steps = new Uint8Array(0);
  const scratch = new EasyScratch();

  /** The prediction of job j now: a running job that outlived it gets the next increment(s). */
  const estimate = (j: number, view: ClusterView): number => {
    let p = prediction[j]!;
    if (view.state(j) !== 'running') return p;
    const elapsed = view.now - view.startedAt(j);
    if (p > elapsed) return p;
    let k = steps[j]!;
    while (p <= elapsed) p += CORRECTION_STEPS_S[Math.min(k++, CORRECTION_STEPS_S.length - 1)]!;
    const requested = view.job(j).estimateS;
    if (requested !== undefined && requested > elapsed) p = Math.min(p, requested);
    prediction[j] = p;
    steps[j] = Math.min(k, 255);
    return p;
  };

  return {
    name: options.name ?? 'easy-predicted',
    wantsPass: true,
    onEvent(e: SimEvent, view: ClusterView, act: Actions): void {
      if (e.kind === 'arrive') {
        if (prediction.length < view.jobCount) {
          prediction = new Float64Array(view.jobCount);
          steps = new Uint8Array(view.jobCount);
        }
        const j = e.job;
        let p = predictor.submitted(j, view);
        // capped at the requested time, where the trace has one (not at the run time that stands in for it)
        const requested = view.job(j).estimateS;
        if (requested !== undefined) p = Math.min(p, requested);
        prediction[j] = Number.isFinite(p) ? Math.max(MIN_PREDICTION_S, p) : view.estimateS(j);
      } else if (e.kind === 'finish') {
        predictor.finished?.(e.job, view);
      } else if (e.kind === 'pass') {
        easyPass(view, act, always, undefined, estimate, scratch);
      }
    },
  };
}
