// Phases from recordings: cut every run at its logged events, average duration and power per phase
// across runs, and the leave-one-out error of doing so (docs/fit.md).
import { InputError } from '../errors.js';
import { compileProfile, powerAt, type Phase } from '../model/profile.js';
import { energyBetween, type Recording } from './measurements.js';

export interface FitSettings {
  /** seconds from the recording's start to the program's launch (pinpoint's -b; 30 in the thesis) */
  leadS: number;
  /** the event at which the work phases begin; the phases up to it are startup */
  workStart: RegExp;
  /** a work phase ending at an event whose label matches is a checkpoint */
  checkpoint: RegExp;
  /** phases shorter than this on average merge into a neighbour */
  minPhaseS: number;
  /** idle power subtracted from every sample (W); 0 for none */
  baselineW: number;
}

/** The name of the launch instant (recording start + lead), the start of the first phase. */
export const LAUNCH = 'launch';

/** The stretch of one run between two consecutive events. */
export interface Segment {
  from: string;
  to: string;
  /** line in events.csv of the event that ends it */
  toLine: number;
  startT: number;
  endT: number;
  durationS: number;
  /** measured energy minus baseline (J) */
  energyJ: number;
  checkpoint: boolean;
}

/** One run cut into phases. The measured window is [launch, last event]. */
export interface SegmentedRun {
  rec: Recording;
  launch: number;
  /** the last event: the end of the measured window */
  end: number;
  startup: Segment[];
  work: Segment[];
  durationS: number;
  energyJ: number;
}

export type Section = 'startup' | 'work' | 'resume';

/** Cut a run at its events: startup up to the work-start event, work after it. */
export function segmentRun(rec: Recording, settings: FitSettings): SegmentedRun {
  const eventsFile = rec.eventsFile ?? `${rec.dir}/events.csv`;
  const events = rec.events;
  if (events.length === 0) throw new InputError('bad_events', 'the run has no events', { file: eventsFile, line: 1, field: 'label' });
  const launch = rec.start + settings.leadS;
  if (events[0]!.t < launch) {
    throw new InputError(
      'bad_events',
      `event "${events[0]!.label}" is ${(events[0]!.t - rec.start).toFixed(3)} s into the recording, before the program's launch at ${settings.leadS} s (--lead)`,
      { file: eventsFile, line: events[0]!.line, field: 'epoch' },
    );
  }
  const w = events.findIndex((e) => settings.workStart.test(e.label));
  if (w < 0) {
    throw new InputError('bad_events', `no event label matches the work start /${settings.workStart.source}/ (--work-start)`, { file: eventsFile, line: events[events.length - 1]!.line, field: 'label' });
  }
  const segments: Segment[] = [];
  let from = LAUNCH;
  let startT = launch;
  for (const ev of events) {
    const durationS = ev.t - startT;
    segments.push({
      from,
      to: ev.label,
      toLine: ev.line,
      startT,
      endT: ev.t,
      durationS,
      energyJ: energyBetween(rec, startT, ev.t) - settings.baselineW * durationS,
      checkpoint: false,
    });
    from = ev.label;
    startT = ev.t;
  }
  const work = segments.slice(w + 1);
  for (const s of work) s.checkpoint = settings.checkpoint.test(s.to);
  const end = events[events.length - 1]!.t;
  return {
    rec,
    launch,
    end,
    startup: segments.slice(0, w + 1),
    work,
    durationS: end - launch,
    energyJ: energyBetween(rec, launch, end) - settings.baselineW * (end - launch),
  };
}

/** Phases merged from consecutive segments; `members` index the section's segments. */
export interface PhaseGroup {
  name: string;
  members: number[];
  checkpoint: boolean;
}

/** One section (startup, work or resume) fitted over runs. */
export interface SectionFit {
  section: Section;
  /** the segments of the first run: labels shared by all runs */
  reference: Segment[];
  /** mean duration of each segment over the runs */
  segmentMeanS: number[];
  groups: PhaseGroup[];
  /** per run, per group: duration (s) and energy (J) */
  groupS: number[][];
  groupJ: number[][];
  /** the fitted phases (unrounded) */
  phases: Phase[];
}

/** Every run must have the same phases (labels) as the first, or the average means nothing. */
function checkSameLabels(runs: readonly SegmentedRun[], pick: (r: SegmentedRun) => Segment[], section: Section): void {
  const ref = pick(runs[0]!);
  for (const run of runs.slice(1)) {
    const segs = pick(run);
    const file = run.rec.eventsFile;
    for (let k = 0; k < Math.min(ref.length, segs.length); k++) {
      if (segs[k]!.to !== ref[k]!.to) {
        throw new InputError(
          'phase_mismatch',
          `${section} phase ${k + 1} ends at event "${segs[k]!.to}" where ${runs[0]!.rec.dir} has "${ref[k]!.to}": fit runs of one kind only`,
          { file, line: segs[k]!.toLine, field: 'label' },
        );
      }
    }
    if (segs.length !== ref.length) {
      const last = segs[segs.length - 1] ?? run.startup[run.startup.length - 1]!;
      throw new InputError(
        'phase_mismatch',
        `the run has ${segs.length} ${section} phases where ${runs[0]!.rec.dir} has ${ref.length}: fit runs of one kind only`,
        { file, line: last.toLine, field: 'label' },
      );
    }
  }
}

