import { InputError } from '../errors.js';

// Phased power model (Opitz 2024, thesis section 4.1.2, listing 4.4).
// A job is startup phases (repeated at every (re)start) followed by work phases; a checkpoint
// phase saves progress at its end.

/** One phase of a job: constant power for a fixed duration. */
export interface Phase {
  name: string;
  /** seconds */
  duration: number;
  /** watts */
  power: number;
  /** progress is saved when this phase ends */
  isCheckpoint?: boolean;
}

/**
 * The job model of listing 4.4: startup phases run at every start, then the work phases.
 * `resume` (optional, carbon-sim's extension): the phases that run instead of the startup at every
 * start after the first (a resumed job may start faster, e.g. its data is already downloaded).
 * Absent: every start runs the startup phases, as in the thesis.
 */
export interface PowerProfile {
  startup: Phase[];
  work: Phase[];
  resume?: Phase[];
}

/**
 * A profile with its prefix sums precomputed, so power, energy and checkpoint look-ups never
 * loop over seconds. Work progress is measured in seconds of work done (0 .. workDurationS).
 */
export interface CompiledProfile {
  readonly startup: readonly Phase[];
  readonly work: readonly Phase[];
  readonly startupDurationS: number;
  readonly startupEnergyJ: number;
  /**
   * Phases run at every start after the first, in place of the startup phases: the profile's
   * `resume` list, or the very same array as `startup` when it has none.
   */
  readonly resume: readonly Phase[];
  /** true when the profile has its own resume list (resume !== startup) */
  readonly hasResume: boolean;
  readonly resumeDurationS: number;
  readonly resumeEnergyJ: number;
  readonly workDurationS: number;
  /**
   * The power of the one work phase of a profile without startup or resume phases (a constant job:
   * most traces are all of them); NaN otherwise. JobRun runs such a profile from this and
   * workDurationS alone, without reading the phase lists.
   */
  readonly singleWorkPowerW: number;
  readonly workEnergyJ: number;
  /** startup + work: one uninterrupted run */
  readonly durationS: number;
  readonly energyJ: number;
  /** workEnds[i]: progress at the end of work phase i */
  readonly workEnds: readonly number[];
  /** workEnergyAt[i]: energy (J) of work up to workEnds[i] */
  readonly workEnergyAt: readonly number[];
  /** progress values saved by checkpoint phases, ascending; empty when the job saves continuously */
  readonly checkpoints: readonly number[];
  /** true when the job has no checkpoint phase: every instant of progress is kept */
  readonly savesContinuously: boolean;
  /**
   * One uninterrupted run as power steps: runOffsets[0] = 0 < ... < runOffsets[k] = durationS,
   * runPowers[j] holds on [runOffsets[j], runOffsets[j+1]), runPowers[k] = 0. Zero-length phases
   * are dropped and equal neighbours merged. For schedulers that slide the profile over carbon.
   */
  readonly runOffsets: readonly number[];
  readonly runPowers: readonly number[];
}

/** Tolerance (s) for comparing instants: an interval ending within it of a checkpoint reaches it. */
export const TIME_EPS_S = 1e-7;

export class ProfileError extends InputError {
  constructor(message: string, field: string) {
    super('bad_profile', message, { field });
    this.name = 'ProfileError';
  }
}

function checkPhase(phase: Phase, where: string): void {
  if (!Number.isFinite(phase.duration) || phase.duration < 0) {
    throw new ProfileError(`${where} "${phase.name}" has invalid duration ${phase.duration} s`, 'duration');
  }
  if (!Number.isFinite(phase.power) || phase.power < 0) {
    throw new ProfileError(`${where} "${phase.name}" has invalid power ${phase.power} W`, 'power');
  }
}

// Profiles are small (a few to a few hundred phases): plain arrays allocate several times faster
// than typed arrays, which matters when 1M constant jobs are compiled.
const NO_CHECKPOINTS: readonly number[] = [];

