// Job Pausing Greedy: pausing only. The event is a table of L equal rows, L the least common
// multiple of the denominators of the jobs' pausable shares, so that each job's allowance is a
// whole number of rows (share x L). Walking the rows in order, while a row draws more than its
// budget the next job of the flexibility order is paused for exactly its allowance of consecutive
// rows from there (cut at the end of the event); each job is paused at most once. The order: larger
// pausable share first, then larger uncapped draw, then name. A row's budget is the lowest budget
// of the timeline over the row. Rows still over budget once every job has been used are violations.
// Caps stay at the highest cap.
import { InputError } from '../../errors.js';
import { TIME_EPS_S } from '../../model/profile.js';
import type { DrJob, EventInput, EventPiece } from './shared.js';
import { cutSteps, fullAllocation, lcm } from './shared.js';

/** Tables longer than this are refused: the shares' denominators are not small numbers. */
export const MAX_GREEDY_ROWS = 10_000;

export function planPausingGreedyEvent(input: EventInput): EventPiece[] {
  const { jobs, steps, flex, event } = input;
  let rows = 1;
  let widest: DrJob | undefined;
  for (const j of jobs) {
    const f = flex[j.index]!;
    if (f.pauseNum === 0) continue;
    rows = lcm(rows, f.pauseDen);
    if (!widest || f.pauseDen > flex[widest.index]!.pauseDen) widest = j;
    if (rows > MAX_GREEDY_ROWS) {
      throw new InputError(
        'bad_dr_job',
        `pausing-greedy needs a table of ${rows}+ rows (the least common multiple of the pausable shares' denominators, job "${widest.name}" has ${f.pauseNum}/${f.pauseDen}); at most ${MAX_GREEDY_ROWS}: give flex windows in simpler ratios to the event`,
        { field: `jobs[${widest.index}].flex_window` },
      );
    }
  }
  const lengthS = event.endS - event.startS;
  const cuts = Array.from({ length: rows - 1 }, (_, r) => event.startS + ((r + 1) * lengthS) / rows);
  const edge = (r: number): number => (r === 0 ? event.startS : r === rows ? event.endS : cuts[r - 1]!);

  // each row's budget: the lowest over the steps it overlaps
  const budget = new Float64Array(rows).fill(Infinity);
  let s = 0;
  for (let r = 0; r < rows; r++) {
    const a = edge(r);
    const b = edge(r + 1);
    while (s < steps.length && steps[s]!.t1 <= a + TIME_EPS_S) s++;
    for (let k = s; k < steps.length && steps[k]!.t0 < b - TIME_EPS_S; k++) budget[r] = Math.min(budget[r]!, steps[k]!.budgetW);
  }

  const allowance = (j: DrJob): number => (flex[j.index]!.pauseNum * rows) / flex[j.index]!.pauseDen;
  const order = jobs
    .filter((j) => allowance(j) > 0)
    .sort((a, b) => {
      const fa = flex[a.index]!;
      const fb = flex[b.index]!;
      return fb.pauseNum * fa.pauseDen - fa.pauseNum * fb.pauseDen || b.maxPowerW - a.maxPowerW || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
  const from = new Int32Array(jobs.length).fill(-1);
  const until = new Int32Array(jobs.length).fill(-1);
  let total = 0;
  for (const j of jobs) total += j.maxPowerW;
  let cursor = 0;
  for (let r = 0; r < rows; r++) {
    let power = total;
    for (const j of order) if (from[j.index]! <= r && r < until[j.index]!) power -= j.maxPowerW;
    const limit = budget[r]! + 1e-9 * Math.max(1, budget[r]!);
    while (power > limit && cursor < order.length) {
      const j = order[cursor++]!;
      from[j.index] = r;
      until[j.index] = Math.min(rows, r + allowance(j));
      power -= j.maxPowerW;
    }
  }

  const out: EventPiece[] = [];
  for (const piece of cutSteps(steps, event.firstStep, cuts)) {
    const row = piece.slot;
    const { gpus, caps } = fullAllocation(jobs);
    for (const j of order) if (from[j.index]! <= row && row < until[j.index]!) gpus[j.index] = 0;
    out.push({ t0: piece.t0, t1: piece.t1, step: piece.step, gpus, caps });
  }
  return out;
}
