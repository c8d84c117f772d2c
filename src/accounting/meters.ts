// Accounting by listening: per-job energy and carbon from the pieces each run produces, cluster
// energy and carbon from the cluster's power changes (SimGrid's energy plugin is the model).
// One emissions integral serves both: power x intensity over a constant-power piece.
import { emissionsWeight } from '../carbon/emissions.js';
import { JOULES_PER_KWH, type CarbonSignal } from '../carbon/signal.js';
import type { ClusterState } from '../cluster/state.js';
import type { JobRun, PieceSink } from '../model/jobrun.js';



/** Per-job carbon of every piece run, total and startup share. */
export class JobMeter {
  private readonly total: Float64Array;
  private readonly startup: Float64Array;
  private job = 0;
  private readonly sink: PieceSink;

  constructor(jobs: number, carbon: CarbonSignal) {
    this.total = new Float64Array(jobs);
    this.startup = new Float64Array(jobs);
    const total = this.total;
    const startup = this.startup;
    // One sink for all jobs, aimed by `job`: no closure per event.
    this.sink = (a, b, p, isStartup) => {
      const g = emissionsWeight(p, a, b, carbon);
      if (g === 0) return;
      total[this.job] = total[this.job]! + g;
      if (isStartup) startup[this.job] = startup[this.job]! + g;
    };
  }

  advance(j: number, run: JobRun, t: number): void {
    this.job = j;
    run.advance(t, this.sink);
  }

  stop(j: number, run: JobRun, t: number): void {
    this.job = j;
    run.stop(t, this.sink);
  }

  /** emissions (g) of everything job j ran */
  carbonG(j: number): number {
    return this.total[j]! / JOULES_PER_KWH;
  }

  /** emissions (g) of job j's startup phases */
  startupCarbonG(j: number): number {
    return this.startup[j]! / JOULES_PER_KWH;
  }
}

/** Cluster power, energy, carbon and queue length over time (finite clusters). */
export interface ClusterRecord {
  /** first submit to last end (s) */
  makespanS: number;
  startS: number;
  endS: number;
  /** every device, idle draw included */
  energyJ: number;
  /** the idle devices' share of energyJ */
  idleEnergyJ: number;
  carbonG: number;
  /** busy CPU-seconds / (CPUs x makespan) */
  utilisation: number;
  capacityCpus: number;
  /** power steps: powerW[i] holds from powerT[i] to powerT[i + 1] (the last to endS) */
  powerT: Float64Array;
  powerW: Float64Array;
  /** queue length steps, as power */
  queueT: Float64Array;
  queueN: Float64Array;
  /** time-weighted mean and maximum queue length */
  meanQueueLength: number;
  maxQueueLength: number;
}

/** Grows a pair of step series without per-change allocation. */
class Steps {
  t = new Float64Array(256);
  v = new Float64Array(256);
  n = 0;
  push(t: number, v: number): void {
    if (this.n > 0 && this.t[this.n - 1] === t) {
      this.v[this.n - 1] = v;
      if (this.n > 1 && this.v[this.n - 2] === v) this.n--;
      return;
    }
    if (this.n > 0 && this.v[this.n - 1] === v) return;
    if (this.n === this.t.length) {
      const t2 = new Float64Array(this.n * 2);
      const v2 = new Float64Array(this.n * 2);
      t2.set(this.t);
      v2.set(this.v);
      this.t = t2;
      this.v = v2;
    }
    this.t[this.n] = t;
    this.v[this.n] = v;
    this.n++;
  }
}

export class ClusterMeter {
  private started = false;
  private lastT = 0;
  private lastW = 0;
  private lastIdleW = 0;
  private lastBusy = 0;
  private lastQueue = 0;
  private lastQueueT = 0;
  private endT = 0;
  private energyJ = 0;
  private idleJ = 0;
  private carbonWeight = 0;
  private busyCpuS = 0;
  private queueArea = 0;
  private maxQueue = 0;
  private readonly power = new Steps();
  private readonly queue = new Steps();

  constructor(
    private readonly carbon: CarbonSignal,
    private readonly state: ClusterState,
  ) {}

  /** The cluster is metered from the first submission on. */
  onArrival(t: number, queueLength: number): void {
    if (!this.started) {
      this.started = true;
      this.lastT = t;
      this.lastQueueT = t;
      this.endT = t;
      this.lastW = this.state.powerW;
      this.lastIdleW = this.state.idlePowerW;
      this.lastBusy = this.state.busyCpus;
      this.power.push(t, this.lastW);
    }
    this.onQueue(t, queueLength);
  }

  onQueue(t: number, queueLength: number): void {
    this.queueArea += this.lastQueue * (t - this.lastQueueT);
    this.lastQueueT = t;
    this.lastQueue = queueLength;
    if (queueLength > this.maxQueue) this.maxQueue = queueLength;
    this.queue.push(t, queueLength);
  }

  /** The cluster's draw changed at t (an allocation or a release). */
  onPower(t: number, state: ClusterState): void {
    this.integrateTo(t);
    this.lastW = state.powerW;
    this.lastIdleW = state.idlePowerW;
    this.lastBusy = state.busyCpus;
    this.power.push(t, this.lastW);
    this.endT = t;
  }

  /** Stop metering at the last change of occupancy: the last end. */
  close(): void {
    this.integrateTo(this.endT);
    this.queueArea += this.lastQueue * (this.endT - this.lastQueueT);
    this.lastQueueT = this.endT;
  }

  record(): ClusterRecord {
    const capacityCpus = this.state.capacityCpus;
    const startS = this.power.n > 0 ? this.power.t[0]! : 0;
    const makespanS = this.endT - startS;
    return {
      makespanS,
      startS,
      endS: this.endT,
      energyJ: this.energyJ,
      idleEnergyJ: this.idleJ,
      carbonG: this.carbonWeight / JOULES_PER_KWH,
      utilisation: makespanS > 0 ? this.busyCpuS / (capacityCpus * makespanS) : 0,
      capacityCpus,
      powerT: this.power.t.slice(0, this.power.n),
      powerW: this.power.v.slice(0, this.power.n),
      queueT: this.queue.t.slice(0, this.queue.n),
      queueN: this.queue.v.slice(0, this.queue.n),
      meanQueueLength: makespanS > 0 ? this.queueArea / makespanS : 0,
      maxQueueLength: this.maxQueue,
    };
  }

  private integrateTo(t: number): void {
    if (!this.started || !(t > this.lastT)) return;
    const dt = t - this.lastT;
    this.energyJ += this.lastW * dt;
    this.idleJ += this.lastIdleW * dt;
    this.busyCpuS += this.lastBusy * dt;
    this.carbonWeight += emissionsWeight(this.lastW, this.lastT, t, this.carbon);
    this.lastT = t;
  }
}