export function compileProfile(profile: PowerProfile): CompiledProfile {
  let startupDurationS = 0;
  let startupEnergyJ = 0;
  for (const p of profile.startup) {
    checkPhase(p, 'startup phase');
    startupDurationS += p.duration;
    startupEnergyJ += p.duration * p.power;
  }
  let resumeDurationS = startupDurationS;
  let resumeEnergyJ = startupEnergyJ;
  if (profile.resume !== undefined) {
    resumeDurationS = 0;
    resumeEnergyJ = 0;
    for (const p of profile.resume) {
      checkPhase(p, 'resume phase');
      resumeDurationS += p.duration;
      resumeEnergyJ += p.duration * p.power;
    }
  }
  const n = profile.work.length;
  const workEnds: number[] = new Array(n);
  const workEnergyAt: number[] = new Array(n);
  let checkpoints: number[] | undefined;
  let progress = 0;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const p = profile.work[i]!;
    checkPhase(p, 'work phase');
    progress += p.duration;
    energy += p.duration * p.power;
    workEnds[i] = progress;
    workEnergyAt[i] = energy;
    if (p.isCheckpoint) (checkpoints ??= []).push(progress);
  }
  if (!(progress > 0)) throw new ProfileError('a job needs work phases with a positive total duration', 'work');
  const run = runSteps(profile.startup, profile.work);
  return {
    startup: profile.startup,
    work: profile.work,
    startupDurationS,
    startupEnergyJ,
    resume: profile.resume ?? profile.startup,
    hasResume: profile.resume !== undefined,
    resumeDurationS,
    resumeEnergyJ,
    workDurationS: progress,
    singleWorkPowerW: profile.startup.length === 0 && profile.resume === undefined && n === 1 ? profile.work[0]!.power : NaN,
    workEnergyJ: energy,
    durationS: startupDurationS + progress,
    energyJ: startupEnergyJ + energy,
    workEnds,
    workEnergyAt,
    checkpoints: checkpoints ?? NO_CHECKPOINTS,
    savesContinuously: checkpoints === undefined,
    runOffsets: run.offsets,
    runPowers: run.powers,
  };
}

/** Index of the work phase that contains progress p (the phase whose end is the first > p). */
export function workPhaseIndexAt(profile: CompiledProfile, progress: number): number {
  const ends = profile.workEnds;
  let lo = 0;
  let hi = ends.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ends[mid]! > progress) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The progress kept when a run stops at progress p: the last checkpoint at or before p. */
export function checkpointAt(profile: CompiledProfile, progress: number): number {
  if (profile.savesContinuously) return progress;
  const cps = profile.checkpoints;
  let kept = 0;
  for (let i = 0; i < cps.length; i++) {
    if (cps[i]! <= progress + TIME_EPS_S) kept = cps[i]!;
    else break;
  }
  return kept;
}

/** Energy (J) of the work between progress p0 and p1 (p0 <= p1). */
export function workEnergyBetween(profile: CompiledProfile, p0: number, p1: number): number {
  return workEnergyTo(profile, p1) - workEnergyTo(profile, p0);
}

function workEnergyTo(profile: CompiledProfile, p: number): number {
  if (p <= 0) return 0;
  if (p >= profile.workDurationS) return profile.workEnergyJ;
  const i = workPhaseIndexAt(profile, p);
  const before = i === 0 ? 0 : profile.workEnergyAt[i - 1]!;
  const startOfPhase = i === 0 ? 0 : profile.workEnds[i - 1]!;
  return before + (p - startOfPhase) * profile.work[i]!.power;
}

/** Power (W) at offset t seconds into one uninterrupted run (startup then work). */
export function powerAt(profile: CompiledProfile, t: number): number {
  if (t < 0 || t >= profile.durationS) return 0;
  let acc = 0;
  for (const p of profile.startup) {
    acc += p.duration;
    if (t < acc) return p.power;
  }
  return profile.work[workPhaseIndexAt(profile, t - profile.startupDurationS)]!.power;
}

/** Power steps of one uninterrupted run (see runOffsets); two passes so each array is allocated once. */
function runSteps(startup: readonly Phase[], work: readonly Phase[]): { offsets: number[]; powers: number[] } {
  let k = 0;
  let last = NaN;
  for (const list of [startup, work]) {
    for (const p of list) {
      if (p.duration <= 0 || p.power === last) continue;
      last = p.power;
      k++;
    }
  }
  const offsets: number[] = new Array(k + 1).fill(0);
  const powers: number[] = new Array(k + 1).fill(0); // powers[k] = 0 after the run
  let j = -1;
  let t = 0;
  for (const list of [startup, work]) {
    for (const p of list) {
      if (p.duration <= 0) continue;
      t += p.duration;
      if (j < 0 || powers[j] !== p.power) powers[++j] = p.power;
      offsets[j + 1] = t;
    }
  }
  return { offsets, powers };
}
