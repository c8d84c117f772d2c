// The simulated cluster: the online engine's loop. Jobs arrive, an online policy starts, suspends
// and resumes them; a running job holds its allocation and advances through its phases (JobRun);
// accounting listens to the pieces each job runs and to the cluster's power. Infinite capacity is
// a cluster where every start fits: through fromPlanner it reproduces the planner path exactly.
import { seededRandom } from '../model/random.js';
import { ClusterMeter, JobMeter, type ClusterRecord } from '../accounting/meters.js';
import { outcomesOf, type JobOutcomes } from '../accounting/outcomes.js';
import { issuedView, type IssuedForecast } from '../carbon/issued.js';
import type { CarbonSignal } from '../carbon/signal.js';
import { EVENT_PRIORITY, type SimEvent } from '../engine/events.js';
import { Sim, type Handle } from '../engine/sim.js';
import { InputError } from '../errors.js';
import type { Execution, Interval } from '../model/execution.js';
import { IntervalLists } from '../model/interval-lists.js';
import { JobRun, type PieceSink } from '../model/jobrun.js';
import { arrivalOrder, JobTable, jobTableOf } from '../model/job-table.js';
import { estimateOf, requestOf, type Job } from '../model/jobs.js';
import { TIME_EPS_S } from '../model/profile.js';
import { fromPlanner } from '../policies/from-planner.js';
import type { Actions, ClusterView, JobState, Policy } from '../policies/types.js';
import type { Plan, Scheduler } from '../schedulers/types.js';
import { ClusterState, type Allocation } from './state.js';
import type { ClusterSpec, ResourceRequest } from './types.js';

export const LIFECYCLE = ['submit', 'start', 'suspend', 'resume', 'finish'] as const;
export type LifecycleKind = (typeof LIFECYCLE)[number];

/** What happened to one job, charged against the actual carbon signal. */
export interface JobResult {
  job: Job;
  /** the intervals the policy planned (a planner's plan), or those it ran */
  plan: Plan;
  execution: Execution;
  /** emissions (g) of everything the job ran */
  carbonG: number;
  /** emissions (g) of the startup phases alone, over all starts */
  startupCarbonG: number;
  /** finished after its deadline, or never */
  missed: boolean;
  /** completion delay: finish - arrival - uninterrupted duration (s) */
  waitS: number;
  /** first start - arrival (s): time in the queue */
  queueWaitS: number;
}

/** Receives lifecycle events in the engine's order; `interval` is the run interval index (-1 for submit). */
export interface SimulationListener {
  onEvent(kind: LifecycleKind, time: number, job: Job, interval: number): void;
}

export interface SimulationOptions {
  /** a planner, run through fromPlanner (one of scheduler or policy) */
  scheduler?: Scheduler;
  /** an online policy */
  policy?: Policy;
  /** a finite cluster; absent: infinite capacity, as GAIA */
  cluster?: ClusterSpec;
  /** the actual signal, used for charging */
  carbon: CarbonSignal;
  /** what policies see; default: the actual signal (oracle) */
  view?: CarbonSignal;
  /** forecasts as issued: policies see the issue in force at their decision time (instead of `view`) */
  issued?: IssuedForecast;
  /** slot length (s); default: the carbon resolution */
  slotS?: number;
  /** seed for the policies' random numbers */
  seed?: string | number;
  listeners?: SimulationListener[];
  /**
   * Instants of a power-target timeline (demand response): a 'power-target' event fires at each,
   * tag = its index in this list, job -1. The policy holds the targets themselves.
   */
  powerTargets?: readonly number[];
  /** Told every constant-power piece each job runs (job index, start, end, W, startup or not), in time order per job. */
  onPiece?: PieceListener;
}

export type PieceListener = (job: number, startS: number, endS: number, powerW: number, isStartup: boolean) => void;

