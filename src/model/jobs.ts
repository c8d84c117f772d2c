import { compileProfile, ProfileError, type CompiledProfile, type Phase, type PowerProfile } from './profile.js';

/** The job types of the thesis's typed traces (section 4.3.1). */
export const JOB_TYPES = ['constant', 'mocked-constant-from-phases', 'phases', 'ml'] as const;
export type JobType = (typeof JOB_TYPES)[number];

export function isJobType(name: string): name is JobType {
  return (JOB_TYPES as readonly string[]).includes(name);
}

/** A job ready to simulate: times in seconds since the simulation epoch. */
export interface Job {
  id: string;
  type: JobType;
  /** seconds since the epoch */
  arrival: number;
  /** latest finish (s since the epoch); a plan finishing later misses it */
  deadline: number;
  cpus: number;
  profile: CompiledProfile;
  /** what the job asks of one node on a finite cluster; default: `cpus` CPUs */
  request?: ResourceRequest;
  /** the user's run-time estimate (s), e.g. SWF's requested time; default: the uninterrupted duration */
  estimateS?: number;
}

/** What one job asks for on one node. */
export interface ResourceRequest {
  cpus: number;
  /** MiB; 0 when not asked */
  memMiB: number;
  /** whole GPUs (k-GPU job), or 1 with gpuMilli < 1000 for a share of one GPU */
  gpus: number;
  /** per-GPU share in thousandths; 1000 = whole GPUs */
  gpuMilli: number;
  /** allowed GPU models; empty = any */
  gpuModels: readonly string[];
}

export function cpuRequest(cpus: number): ResourceRequest {
  return { cpus, memMiB: 0, gpus: 0, gpuMilli: 0, gpuModels: [] };
}

/**
 * How long the job may still wait at `now` and, run uninterrupted from then, finish by `deadline`
 * (s); negative when it cannot. The one feasibility rule of every scheduler: exact, no tolerance
 * (a finish is only late beyond TIME_EPS_S, which absorbs the float noise of executing a plan).
 */
export function slackS(job: Job, now: number, deadline: number): number {
  return deadline - now - job.profile.durationS;
}

/** What the job asks of one node. */
export function requestOf(job: Job): ResourceRequest {
  return job.request ?? cpuRequest(job.cpus);
}

/** The run time a batch policy predicts for the job. */
export function estimateOf(job: Job): number {
  return job.estimateS ?? job.profile.durationS;
}

/** Parameters of the `ml` type (thesis listing 4.10). */
export interface MlParameters {
  start_duration: number;
  start_power: number;
  training_duration: number;
  training_power: number;
  evaluate_duration: number;
  evaluate_power: number;
  save_duration: number;
  save_power: number;
  epochs: number;
}

export const ML_KEYS: readonly (keyof MlParameters)[] = [
  'start_duration',
  'start_power',
  'training_duration',
  'training_power',
  'evaluate_duration',
  'evaluate_power',
  'save_duration',
  'save_power',
  'epochs',
];

/** `constant`: one work phase, no startup (GAIA's model). */
export function constantProfile(durationS: number, powerW: number): PowerProfile {
  return { startup: [], work: [{ name: 'Work', duration: durationS, power: powerW }] };
}

/** `ml`: startup [Start], work [Train, Evaluate, Save (checkpoint)] x epochs. */
export function mlProfile(p: MlParameters): PowerProfile {
  if (!Number.isInteger(p.epochs) || p.epochs < 1) {
    throw new ProfileError(`ml epochs must be a positive integer, got ${p.epochs}`, 'epochs');
  }
  const epoch: Phase[] = [
    { name: 'Train', duration: p.training_duration, power: p.training_power },
    { name: 'Evaluate', duration: p.evaluate_duration, power: p.evaluate_power },
    { name: 'Save', duration: p.save_duration, power: p.save_power, isCheckpoint: true },
  ];
  const work: Phase[] = [];
  for (let e = 0; e < p.epochs; e++) for (const ph of epoch) work.push({ ...ph });
  return { startup: [{ name: 'Start', duration: p.start_duration, power: p.start_power }], work };
}

/**
 * `mocked-constant-from-phases`: the same total duration and energy as the phased profile, as a
 * single constant work phase without startup: the overhead-free assumption of earlier work.
 */
export function mockedConstantProfile(profile: PowerProfile): PowerProfile {
  const compiled = compileProfile(profile);
  return constantProfile(compiled.durationS, compiled.energyJ / compiled.durationS);
}
