// The execution model, incremental: one job's run as a state machine the online engine drives.
// start() begins the startup phases, advance() runs the job up to an instant, stop() rolls the work
// back to the last checkpoint. executePlan (execution.ts) is a fold over it, so the planner path and
// the online engine share one set of rules (DESIGN.md, execution semantics).
import { checkpointAt, TIME_EPS_S, workEnergyBetween, workPhaseIndexAt, type CompiledProfile, type Phase } from './profile.js';

/** Receives every constant-power piece a run produces, in time order. */
export type PieceSink = (startS: number, endS: number, powerW: number, isStartup: boolean) => void;

const IDLE = 0;
const STARTUP = 1;
const WORK = 2;
const DONE = 3;

/**
 * One job's run. Floats are computed exactly as one pass over a plan would compute them: a piece
 * ends at the phase end fixed when the phase began, or at the instant the run is advanced to, so
 * driving it event by event gives the same bits as folding a whole plan.
 */
export class JobRun {
  /** seconds of work done (saved progress while stopped) */
  progress = 0;
  energyJ = 0;
  /** energy of every startup (and resume) piece run */
  startupEnergyJ = 0;
  /** energy of the work rolled back at stops: work that must be done again */
  lostWorkEnergyJ = 0;
  /** seconds of work rolled back, summed over stops */
  lostWorkS = 0;
  /** times started */
  starts = 0;
  /** instant the work completed; NaN until then */
  finish = NaN;
  /** work progress per second of run time (1 = full speed; power caps lower it) */
  rate = 1;
  /** factor on every phase's power (a power cap's draw relative to the profile) */
  powerScale = 1;

  private stage = IDLE;
  /** instant the run has been advanced to */
  private t = 0;
  /** index of the current startup or work phase */
  private phase = 0;
  /** end of the current startup phase, fixed when it began */
  private phaseEnd = 0;
  /**
   * The start phases of the current interval: the startup phases at the first start, the profile's
   * resume phases at every later one (the same array as startup when the profile has no resume list).
   */
  private startupPhases: readonly Phase[] = [];

  constructor(public profile: CompiledProfile) {}

  /** Make this a fresh, never-started run of `profile` (the engine pools runs between jobs). */
  reset(profile: CompiledProfile): void {
    this.profile = profile;
    this.progress = 0;
    this.energyJ = 0;
    this.startupEnergyJ = 0;
    this.lostWorkEnergyJ = 0;
    this.lostWorkS = 0;
    this.starts = 0;
    this.finish = NaN;
    this.rate = 1;
    this.powerScale = 1;
    this.stage = IDLE;
    this.t = 0;
    this.phase = 0;
    this.phaseEnd = 0;
    this.startupPhases = [];
  }

  /**
   * A finished run with these totals, not attached to the engine: what a policy sees of a job whose
   * run the engine has recycled.
   */
  static finished(profile: CompiledProfile, finish: number, energyJ: number, startupEnergyJ: number, lostWorkEnergyJ: number, lostWorkS: number, starts: number): JobRun {
    const run = new JobRun(profile);
    run.progress = profile.workDurationS;
    run.energyJ = energyJ;
    run.startupEnergyJ = startupEnergyJ;
    run.lostWorkEnergyJ = lostWorkEnergyJ;
    run.lostWorkS = lostWorkS;
    run.starts = starts;
    run.finish = finish;
    run.t = finish;
    run.stage = DONE;
    return run;
  }

  get running(): boolean {
    return this.stage === STARTUP || this.stage === WORK;
  }

  get done(): boolean {
    return this.stage === DONE;
  }

  /** Power drawn now (W): the current phase's, 0 when not running. */
  get powerW(): number {
    if (this.stage === STARTUP) return this.startupPhases[this.phase]!.power * this.powerScale;
    // past the last work phase (a start whose saved progress is all the work: it finishes at once)
    if (this.stage === WORK) return this.phase < this.profile.work.length ? this.profile.work[this.phase]!.power * this.powerScale : 0;
    return 0;
  }

  /**
   * Energy beyond one uninterrupted run, by construction: the startups beyond the first (resume
   * phases included) plus the work lost at stops. Exactly 0 for a job that never paid either,
   * rather than the rounding residue of subtracting two sums.
   */
  get overheadEnergyJ(): number {
    if (this.starts === 0) return 0;
    return this.startupEnergyJ - this.profile.startupEnergyJ + this.lostWorkEnergyJ;
  }

  /** Begin an interval at t: the startup phases run again at every start (the resume phases after the first). */
  start(t: number): void {
    if (this.running || this.stage === DONE) throw new Error('JobRun.start: the job is running or done');
    this.starts++;
    const profile = this.profile;
    this.startupPhases = this.starts === 1 ? profile.startup : profile.resume;
    this.t = t;
    if (profile.singleWorkPowerW === profile.singleWorkPowerW) {
      // no startup, one work phase: what nextStartupPhase would set, without reading the phase
      // lists (past the phase when the saved progress is all the work: a checkpoint within
      // TIME_EPS_S of the end rolls a stop forward to it)
      this.stage = WORK;
      this.phase = this.progress < profile.workDurationS ? 0 : 1;
      return;
    }
    this.stage = STARTUP;
    this.phase = -1;
    this.nextStartupPhase();
  }

  /**
   * The next instant the run's power changes or the job finishes (Infinity when not running).
   * The online engine schedules a phase event there.
   */
  nextChange(): number {
    if (this.stage === STARTUP) return this.phaseEnd;
    if (this.stage === WORK) return this.phase < this.profile.workEnds.length ? this.t + (this.profile.workEnds[this.phase]! - this.progress) / this.rate : this.t;
    return Infinity;
  }