/**
 * Merge phases shorter than minS (on average) into a neighbour: into the next phase, or into the
 * previous one when the short phase is a checkpoint (so the checkpoint stays where it is) or the
 * section's last (short phases waiting for a next one go along). Names span the merged events: "<first from> -> <last to>"; a merged phase is a
 * checkpoint when one of its parts is.
 */
export function groupSegments(reference: readonly Segment[], meanS: readonly number[], minS: number): PhaseGroup[] {
  const groups: PhaseGroup[] = [];
  let pending: number[] = [];
  const n = reference.length;
  for (let k = 0; k < n; k++) {
    const short = meanS[k]! < minS;
    const seg = reference[k]!;
    if (short && !seg.checkpoint && k < n - 1) {
      pending.push(k);
      continue;
    }
    if (short && groups.length > 0) {
      groups[groups.length - 1]!.members.push(...pending, k);
      pending = [];
    } else {
      groups.push({ name: '', members: [...pending, k], checkpoint: false });
      pending = [];
    }
  }
  for (const g of groups) {
    const first = reference[g.members[0]!]!;
    const last = reference[g.members[g.members.length - 1]!]!;
    g.name = `${first.from} -> ${last.to}`;
    // a short phase merged backward into a checkpoint moves the checkpoint to its end
    g.checkpoint = g.members.some((k) => reference[k]!.checkpoint);
  }
  return groups;
}

/** Fit a section over runs: mean duration, and power = all energy / all time in the phase. */
export function fitSection(
  runs: readonly SegmentedRun[],
  pick: (r: SegmentedRun) => Segment[],
  section: Section,
  settings: FitSettings,
): SectionFit {
  checkSameLabels(runs, pick, section);
  const reference = pick(runs[0]!);
  const segmentMeanS = reference.map((_, k) => mean(runs.map((r) => pick(r)[k]!.durationS)));
  const groups = groupSegments(reference, segmentMeanS, settings.minPhaseS);
  const groupS = runs.map((r) => groups.map((g) => sum(g.members.map((k) => pick(r)[k]!.durationS))));
  const groupJ = runs.map((r) => groups.map((g) => sum(g.members.map((k) => pick(r)[k]!.energyJ))));
  const all = runs.map((_, i) => i);
  const phases = groups.map((g, gi) => {
    const { durationS, powerW } = groupFit(groupS, groupJ, gi, all);
    if (powerW < 0) {
      throw new InputError(
        'negative_power',
        `${section} phase "${g.name}" averages ${powerW.toFixed(3)} W after subtracting the ${settings.baselineW.toFixed(3)} W baseline: the baseline runs draw more than this phase`,
        { field: 'baseline' },
      );
    }
    const phase: Phase = { name: g.name, duration: durationS, power: powerW };
    if (g.checkpoint) phase.isCheckpoint = true;
    return phase;
  });
  return { section, reference, segmentMeanS, groups, groupS, groupJ, phases };
}

/** Duration = mean over the runs; power = sum of energies / sum of durations (0 for an empty phase). */
function groupFit(groupS: number[][], groupJ: number[][], g: number, runs: readonly number[]): { durationS: number; powerW: number } {
  let s = 0;
  let j = 0;
  for (const r of runs) {
    s += groupS[r]![g]!;
    j += groupJ[r]![g]!;
  }
  return { durationS: s / runs.length, powerW: s > 0 ? j / s : 0 };
}

/** Leave-one-out error of one section, or of a whole profile (startup + work). */
export interface LooResult {
  runs: number;
  /** per held-out run: predicted - measured energy of the section(s) (J) */
  energyErrorsJ: number[];
  energyMeanErrorJ: number;
  energyRmseJ: number;
  /** per phase: RMSE of the fitted power against the held-out run's mean power in that phase */
  phases: { section: Section; name: string; durationS: number; powerW: number; rmseW: number }[];
  /** the phase RMSEs combined, weighted by phase duration: sqrt(sum d_k rmse_k^2 / sum d_k) */
  phasePowerRmseW: number;
  /** sample-level RMSE (W), mean over held-out runs; only for startup + work */
  instant?: { launchAlignedW: number; phaseAlignedW: number };
}

