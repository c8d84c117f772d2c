// DVFS Fair: in every piece of the event each job sheds the same fraction of its own headroom, the
// draw between its highest cap and the lowest cap that still meets its minimum throughput (or, in
// equal-watts mode, the same watts, clamped at its headroom). A job that cannot be capped
// (uses_dvfs false) sheds its share by whole nodes instead, down to the fewest GPUs that keep its
// minimum (shared.ts, dvfsFair). When all the headroom is not enough the piece is over its
// budget: the plan reports the shortfall.
import type { DrJob, EventFlex, EventInput, EventPiece, FairPrep, Participant } from './shared.js';
import { fairSplit, fullAllocation, prepareFair } from './shared.js';

/** The participants' data, kept per job list and step size (the online policy plans step by step with one list). */
const PREP = new WeakMap<readonly DrJob[], { flex: readonly EventFlex[]; gpuStep: number; prep: FairPrep }>();

export function planDvfsFairEvent(input: EventInput): EventPiece[] {
  const { jobs, steps, flex, options, event } = input;
  let cached = PREP.get(jobs);
  if (!cached || cached.flex !== flex || cached.gpuStep !== options.gpuStep) {
    const parts: Participant[] = jobs.map((job) => ({ job, gpus: job.gpus, rMin: flex[job.index]!.rMin }));
    PREP.set(jobs, (cached = { flex, gpuStep: options.gpuStep, prep: prepareFair(parts, options.gpuStep) }));
  }
  const prep = cached.prep;
  return steps.map((st, k) => {
    const { gpus, caps } = fullAllocation(jobs);
    fairSplit(prep, st.budgetW, options.fairMode, caps, gpus);
    return { t0: st.t0, t1: st.t1, step: event.firstStep + k, gpus, caps };
  });
}