  /**
   * The instant the job would finish if it ran on uninterrupted at the current rate: the same
   * additions advance(Infinity) makes, so the finish event lands on the exact finish.
   */
  projectedFinish(): number {
    if (!this.running) return Infinity;
    const profile = this.profile;
    if (this.stage === WORK && profile.singleWorkPowerW === profile.singleWorkPowerW) {
      // the loop below over one phase ending at workDurationS
      const need = profile.workDurationS - this.progress;
      return need > 0 ? this.t + need / this.rate : this.t;
    }
    let t = this.t;
    let phase = this.phase;
    if (this.stage === STARTUP) {
      t = this.phaseEnd;
      const startup = this.startupPhases;
      for (let j = phase + 1; j < startup.length; j++) {
        const d = startup[j]!.duration;
        if (d > 0) t = t + d;
      }
      phase = workPhaseIndexAt(profile, this.progress);
    }
    let progress = this.progress;
    const workEnds = profile.workEnds;
    for (; phase < workEnds.length; phase++) {
      const need = workEnds[phase]! - progress;
      if (need > 0) {
        t = t + need / this.rate;
        progress = workEnds[phase]!;
      }
    }
    return t;
  }

  /**
   * Run up to instant e, sending each constant-power piece to `sink`. A work phase that would end
   * within TIME_EPS_S after e is complete at e (a float residue is no progress); one that ends
   * later is cut at e with the progress made so far.
   */
  advance(e: number, sink?: PieceSink): void {
    const profile = this.profile;
    while (this.stage === STARTUP && this.t < e) {
      const phase = this.startupPhases[this.phase]!;
      const pe = Math.min(this.phaseEnd, e);
      const power = phase.power * this.powerScale;
      const e0 = (pe - this.t) * power;
      this.energyJ += e0;
      this.startupEnergyJ += e0;
      sink?.(this.t, pe, power, true);
      this.t = pe;
      if (pe === this.phaseEnd) this.nextStartupPhase();
    }
    if (this.stage !== WORK) return;
    if (profile.singleWorkPowerW === profile.singleWorkPowerW) {
      // one work phase, ending at workDurationS: the loop below without reading the phase lists
      if (this.phase === 0 && !(e - this.t <= TIME_EPS_S)) {
        if (profile.workDurationS - this.progress > 0 && !this.workUntil(e, profile.workDurationS, profile.singleWorkPowerW, sink)) return;
        this.phase = 1;
      }
    } else {
      const work = profile.work;
      const workEnds = profile.workEnds;
      while (this.phase < work.length) {
        if (e - this.t <= TIME_EPS_S) break;
        if (workEnds[this.phase]! - this.progress > 0) {
          if (!this.workUntil(e, workEnds[this.phase]!, work[this.phase]!.power, sink)) return;
          this.phase++;
          this.skipEmptyWorkPhases();
          continue;
        }
        this.phase++;
      }
    }
    if (this.progress >= profile.workDurationS) {
      this.progress = profile.workDurationS;
      this.finish = this.t;
      this.stage = DONE;
    }
  }

  /**
   * Run the current work phase, which ends at progress `phaseEnd` and draws `powerW` (before the
   * power factor), up to instant e: true when it completed (an end within TIME_EPS_S after e
   * counts), false when it was cut at e with the progress made so far.
   */
  private workUntil(e: number, phaseEnd: number, powerW: number, sink: PieceSink | undefined): boolean {
    const power = powerW * this.powerScale;
    const end = this.t + (phaseEnd - this.progress) / this.rate;
    if (end <= e + TIME_EPS_S) {
      const pe = Math.min(end, e);
      this.energyJ += (pe - this.t) * power;
      sink?.(this.t, pe, power, false);
      this.t = pe;
      this.progress = phaseEnd;
      return true;
    }
    this.energyJ += (e - this.t) * power;
    sink?.(this.t, e, power, false);
    this.progress += (e - this.t) * this.rate;
    this.t = e;
    return false;
  }

  /** End the interval at e (after advancing to it): progress rolls back to the last checkpoint. */
  stop(e: number, sink?: PieceSink): void {
    this.advance(e, sink);
    if (this.stage === DONE) return;
    const kept = checkpointAt(this.profile, this.progress);
    // at the power factor in force now: exact unless a cap changed within the lost stretch
    if (kept < this.progress) this.lostWorkEnergyJ += workEnergyBetween(this.profile, kept, this.progress) * this.powerScale;
    this.lostWorkS += this.progress - kept;
    this.progress = kept;
    this.stage = IDLE;
  }

  /**
   * Change the progress rate and power factor at t (a power cap). The run is advanced to t first,
   * so the pieces before t keep the old draw.
   */
  setRate(t: number, rate: number, powerScale: number, sink?: PieceSink): void {
    if (!(rate > 0) || !(powerScale >= 0)) throw new Error(`JobRun.setRate: rate ${rate} and power factor ${powerScale} must be positive`);
    if (this.running) this.advance(t, sink);
    this.rate = rate;
    this.powerScale = powerScale;
  }

  /** Move to the next startup phase of positive duration, or to the work phases. */
  private nextStartupPhase(): void {
    const startup: readonly Phase[] = this.startupPhases;
    let j = this.phase + 1;
    while (j < startup.length && startup[j]!.duration <= 0) j++;
    if (j < startup.length) {
      this.phase = j;
      this.phaseEnd = this.t + startup[j]!.duration;
      return;
    }
    this.stage = WORK;
    this.phase = workPhaseIndexAt(this.profile, this.progress);
    this.skipEmptyWorkPhases();
  }

  private skipEmptyWorkPhases(): void {
    const workEnds = this.profile.workEnds;
    while (this.phase < workEnds.length && workEnds[this.phase]! - this.progress <= 0) this.phase++;
  }
}