/** Leave-one-out over runs for the given sections (all fitted on the same runs). */
export function leaveOneOut(fits: readonly SectionFit[], runs: readonly SegmentedRun[], settings: FitSettings, withInstant: boolean): LooResult | undefined {
  const n = runs.length;
  if (n < 2) return undefined;
  const energyErrorsJ: number[] = [];
  const sq: number[][] = fits.map((f) => f.groups.map(() => 0));
  const counts: number[][] = fits.map((f) => f.groups.map(() => 0));
  const launchRmse: number[] = [];
  const phaseRmse: number[] = [];
  for (let r = 0; r < n; r++) {
    const others = runs.map((_, i) => i).filter((i) => i !== r);
    let predictedJ = 0;
    let measuredJ = 0;
    const folds = fits.map((f, fi) =>
      f.groups.map((g, gi) => {
        const { durationS, powerW } = groupFit(f.groupS, f.groupJ, gi, others);
        predictedJ += durationS * powerW;
        measuredJ += f.groupJ[r]![gi]!;
        const d = f.groupS[r]![gi]!;
        if (d > 0) {
          sq[fi]![gi]! += (powerW - f.groupJ[r]![gi]! / d) ** 2;
          counts[fi]![gi]!++;
        }
        const phase: Phase = { name: g.name, duration: durationS, power: powerW };
        if (g.checkpoint) phase.isCheckpoint = true;
        return phase;
      }),
    );
    energyErrorsJ.push(predictedJ - measuredJ);
    if (withInstant) {
      const [startup, work] = folds as [Phase[], Phase[]];
      const inst = instantErrors(runs[r]!, fits as [SectionFit, SectionFit], startup, work, settings);
      launchRmse.push(inst.launchAlignedW);
      phaseRmse.push(inst.phaseAlignedW);
    }
  }
  const phases = fits.flatMap((f, fi) =>
    f.groups.map((g, gi) => ({
      section: f.section,
      name: g.name,
      durationS: f.phases[gi]!.duration,
      powerW: f.phases[gi]!.power,
      rmseW: counts[fi]![gi]! > 0 ? Math.sqrt(sq[fi]![gi]! / counts[fi]![gi]!) : 0,
    })),
  );
  const totalS = sum(phases.map((p) => p.durationS));
  const result: LooResult = {
    runs: n,
    energyErrorsJ,
    energyMeanErrorJ: mean(energyErrorsJ),
    energyRmseJ: Math.sqrt(mean(energyErrorsJ.map((e) => e * e))),
    phases,
    phasePowerRmseW: totalS > 0 ? Math.sqrt(sum(phases.map((p) => p.durationS * p.rmseW ** 2)) / totalS) : 0,
  };
  if (withInstant) result.instant = { launchAlignedW: mean(launchRmse), phaseAlignedW: mean(phaseRmse) };
  return result;
}

/**
 * Sample-level RMSE of a fold's profile on the held-out run: launch-aligned (the profile's power
 * at the sample's offset from launch, as the thesis computed its 39.3 W) and phase-aligned (the
 * fitted power of the phase the run itself was in, by its own events). Samples are taken at their
 * midpoints within [launch, last event); launch-aligned stops at the profile's end.
 */
function instantErrors(run: SegmentedRun, fits: [SectionFit, SectionFit], startup: Phase[], work: Phase[], settings: FitSettings): { launchAlignedW: number; phaseAlignedW: number } {
  const profile = compileProfile({ startup, work });
  const rec = run.rec;
  // the fitted power of the group each of the run's segments belongs to, in time order
  const segPower: { endT: number; powerW: number }[] = [];
  fits.forEach((f, fi) => {
    const segs = fi === 0 ? run.startup : run.work;
    const phases = fi === 0 ? startup : work;
    f.groups.forEach((g, gi) => {
      for (const k of g.members) segPower.push({ endT: segs[k]!.endT, powerW: phases[gi]!.power });
    });
  });
  segPower.sort((a, b) => a.endT - b.endT);
  let sqLaunch = 0;
  let nLaunch = 0;
  let sqPhase = 0;
  let nPhase = 0;
  let seg = 0;
  for (let i = 0; i < rec.powerW.length; i++) {
    const mid = rec.start + (i + 0.5) * rec.dt;
    if (mid < run.launch || mid >= run.end) continue;
    const measured = rec.powerW[i]! - settings.baselineW;
    const offset = mid - run.launch;
    if (offset < profile.durationS) {
      sqLaunch += (powerAt(profile, offset) - measured) ** 2;
      nLaunch++;
    }
    while (seg < segPower.length - 1 && mid >= segPower[seg]!.endT) seg++;
    sqPhase += (segPower[seg]!.powerW - measured) ** 2;
    nPhase++;
  }
  return { launchAlignedW: Math.sqrt(sqLaunch / Math.max(1, nLaunch)), phaseAlignedW: Math.sqrt(sqPhase / Math.max(1, nPhase)) };
}

export function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : sum(xs) / xs.length;
}

/** Sample standard deviation (n - 1); 0 for fewer than two values. */
export function sd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(sum(xs.map((x) => (x - m) ** 2)) / (xs.length - 1));
}
