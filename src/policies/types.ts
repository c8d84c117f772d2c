// The online policy interface: a policy reacts to events, looks at the cluster through a view and
// changes it through actions. Batch queues, planners (through fromPlanner), placement and demand
// response all speak it; the simulated cluster and a real back-end implement the view and actions.
import type { CarbonSignal } from '../carbon/signal.js';
import type { Allocation, ClusterState } from '../cluster/state.js';
import type { ResourceRequest } from '../cluster/types.js';
import type { SimEvent } from '../engine/events.js';
import type { Job } from '../model/jobs.js';
import type { JobRun } from '../model/jobrun.js';

export type JobState = 'future' | 'queued' | 'running' | 'suspended' | 'done';

/** What a policy sees. Lists are walked without allocating: head() then next(j) until -1. */
export interface ClusterView {
  readonly now: number;
  /** jobs are indices 0..jobCount-1, in arrival order */
  readonly jobCount: number;
  /** job j (on a table built from columns, a new object each call: read what you need) */
  job(j: number): Job;
  /** null on an infinite cluster, where every start fits */
  readonly cluster: ClusterState | null;
  /** what policies see of the carbon signal: a forecast or the actual one */
  readonly carbon: CarbonSignal;
  /** slot length (s) and a slot boundary, for slot-based planners */
  readonly slotS: number;
  readonly slotOrigin: number;
  /** seeded random numbers in [0, 1) */
  rng(): number;
  /** submitted, never started: in submit order (ties in job order) */
  queueHead(): number;
  queueNext(j: number): number;
  readonly queueLength: number;
  /** running now, in start order */
  runningHead(): number;
  runningNext(j: number): number;
  readonly runningCount: number;
  state(j: number): JobState;
  run(j: number): JobRun;
  /** start of the job's current (or last) run interval */
  startedAt(j: number): number;
  /** what the job asks of one node */
  request(j: number): ResourceRequest;
  /** the user's run-time estimate (s): requested time where the trace has it, else the duration */
  estimateS(j: number): number;
  allocation(j: number): Allocation | null;
  /** cluster draw now (W); 0 on an infinite cluster */
  readonly powerW: number;
}

/** What a policy can do. Starts that do not fit return false and change nothing. */
export interface Actions {
  /**
   * Start (or resume) job j now, on `node` or the first node where it fits; `gpus` chooses the GPU
   * indices on that node (default: the lowest-index ones that fit).
   */
  start(j: number, node?: number, gpus?: readonly number[]): boolean;
  /** Suspend a running job: it rolls back to its last checkpoint and releases its allocation. */
  suspend(j: number): void;
  /** A resume is a start of a suspended job: the startup phases run again. */
  resume(j: number, node?: number): boolean;
  /** Change a running job's allocation on its node (e.g. GPUs for demand response); false if it does not fit. */
  resize(j: number, request: ResourceRequest, rate: number): boolean;
  /** Progress rate and power factor of a running job (a power cap, as a DVFS curve gives them). */
  setPowerCap(j: number, rate: number, powerScale: number): void;
  /** Wake the policy at t with a timer event carrying job and tag. */
  wakeAt(t: number, job?: number, tag?: number): void;
}

export interface Policy {
  readonly name: string;
  /** true when the policy wants a scheduling pass at the end of an instant with ends or submissions */
  readonly wantsPass: boolean;
  onEvent(e: SimEvent, view: ClusterView, act: Actions): void;
  /** The planned end of the job's last interval, when the policy planned one (for overrun) */
  plannedEnd?(j: number): number;
  /** The plan the policy made for job j, when it made one up front */
  plannedIntervals?(j: number): readonly (readonly [number, number])[] | undefined;
  /** Called when job j finished: a policy with intervals still planned for it reports a plan error */
  onFinish?(j: number, view: ClusterView): void;
}