export interface SimulationResult {
  /** one result per job, in input order: built on first read from `outcomes` */
  results: JobResult[];
  /** the same, read job by job without building them (summaries, streamed writers) */
  outcomes: JobOutcomes;
  scheduler: string;
  slotS: number;
  /** finite clusters: power, energy, carbon and queue over time */
  cluster?: ClusterRecord;
}

const NONE = -1;
const QUEUED = 1;
const RUNNING = 2;
const SUSPENDED = 3;
const DONE = 4;
const STATE_NAMES: JobState[] = ['future', 'queued', 'running', 'suspended', 'done'];

/**
 * Run the jobs through the online engine. Deterministic for a seed: events at one instant follow
 * the priority table (engine/events.ts), then the order they were scheduled in.
 */
export function simulate(jobs: readonly Job[] | JobTable, options: SimulationOptions): SimulationResult {
  if ((options.scheduler === undefined) === (options.policy === undefined)) throw new Error('simulate: give exactly one of scheduler and policy');
  const policy = options.policy ?? fromPlanner(options.scheduler!);
  const sim = new Simulation(jobs, { ...options, policy });
  sim.run();
  return sim.result();
}

/**
 * A simulation that can stop between events: `run()` processes events until the queue is empty,
 * or until the policy calls `pause()` from inside a handler (a learning environment's decision
 * point); then the caller may act through `actions` and call `run()` again.
 */
export class Simulation {
  private readonly world: World;
  private readonly clusterSpec: ClusterSpec | undefined;
  readonly policyName: string;
  readonly slotS: number;

  constructor(jobList: readonly Job[] | JobTable, options: SimulationOptions & { policy: Policy }) {
    const jobs = jobTableOf(jobList);
    const { carbon, policy } = options;
    if (carbon.allowNegative) throw new Error(`carbon signal ${carbon.name} is a forecast view: pass the actual signal as \`carbon\``);
    this.slotS = options.slotS ?? carbon.resolutionS;
    if (!(this.slotS > 0)) throw new InputError('bad_slot', `slot must be positive, got ${this.slotS} s`, { field: 'slot' });
    this.clusterSpec = options.cluster;
    const core = options.cluster ? new ClusterCore(options.cluster, jobs) : null;
    this.policyName = policy.name;
    this.world = new World(jobs, policy, core, carbon, options.view ?? carbon, this.slotS, options.seed ?? 0, options.listeners ?? [], options.issued, options.onPiece);
    if (options.powerTargets) this.world.schedulePowerTargets(options.powerTargets);
  }

  /** Process events; true when the simulation is over, false when the policy paused it. */
  run(): boolean {
    return this.world.runLoop();
  }

  /** Stop after the event being handled (call from inside a policy handler). */
  pause(): void {
    this.world.pause();
  }

  get done(): boolean {
    return this.world.finished;
  }

  get view(): ClusterView {
    return this.world;
  }

  get actions(): Actions {
    return this.world;
  }

  /** The results; before the end (a paused run) a snapshot of them as they stand. */
  result(): SimulationResult {
    const w = this.world;
    const live = w.results();
    let built: JobResult[] | undefined = w.finished ? undefined : live.toArray();
    const outcomes = built ? outcomesOf(built) : live;
    return {
      get results(): JobResult[] {
        return (built ??= live.toArray());
      },
      set results(value: JobResult[]) {
        built = value;
      },
      outcomes,
      scheduler: this.policyName,
      slotS: this.slotS,
      ...(this.clusterSpec && w.finished && { cluster: w.clusterRecord() }),
    };
  }
}

/** The finite part: occupancy and the check that every job can fit somewhere at all. */
class ClusterCore {
  readonly state: ClusterState;
  constructor(spec: ClusterSpec, jobs: JobTable) {
    this.state = new ClusterState(spec);
    for (let j = 0; j < jobs.length; j++) {
      const job = jobs.job(j);
      const req = requestOf(job);
      let fits = false;
      for (let n = 0; n < this.state.nodeCount && !fits; n++) fits = this.state.couldFitOn(n, req);
      if (!fits) {
        throw new InputError('job_too_large', `job "${job.id}" asks for ${describeRequest(req)}, more than any node of the cluster (${spec.source}) has`, { field: 'cluster' });
      }
    }
  }
}

