// Interrupted runs: a first part that stopped after some work phase and a continuation that resumed
// from a checkpoint. Each pair is matched against the fitted job and its energy compared with what
// the engine charges for the same plan (executePlan), with and without resume phases.
import { InputError } from '../errors.js';
import { executePlan } from '../model/execution.js';
import { checkpointAt, type CompiledProfile } from '../model/profile.js';
import { mean, sd, type SectionFit, type SegmentedRun } from './phases.js';

/** Gap (s) between the two intervals of a predicted plan; energy does not depend on it. */
const PAUSE_S = 60;

interface Classified {
  run: SegmentedRun;
  kind: 'first' | 'continuation';
  /** first: work phases of the reference completed before it stopped; continuation: the reference work phase it resumed at */
  index: number;
}

export interface ExperimentPair {
  first: string;
  continuation: string;
  energyJ: number;
}

export interface Experiment {
  /** `save-and-resume (stop after "<label>")`: the last reference event the first part reached */
  name: string;
  /** work progress (s of the fitted profile) at which the first part stopped */
  stopProgressS: number;
  /** progress the continuations resumed from, by their own first event */
  measuredResumeS: number;
  /** progress the model resumes from: the last checkpoint at or before the stop */
  modelResumeS: number;
  /** work lost by the model: stopProgressS - modelResumeS */
  lostWorkS: number;
  pairs: ExperimentPair[];
  measuredMeanJ: number;
  measuredSdJ: number;
  /** executePlan's energy with the startup phases at the resume */
  predictedJ: number;
  /** the same with the resume phases (undefined when none were fitted) */
  predictedResumeJ: number | undefined;
}

export interface ExperimentsResult {
  experiments: Experiment[];
  /** runs of --interrupted that found no partner (folders) */
  unpaired: string[];
}

function workTos(run: SegmentedRun): string[] {
  return run.work.map((s) => s.to);
}

function classify(run: SegmentedRun, ref: readonly string[]): Classified {
  const tos = workTos(run);
  const file = run.rec.eventsFile;
  if (tos.length === 0 || tos[0] === ref[0]) {
    // a first part: a prefix of the reference, then (at most) its own exit event
    let p = 0;
    while (p < tos.length && p < ref.length && tos[p] === ref[p]) p++;
    if (p === ref.length) {
      throw new InputError('not_interrupted', 'this run is complete (all work phases of the fitted runs): pass it as a run folder, not with --interrupted', { file, line: run.work[p - 1]!.toLine, field: 'label' });
    }
    if (p < tos.length - 1) {
      throw new InputError(
        'phase_mismatch',
        `work phase ${p + 1} ends at event "${tos[p]}" where the fitted runs have "${ref[p]}"; an interrupted run must follow them and stop (one last event, e.g. its exit, may differ)`,
        { file, line: run.work[p]!.toLine, field: 'label' },
      );
    }
    return { run, kind: 'first', index: p };
  }
  for (let j = 1; j + tos.length <= ref.length; j++) {
    if (tos.every((t, i) => t === ref[j + i])) return { run, kind: 'continuation', index: j };
  }
  throw new InputError(
    'phase_mismatch',
    `the run's work phases ("${tos[0]}" ...) are neither a start of the fitted runs' work phases nor their continuation to the end`,
    { file, line: run.work[0]!.toLine, field: 'label' },
  );
}

/** Work progress (s) of the fitted profile at the end of reference work segment k - 1 (0 for k = 0). */
function progressAfter(fit: SectionFit, profile: CompiledProfile, k: number): number {
  if (k <= 0) return 0;
  const seg = k - 1;
  const g = fit.groups.findIndex((gr) => gr.members.includes(seg));
  const group = fit.groups[g]!;
  const start = g === 0 ? 0 : profile.workEnds[g - 1]!;
  if (group.members[group.members.length - 1] === seg) return profile.workEnds[g]!;
  // inside a merged phase: its start plus the mean durations of its segments up to seg
  let p = start;
  for (const m of group.members) {
    p += fit.segmentMeanS[m]!;
    if (m === seg) break;
  }
  return p;
}

/** save-and-resume when the stop loses no work (it is at a checkpoint), else abort-and-resume. */
function kind(stopS: number, resumeS: number): string {
  return stopS - resumeS > 0 ? 'abort-and-resume' : 'save-and-resume';
}

/**
 * Pair first parts with continuations (in time order, a continuation follows its first part),
 * group pairs by where they stopped and resumed, and predict each group's energy.
 */
export function interruptedExperiments(
  runs: readonly SegmentedRun[],
  work: SectionFit,
  profile: CompiledProfile,
  resumeProfile: CompiledProfile | undefined,
): ExperimentsResult {
  const ref = work.reference.map((s) => s.to);
  const classified = runs.map((r) => classify(r, ref)).sort((a, b) => a.run.launch - b.run.launch);
  const groups = new Map<string, { first: Classified; cont: Classified }[]>();
  const unpaired: string[] = [];
  for (let i = 0; i < classified.length; i++) {
    const c = classified[i]!;
    const next = classified[i + 1];
    if (c.kind === 'first' && next !== undefined && next.kind === 'continuation' && next.run.launch >= c.run.end) {
      const key = `${c.index}:${next.index}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push({ first: c, cont: next });
      i++;
    } else {
      unpaired.push(c.run.rec.dir);
    }
  }
  const experiments: Experiment[] = [];
  for (const list of groups.values()) {
    const { first, cont } = list[0]!;
    const stopProgressS = progressAfter(work, profile, first.index);
    const measuredResumeS = progressAfter(work, profile, cont.index);
    const modelResumeS = checkpointAt(profile, stopProgressS);
    const plan = (p: CompiledProfile) => {
      const stop = p.startupDurationS + stopProgressS;
      if (!(stop > 0)) return executePlan(p, 0, [[0, PAUSE_S]]).energyJ;
      return executePlan(p, 0, [
        [0, stop],
        [stop + PAUSE_S, stop + PAUSE_S + 1],
      ]).energyJ;
    };
    const pairs = list.map(({ first: f, cont: c }) => ({ first: f.run.rec.dir, continuation: c.run.rec.dir, energyJ: f.run.energyJ + c.run.energyJ }));
    const energies = pairs.map((p) => p.energyJ);
    experiments.push({
      name: `${kind(stopProgressS, modelResumeS)} (${first.index === 0 ? 'stop during startup' : `stop after "${ref[first.index - 1]}"`})`,
      stopProgressS,
      measuredResumeS,
      modelResumeS,
      lostWorkS: stopProgressS - modelResumeS,
      pairs,
      measuredMeanJ: mean(energies),
      measuredSdJ: sd(energies),
      predictedJ: plan(profile),
      predictedResumeJ: resumeProfile === undefined ? undefined : plan(resumeProfile),
    });
  }
  experiments.sort((a, b) => a.lostWorkS - b.lostWorkS || b.stopProgressS - a.stopProgressS);
  return { experiments, unpaired };
}
