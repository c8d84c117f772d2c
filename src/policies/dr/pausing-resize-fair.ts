// Job Pausing + Resource Allocation Fair: pausing and resizing in whole nodes, no caps. Each piece
// of the event is planned on its own. Candidates: "no pause", then every job whose minimum
// throughput is 0 (it may stand still the whole event), by name. For a candidate the paused job
// gets 0 GPUs; then, while the draw is over the budget, one node (gpu_step GPUs) is taken from the
// job with the smallest used share of its GPU headroom, (GPUs - current) / (GPUs - lowest allowed),
// ties by larger draw per node, then name. A job's lowest allowed count is the smallest of
// GPUs - k x gpu_step that keeps its throughput (linear in GPUs) at or above its minimum and is
// above 0. Among the candidates within budget the greatest draw wins, then the fewest jobs affected
// (paused or shrunk), then the candidate order; if none is within budget, the least draw wins
// (then the same ties) and the piece is a violation.
import { maxPowerPerGpu } from '../../model/dvfs.js';
import type { DrJob, EventInput, EventPiece } from './shared.js';
import { fullAllocation, minGpus } from './shared.js';

interface Outcome {
  gpus: Int32Array;
  powerW: number;
  affected: number;
}

export function planPausingResizeFairEvent(input: EventInput): EventPiece[] {
  const { jobs, steps, flex, options, event } = input;
  const step = options.gpuStep;
  const ppg = jobs.map((j) => maxPowerPerGpu(j.curve));
  const gmin = jobs.map((j) => minGpus(j, flex[j.index]!.rMin, step));
  const candidates: (DrJob | null)[] = [null, ...jobs.filter((j) => flex[j.index]!.rMin <= 0).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))];
  const byName = jobs.map((j) => j.index).sort((a, b) => (jobs[a]!.name < jobs[b]!.name ? -1 : 1));
  const rank = new Int32Array(jobs.length);
  byName.forEach((j, r) => (rank[j] = r));

  function outcome(paused: DrJob | null, budgetW: number): Outcome {
    const { gpus } = fullAllocation(jobs);
    let power = 0;
    for (const j of jobs) power += ppg[j.index]! * j.gpus;
    if (paused) {
      gpus[paused.index] = 0;
      power -= ppg[paused.index]! * paused.gpus;
    }
    const limit = budgetW + 1e-9 * Math.max(1, budgetW);
    while (power > limit) {
      let pick = -1;
      for (const j of jobs) {
        const i = j.index;
        if (gpus[i] === 0 || gpus[i]! - step < gmin[i]!) continue;
        if (pick < 0) {
          pick = i;
          continue;
        }
        // smaller used share (g0 - g) / (g0 - gmin), compared exactly
        const usedI = (j.gpus - gpus[i]!) * (jobs[pick]!.gpus - gmin[pick]!);
        const usedP = (jobs[pick]!.gpus - gpus[pick]!) * (j.gpus - gmin[i]!);
        if (usedI < usedP || (usedI === usedP && (ppg[i]! > ppg[pick]! || (ppg[i] === ppg[pick] && rank[i]! < rank[pick]!)))) pick = i;
      }
      if (pick < 0) break;
      gpus[pick] = gpus[pick]! - step;
      power -= ppg[pick]! * step;
    }
    let affected = 0;
    for (const j of jobs) if (gpus[j.index]! < j.gpus) affected++;
    return { gpus, powerW: power, affected };
  }

  const memo = new Map<number, Int32Array>();
  function choose(budgetW: number): Int32Array {
    let got = memo.get(budgetW);
    if (got) return got;
    const limit = budgetW + 1e-9 * Math.max(1, budgetW);
    let best: Outcome | undefined;
    let bestWithin = false;
    for (const c of candidates) {
      const o = outcome(c, budgetW);
      const within = o.powerW <= limit;
      if (!best) {
        best = o;
        bestWithin = within;
        continue;
      }
      if (within !== bestWithin) {
        if (within) {
          best = o;
          bestWithin = true;
        }
        continue;
      }
      const morePower = within ? o.powerW > best.powerW : o.powerW < best.powerW;
      if (morePower || (o.powerW === best.powerW && o.affected < best.affected)) best = o;
    }
    got = best!.gpus;
    memo.set(budgetW, got);
    return got;
  }

  return steps.map((st, k) => {
    const { caps } = fullAllocation(jobs);
    const gpus = Number.isFinite(st.budgetW) ? Int32Array.from(choose(st.budgetW)) : fullAllocation(jobs).gpus;
    return { t0: st.t0, t1: st.t1, step: event.firstStep + k, gpus, caps };
  });
}