export function describeRequest(req: ResourceRequest): string {
  const parts = [`${req.cpus} cpus`];
  if (req.memMiB > 0) parts.push(`${req.memMiB} MiB`);
  if (req.gpus > 0) parts.push(req.gpuMilli < 1000 ? `${req.gpuMilli}/1000 of a GPU` : `${req.gpus} GPUs`);
  return parts.join(', ');
}

class World implements ClusterView, Actions, EngineTotals {
  private readonly sim = new Sim();
  private readonly ev: SimEvent = { kind: 'pass', t: 0, job: NONE, tag: 0 };
  /** each job's run while it may still run; recycled through `pool` once it is done */
  private readonly runs: (JobRun | undefined)[];
  private readonly pool: JobRun[] = [];
  /** runs done in the event being handled: pooled only after it, so a handler's reference stays valid */
  private readonly releasing: JobRun[] = [];
  private readonly onPiece: PieceListener | undefined;
  // a done job's totals, kept when its run is recycled
  /** the result columns: a job's totals, written when it is done (or when results are read) */
  private readonly cols: ResultColumns;
  /** a done job's startup and lost-work energy, when not both 0 (for JobRun.finished); sparse */
  private readonly overheadParts = new Map<number, [startupJ: number, lostWorkJ: number]>();
  private readonly states: Uint8Array;
  private readonly finishHandles: Float64Array;
  private readonly allocations: (Allocation | null)[];
  /** the intervals each job ran, the open one ending in NaN */
  private readonly ran: IntervalLists;
  /** what each job asks of a node; built only on a finite cluster */
  private readonly requests: ResourceRequest[];
  // queue and running set: doubly linked lists over job indices, in insertion order
  private readonly qNext: Int32Array;
  private readonly qPrev: Int32Array;
  private qHead = NONE;
  private qTail = NONE;
  private qCount = 0;
  private readonly rNext: Int32Array;
  private readonly rPrev: Int32Array;
  private rHead = NONE;
  private rTail = NONE;
  private rCount = 0;
  private passAt = -Infinity;
  private readonly jobMeter: JobMeter;
  private readonly clusterMeter: ClusterMeter | null;
  private readonly random: () => number;
  readonly slotOrigin: number;

  constructor(
    private readonly jobs: JobTable,
    private readonly policy: Policy,
    private readonly core: ClusterCore | null,
    actual: CarbonSignal,
    private readonly staticView: CarbonSignal,
    readonly slotS: number,
    seed: string | number,
    private readonly listeners: SimulationListener[],
    private readonly issued?: IssuedForecast,
    onPiece?: PieceListener,
  ) {
    const n = jobs.length;
    this.runs = new Array<JobRun | undefined>(n);
    this.onPiece = onPiece;
    this.states = new Uint8Array(n); // 0: not yet submitted
    this.cols = {
      finishS: new Float64Array(n).fill(NaN),
      energyJ: new Float64Array(n),
      overheadEnergyJ: new Float64Array(n),
      starts: new Int32Array(n),
      lostWorkS: new Float64Array(n),
      missed: new Uint8Array(n).fill(1),
      waitS: new Float64Array(n).fill(NaN),
    };
    this.finishHandles = new Float64Array(n).fill(NONE);
    this.allocations = new Array<Allocation | null>(n).fill(null);
    this.ran = new IntervalLists(n);
    this.requests = core ? jobs.toArray().map(requestOf) : [];
    this.qNext = new Int32Array(n).fill(NONE);
    this.qPrev = new Int32Array(n).fill(NONE);
    this.rNext = new Int32Array(n).fill(NONE);
    this.rPrev = new Int32Array(n).fill(NONE);
    this.jobMeter = new JobMeter(n, actual);
    this.clusterMeter = core ? new ClusterMeter(actual, core.state) : null;
    const rng = seededRandom(String(seed));
    this.random = () => rng();
    this.slotOrigin = actual.start;
  }

