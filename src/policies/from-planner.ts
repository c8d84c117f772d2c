// Today's planners as an online policy. At a job's arrival the planner plans it (as in round 1);
// each planned interval becomes a start timer and, but for the last, a stop timer.
// On a finite cluster a planned start that does not fit waits, in arrival order, for the first
// instant it fits; it then runs until its planned stop (the plan's later intervals keep their
// times), and a stop that comes while it still waits drops that interval. The last interval runs
// to the finish. On an infinite cluster every start fits, so this is exactly the planner path.
import type { SimEvent } from '../engine/events.js';
import { InputError } from '../errors.js';
import { PlanError, validatePlan, type Interval } from '../model/execution.js';
import { IntervalLists } from '../model/interval-lists.js';
import type { Plan, PlanContext, Scheduler } from '../schedulers/types.js';
import type { Actions, ClusterView, Policy } from './types.js';

/** Timer tags: 2k starts interval k, 2k + 1 stops it. */
const startTag = (k: number): number => 2 * k;
const stopTag = (k: number): number => 2 * k + 1;

export function fromPlanner(planner: Scheduler): Policy {
  /** every job's plan, kept in typed arrays (1M jobs must not mean 1M arrays kept alive) */
  let plans: IntervalLists | undefined;
  /** the interval each job is in or waits for */
  let current: Int32Array | undefined;
  /** jobs whose planned start did not fit, in the order they came to wait */
  let waiting: number[] = [];
  let ctx: PlanContext | undefined;


  return {
    name: planner.name,
    get wantsPass() {
      return waiting.length > 0;
    },
    onEvent(e: SimEvent, view: ClusterView, act: Actions): void {
      const j = e.job;
      if (e.kind === 'arrive') {
        const job = view.job(j);
        ctx ??= { now: 0, deadline: 0, carbon: view.carbon, slot: view.slotS, slotOrigin: view.slotOrigin, rng: () => view.rng() };
        ctx.now = e.t;
        ctx.deadline = job.deadline;
        ctx.carbon = view.carbon; // a forecast as issued changes with the decision time
        let plan: Plan;
        try {
          plan = planner.plan(job, ctx);
          validatePlan(plan.intervals, job.arrival);
        } catch (err) {
          if (err instanceof InputError) err.message = `job "${job.id}": ${err.message}`;
          throw err;
        }
        if (plans === undefined) {
          plans = new IntervalLists(view.jobCount);
          current = new Int32Array(view.jobCount);
        }
        const intervals = plan.intervals;
        for (let k = 0; k < intervals.length; k++) plans.push(j, intervals[k]![0], intervals[k]![1]);
        act.wakeAt(intervals[0]![0], j, startTag(0));
        return;
      }
      if (e.kind === 'timer') {
        const k = e.tag >> 1;
        const count = plans!.count(j);
        const state = view.state(j);
        if (state === 'done') return;
        if ((e.tag & 1) === 0) {
          current![j] = k;
          // the planned stop stands whether the start fits now, later, or not before it
          if (k < count - 1) act.wakeAt(plans!.endAt(j, k), j, stopTag(k));
          if (!act.start(j)) waiting.push(j);
          return;
        }
        // a planned stop
        if (state === 'running') act.suspend(j);
        else waiting = waiting.filter((w) => w !== j);
        if (view.state(j) !== 'done' && k + 1 < count) act.wakeAt(plans!.startAt(j, k + 1), j, startTag(k + 1));
        return;
      }
      if (e.kind === 'pass' && waiting.length > 0) {
        waiting = waiting.filter((w) => !act.start(w));
      }
    },
    onFinish(j: number, view: ClusterView): void {
      const k = current![j]!;
      if (k + 1 < plans!.count(j)) {
        const job = view.job(j);
        const finish = view.run(j).finish;
        throw new PlanError(`job "${job.id}": interval ${k + 1} starts at ${plans!.startAt(j, k + 1)} s, after the job finished at ${finish} s`, k + 1);
      }
    },
    plannedEnd(j: number): number {
      return plans === undefined ? NaN : plans.lastEnd(j);
    },
    plannedIntervals(j: number): readonly Interval[] | undefined {
      return plans !== undefined && plans.count(j) > 0 ? plans.list(j) : undefined;
    },
  };
}