  /** One 'power-target' event per instant, tag = index (demand response). */
  schedulePowerTargets(times: readonly number[]): void {
    for (let i = 0; i < times.length; i++) this.sim.at(times[i]!, 'power-target', NONE, i);
  }

  // ---- the loop ----

  private order: Int32Array | null = null;
  private nextArrival = 0;
  private paused = false;
  finished = false;

  pause(): void {
    this.paused = true;
  }

  runLoop(): boolean {
    if (this.finished) return true;
    const arrivalS = this.jobs.arrivalS;
    const order = (this.order ??= arrivalOrder(arrivalS) ?? Int32Array.from(arrivalS, (_, j) => j));
    const sim = this.sim;
    const arrivePriority = EVENT_PRIORITY.arrive;
    let next = this.nextArrival;
    this.paused = false;
    // Arrivals are already sorted: they are fed from the list, not pushed into the heap up front.
    const releasing = this.releasing;
    for (;;) {
      if (releasing.length > 0) {
        for (const r of releasing) this.pool.push(r);
        releasing.length = 0;
      }
      if (this.paused) {
        this.paused = false;
        this.nextArrival = next;
        return false;
      }
      const ta = next < order.length ? arrivalS[order[next]!]! : Infinity;
      const te = sim.peekTime();
      if (ta === Infinity && te === Infinity) break;
      if (ta < te || (ta === te && arrivePriority < sim.peekPriority())) {
        sim.advanceTo(ta);
        this.arrive(order[next++]!);
        continue;
      }
      sim.next();
      const ev = this.ev;
      ev.kind = sim.kind;
      ev.t = sim.now;
      ev.job = sim.job;
      ev.tag = sim.tag;
      switch (sim.kind) {
        case 'finish':
          this.finishJob(sim.job);
          break;
        case 'timer':
          this.policy.onEvent(ev, this, this);
          this.requestPass();
          break;
        case 'pass':
        case 'power-target':
          this.policy.onEvent(ev, this, this);
          break;
        case 'phase':
          break;
      }
    }
    this.nextArrival = next;
    this.finished = true;
    this.clusterMeter?.close();
    return true;
  }

  private arrive(j: number): void {
    const t = this.sim.now;
    this.states[j] = QUEUED;
    this.enqueue(j);
    this.clusterMeter?.onArrival(t, this.qCount);
    this.tell('submit', t, j, -1);
    const ev = this.ev;
    ev.kind = 'arrive';
    ev.t = t;
    ev.job = j;
    ev.tag = 0;
    this.policy.onEvent(ev, this, this);
    this.requestPass();
  }

  private finishJob(j: number): void {
    const t = this.sim.now;
    const run = this.runs[j]!;
    // the uninterrupted rest, as executePlan's last interval runs it: the same pieces, the same bits
    this.jobMeter.advance(j, run, Infinity);
    if (!run.done || run.finish !== t) throw new Error(`internal: job ${this.jobs.job(j).id} was not done at its finish event (${t} s)`);
    this.endInterval(j, run.finish);
    this.states[j] = DONE;
    this.finishHandles[j] = NONE;
    this.tell('finish', t, j, run.starts - 1);
    this.policy.onFinish?.(j, this);
    const ev = this.ev;
    ev.kind = 'finish';
    ev.t = t;
    ev.job = j;
    ev.tag = 0;
    this.policy.onEvent(ev, this, this);
    this.retire(j);
    this.requestPass();
  }

  /** A job's run when it may run: its own, a pooled one or a new one. */
  private runOf(j: number): JobRun {
    let run = this.runs[j];
    if (run === undefined) {
      const profile = this.jobs.profiles[j]!;
      run = this.pool.pop();
      if (run === undefined) run = this.onPiece ? new ListenedRun(profile, this.onPiece) : new JobRun(profile);
      else run.reset(profile);
      if (this.onPiece) (run as ListenedRun).job = j;
      this.runs[j] = run;
    }
    return run;
  }

  /** Keep a done job's totals and recycle its run (after the event being handled). */
  private retire(j: number): void {
    const run = this.runs[j]!;
    writeTotals(this.cols, j, run, this.jobs);
    if (run.startupEnergyJ !== 0 || run.lostWorkEnergyJ !== 0) this.overheadParts.set(j, [run.startupEnergyJ, run.lostWorkEnergyJ]);
    this.runs[j] = undefined;
    this.releasing.push(run);
  }

  private requestPass(): void {
    const t = this.sim.now;
    if (this.passAt !== t && this.policy.wantsPass) {
      this.passAt = t;
      this.sim.at(t, 'pass');
    }
  }

  // ---- actions ----

  start(j: number, node?: number, gpus?: readonly number[]): boolean {
    const state = this.states[j];
    if (state !== QUEUED && state !== SUSPENDED) throw new Error(`cannot start job "${this.jobs.job(j).id}": it is ${STATE_NAMES[state!]}`);
    const t = this.sim.now;
    if (this.core) {
      const cs = this.core.state;
      const req = this.requests[j]!;
      const n = node ?? cs.firstFit(req);
      if (n < 0 || !cs.fitsOn(n, req)) return false;
      if (gpus && !chosenGpusFit(cs, n, req, gpus)) return false;
      this.allocations[j] = cs.allocate(n, req, gpus);
      this.clusterMeter!.onPower(t, cs);
    }
    if (state === QUEUED) {
      this.dequeue(j);
      this.clusterMeter?.onQueue(t, this.qCount);
    }
    const run = this.runOf(j);
    run.start(t);
    this.states[j] = RUNNING;
    this.ran.push(j, t, NaN);
    this.addRunning(j);
    this.finishHandles[j] = this.sim.at(run.projectedFinish(), 'finish', j);
    const kind = run.starts === 1 ? 'start' : 'resume';
    this.tell(kind, t, j, run.starts - 1);
    return true;
  }

  resume(j: number, node?: number): boolean {
    if (this.states[j] !== SUSPENDED) throw new Error(`cannot resume job "${this.jobs.job(j).id}": it is ${STATE_NAMES[this.states[j]!]}`);
    return this.start(j, node);
  }

  suspend(j: number): void {
    if (this.states[j] !== RUNNING) throw new Error(`cannot suspend job "${this.jobs.job(j).id}": it is ${STATE_NAMES[this.states[j]!]}`);
    const t = this.sim.now;
    const run = this.runs[j]!;
    this.jobMeter.stop(j, run, t);
    if (run.done) {
      // the work ended within the time tolerance of the stop: it finishes now
      this.sim.cancel(this.finishHandles[j]!);
      this.finishJobAt(j);
      return;
    }
    this.sim.cancel(this.finishHandles[j]!);
    this.finishHandles[j] = NONE;
    this.endInterval(j, t);
    this.states[j] = SUSPENDED;
    this.tell('suspend', t, j, run.starts - 1);
    this.requestPass();
  }

  resize(j: number, request: ResourceRequest, rate: number): boolean {
    if (this.states[j] !== RUNNING) throw new Error(`cannot resize job "${this.jobs.job(j).id}": it is not running`);
    const t = this.sim.now;
    if (this.core) {
      const cs = this.core.state;
      const old = this.allocations[j]!;
      cs.release(old);
      if (!cs.fitsOn(old.node, request)) {
        this.allocations[j] = cs.allocate(old.node, this.requests[j]!, old.gpus);
        return false;
      }
      this.allocations[j] = cs.allocate(old.node, request);
      this.requests[j] = request;
      this.clusterMeter!.onPower(t, cs);
    }
    this.setPowerCap(j, rate, this.runs[j]!.powerScale);
    return true;
  }

  setPowerCap(j: number, rate: number, powerScale: number): void {
    const run = this.runs[j]!;
    const t = this.sim.now;
    if (run.running) this.jobMeter.advance(j, run, t);
    run.setRate(t, rate, powerScale);
    if (run.running) {
      this.sim.cancel(this.finishHandles[j]!);
      this.finishHandles[j] = this.sim.at(run.projectedFinish(), 'finish', j);
    }
  }

  wakeAt(t: number, job = NONE, tag = 0): void {
    this.sim.at(t, 'timer', job, tag);
  }

  // ---- view ----

  get jobCount(): number {
    return this.jobs.length;
  }
  job(j: number): Job {
    return this.jobs.job(j);
  }

  get now(): number {
    return this.sim.now;
  }
  /** the forecast issued last before now, or the static view */
  get carbon(): CarbonSignal {
    return this.issued ? issuedView(this.issued, this.sim.now) : this.staticView;
  }
  get cluster(): ClusterState | null {
    return this.core?.state ?? null;
  }
  get powerW(): number {
    return this.core?.state.powerW ?? 0;
  }
  rng(): number {
    return this.random();
  }
  queueHead(): number {
    return this.qHead;
  }
  queueNext(j: number): number {
    return this.qNext[j]!;
  }
  get queueLength(): number {
    return this.qCount;
  }
  runningHead(): number {
    return this.rHead;
  }
  runningNext(j: number): number {
    return this.rNext[j]!;
  }
  get runningCount(): number {
    return this.rCount;
  }
  state(j: number): JobState {
    return STATE_NAMES[this.states[j]!]!;
  }
  run(j: number): JobRun {
    const run = this.runs[j];
    if (run !== undefined) return run;
    if (this.states[j] === DONE) {
      // done and recycled: a finished run with its totals
      const c = this.cols;
      const [startupJ, lostJ] = this.overheadParts.get(j) ?? [0, 0];
      return JobRun.finished(this.jobs.profiles[j]!, c.finishS[j]!, c.energyJ[j]!, startupJ, lostJ, c.lostWorkS[j]!, c.starts[j]!);
    }
    return this.runOf(j);
  }
  startedAt(j: number): number {
    return this.ran.lastStart(j);
  }
  request(j: number): ResourceRequest {
    return this.requests[j] ?? requestOf(this.jobs.job(j));
  }
  estimateS(j: number): number {
    return estimateOf(this.jobs.job(j));
  }
  allocation(j: number): Allocation | null {
    return this.allocations[j] ?? null;
  }

  // ---- results ----

  /**
   * The jobs' results as they stand: the result columns, with the totals of the runs not yet done
   * written in (into copies while the simulation may still go on).
   */
  results(): JobResults {
    const c = this.cols;
    const cols: ResultColumns = this.finished
      ? c
      : {
          finishS: c.finishS.slice(),
          energyJ: c.energyJ.slice(),
          overheadEnergyJ: c.overheadEnergyJ.slice(),
          starts: c.starts.slice(),
          lostWorkS: c.lostWorkS.slice(),
          missed: c.missed.slice(),
          waitS: c.waitS.slice(),
        };
    for (let j = 0; j < this.runs.length; j++) {
      const run = this.runs[j];
      if (run !== undefined) writeTotals(cols, j, run, this.jobs);
    }
    return new JobResults(this.jobs, cols, this);
  }

  firstStart(j: number): number {
    return this.ran.firstStart(j);
  }

  /** Job j's ran intervals. */
  ranIntervals(j: number): Interval[] {
    return this.ran.list(j);
  }

  carbonG(j: number): number {
    return this.jobMeter.carbonG(j);
  }

  startupCarbonG(j: number): number {
    return this.jobMeter.startupCarbonG(j);
  }

  plannedEnd(j: number): number | undefined {
    return this.policy.plannedEnd?.(j);
  }

  plannedIntervals(j: number): readonly Interval[] | undefined {
    return this.policy.plannedIntervals?.(j) as readonly Interval[] | undefined;
  }

  clusterRecord(): ClusterRecord {
    return this.clusterMeter!.record();
  }

  // ---- internals ----

  private finishJobAt(j: number): void {
    const t = this.sim.now;
    const run = this.runs[j]!;
    this.endInterval(j, run.finish);
    this.states[j] = DONE;
    this.finishHandles[j] = NONE;
    this.tell('finish', t, j, run.starts - 1);
    this.policy.onFinish?.(j, this);
    this.retire(j);
    this.requestPass();
  }

  /** Tell the listeners; the job object is built only when there are any. */
  private tell(kind: LifecycleKind, t: number, j: number, interval: number): void {
    const listeners = this.listeners;
    if (listeners.length === 0) return;
    const job = this.jobs.job(j);
    for (const l of listeners) l.onEvent(kind, t, job, interval);
  }

  private endInterval(j: number, end: number): void {
    this.ran.setLastEnd(j, end);
    this.removeRunning(j);
    if (this.core) {
      const a = this.allocations[j]!;
      this.core.state.release(a);
      this.allocations[j] = null;
      this.clusterMeter!.onPower(this.sim.now, this.core.state);
    }
  }

  private enqueue(j: number): void {
    this.qPrev[j] = this.qTail;
    this.qNext[j] = NONE;
    if (this.qTail !== NONE) this.qNext[this.qTail] = j;
    else this.qHead = j;
    this.qTail = j;
    this.qCount++;
  }

  private dequeue(j: number): void {
    const p = this.qPrev[j]!;
    const n = this.qNext[j]!;
    if (p !== NONE) this.qNext[p] = n;
    else this.qHead = n;
    if (n !== NONE) this.qPrev[n] = p;
    else this.qTail = p;
    this.qCount--;
  }

  private addRunning(j: number): void {
    this.rPrev[j] = this.rTail;
    this.rNext[j] = NONE;
    if (this.rTail !== NONE) this.rNext[this.rTail] = j;
    else this.rHead = j;
    this.rTail = j;
    this.rCount++;
  }

  private removeRunning(j: number): void {
    const p = this.rPrev[j]!;
    const n = this.rNext[j]!;
    if (p !== NONE) this.rNext[p] = n;
    else this.rHead = n;
    if (n !== NONE) this.rPrev[n] = p;
    else this.rTail = p;
    this.rCount--;
  }
}

/** Whether the chosen GPUs of node n are distinct, as many as the request asks, and each has its share free. */
function chosenGpusFit(cs: ClusterState, n: number, req: ResourceRequest, gpus: readonly number[]): boolean {
  if (gpus.length !== req.gpus || new Set(gpus).size !== gpus.length) return false;
  const base = cs.gpuBase[n]!;
  const count = cs.gpuBase[n + 1]! - base;
  const need = req.gpuMilli < 1000 ? req.gpuMilli : 1000;
  return gpus.every((g) => Number.isInteger(g) && g >= 0 && g < count && cs.gpuFree[base + g]! >= need);
}

/** A run that also tells a listener every piece it produces (SimulationOptions.onPiece). */
class ListenedRun extends JobRun {
  /** the job it runs now (runs are recycled) */
  job = NONE;
  private outer: PieceSink | undefined;
  private readonly both: PieceSink;

  constructor(profile: JobRun['profile'], listener: PieceListener) {
    super(profile);
    this.both = (a, b, p, startup) => {
      this.outer?.(a, b, p, startup);
      listener(this.job, a, b, p, startup);
    };
  }

  override advance(e: number, sink?: PieceSink): void {
    this.outer = sink;
    super.advance(e, this.both);
    this.outer = undefined;
  }
}

/** finish - arrival - duration; a difference within the engine's time tolerance is 0, not float noise. */
function completionDelay(jobs: JobTable, j: number, finish: number): number {
  const wait = finish - jobs.arrivalS[j]! - jobs.profiles[j]!.durationS;
  return Math.abs(wait) < TIME_EPS_S ? 0 : wait;
}

export type { Handle };

/** Per-job totals of a run, by job index. */
export interface ResultColumns {
  /** instant the work completed; NaN when it did not */
  finishS: Float64Array;
  energyJ: Float64Array;
  /** energy beyond one uninterrupted run (JobRun.overheadEnergyJ) */
  overheadEnergyJ: Float64Array;
  starts: Int32Array;
  lostWorkS: Float64Array;
  /** 1: finished after the deadline, or never */
  missed: Uint8Array;
  /** completion delay (s); NaN when never finished */
  waitS: Float64Array;
}

function writeTotals(c: ResultColumns, j: number, run: JobRun, jobs: JobTable): void {
  c.finishS[j] = run.finish;
  // written when the job is done: a summary then reads these columns only
  c.missed[j] = run.finish <= jobs.deadlineS[j]! + TIME_EPS_S ? 0 : 1;
  c.waitS[j] = completionDelay(jobs, j, run.finish);
  c.energyJ[j] = run.energyJ;
  c.overheadEnergyJ[j] = run.overheadEnergyJ;
  c.starts[j] = run.starts;
  c.lostWorkS[j] = run.lostWorkS;
}

/** What JobResults reads of the engine beyond the columns. */
export interface EngineTotals {
  /** the first start (NaN when never started): that of the first interval run */
  firstStart(j: number): number;
  carbonG(j: number): number;
  startupCarbonG(j: number): number;
  ranIntervals(j: number): Interval[];
  plannedEnd(j: number): number | undefined;
  plannedIntervals(j: number): readonly Interval[] | undefined;
}

/**
 * A run's per-job results as the engine keeps them (columns, interval lists): read job by job
 * (JobOutcomes) without building a JobResult each; `at(j)` builds one, `toArray()` all of them.
 */
export class JobResults implements JobOutcomes {
  readonly length: number;

  constructor(
    readonly jobs: JobTable,
    readonly columns: ResultColumns,
    private readonly world: EngineTotals,
  ) {
    this.length = jobs.length;
  }

  job(j: number): Job {
    return this.jobs.job(j);
  }
  startS(j: number): number {
    return this.world.firstStart(j);
  }
  finishS(j: number): number {
    return this.columns.finishS[j]!;
  }
  energyJ(j: number): number {
    return this.columns.energyJ[j]!;
  }
  overheadEnergyJ(j: number): number {
    return this.columns.overheadEnergyJ[j]!;
  }
  starts(j: number): number {
    return this.columns.starts[j]!;
  }
  carbonG(j: number): number {
    return this.world.carbonG(j);
  }
  missed(j: number): boolean {
    return this.columns.missed[j] === 1;
  }
  waitS(j: number): number {
    return this.columns.waitS[j]!;
  }
  queueWaitS(j: number): number {
    return this.world.firstStart(j) - this.jobs.arrivalS[j]!;
  }
  intervals(j: number): Interval[] {
    return this.world.ranIntervals(j);
  }

  /** Job j's result. */
  at(j: number): JobResult {
    const w = this.world;
    const finish = this.finishS(j);
    const ran = w.ranIntervals(j);
    const plannedEnd = w.plannedEnd(j);
    const overrunS = plannedEnd !== undefined && finish > plannedEnd ? finish - plannedEnd : 0;
    const execution: Execution = {
      intervals: ran,
      start: ran.length > 0 ? ran[0]![0] : NaN,
      finish,
      energyJ: this.energyJ(j),
      overheadEnergyJ: this.overheadEnergyJ(j),
      starts: this.starts(j),
      lostWorkS: this.columns.lostWorkS[j]!,
      overrunS,
    };
    const planned = w.plannedIntervals(j);
    return {
      job: this.jobs.job(j),
      plan: { intervals: (planned ?? w.ranIntervals(j)) as Interval[] },
      execution,
      carbonG: w.carbonG(j),
      startupCarbonG: w.startupCarbonG(j),
      missed: this.missed(j),
      waitS: this.waitS(j),
      queueWaitS: this.queueWaitS(j),
    };
  }

  toArray(): JobResult[] {
    const out: JobResult[] = new Array(this.length);
    for (let j = 0; j < this.length; j++) out[j] = this.at(j);
    return out;
  }
}
