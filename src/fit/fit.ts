// `carbon-sim fit`: a phased job model from power recordings (docs/fit.md). Pure: recordings in,
// the fitted profile and its error report out; the CLI (src/cli/fit.ts) reads and writes files.
import { InputError } from '../errors.js';
import type { LiteralValue } from '../io/literal.js';
import { typedTrace } from '../io/writers.js';
import { compileProfile, type CompiledProfile, type Phase, type PowerProfile } from '../model/profile.js';
import { interruptedExperiments, type ExperimentsResult } from './experiments.js';
import { meanPower, type Recording } from './measurements.js';
import { fitSection, leaveOneOut, mean, sd, segmentRun, type FitSettings, type LooResult, type SectionFit, type SegmentedRun } from './phases.js';

export interface FitInput {
  /** complete runs: fit the startup and work phases */
  runs: readonly Recording[];
  /** idle runs: their mean power is subtracted from every sample */
  baseline?: readonly Recording[];
  /** resumed runs: fit the resume phases from their startup */
  resume?: readonly Recording[];
  /** first parts and continuations of interrupted runs: predicted vs measured energy */
  interrupted?: readonly Recording[];
  leadS?: number;
  workStart?: RegExp;
  checkpoint?: RegExp;
  minPhaseS?: number;
  /** job id of the trace row */
  id?: string;
}

export const FIT_DEFAULTS = {
  leadS: 30,
  workStart: /start training/i,
  checkpoint: /saved/i,
  minPhaseS: 0.05,
  id: 'fitted',
} as const;

export interface FitResult {
  /** the fitted job, durations rounded to 0.1 ms and powers to 1 mW (what the spec holds) */
  profile: PowerProfile;
  compiled: CompiledProfile;
  /** the same job without its resume list (the thesis's model) */
  compiledWithoutResume: CompiledProfile;
  settings: FitSettings;
  baseline: { powerW: number; runs: number; samples: number } | undefined;
  runs: { dir: string; durationS: number; energyJ: number }[];
  measured: { meanJ: number; sdJ: number; meanS: number };
  resumeRuns: { dir: string; durationS: number; energyJ: number }[];
  loo: LooResult | undefined;
  resumeLoo: LooResult | undefined;
  interrupted: ExperimentsResult | undefined;
  /** a typed `|` trace with the job as one row (startup and work phases only: see docs/fit.md) */
  trace: string;
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

function rounded(phases: readonly Phase[]): Phase[] {
  return phases.map((p) => {
    const q: Phase = { name: p.name, duration: round(p.duration, 4), power: round(p.power, 3) };
    if (p.isCheckpoint) q.isCheckpoint = true;
    return q;
  });
}

function phaseLiteral(p: Phase): { [key: string]: LiteralValue } {
  const o: { [key: string]: LiteralValue } = { name: p.name, duration: p.duration, power: p.power };
  if (p.isCheckpoint) o.is_checkpoint = true;
  return o;
}

/** Fit the job and evaluate it. Throws InputError (naming file, line, field) on inconsistent input. */
export function fitRecordings(input: FitInput): FitResult {
  if (input.runs.length === 0) throw new InputError('no_runs', 'give at least one run folder to fit', { field: 'runs' });
  let baseline: FitResult['baseline'];
  if (input.baseline !== undefined && input.baseline.length > 0) {
    const b = meanPower(input.baseline);
    baseline = { powerW: b.powerW, runs: input.baseline.length, samples: b.samples };
  }
  const settings: FitSettings = {
    leadS: input.leadS ?? FIT_DEFAULTS.leadS,
    workStart: input.workStart ?? FIT_DEFAULTS.workStart,
    checkpoint: input.checkpoint ?? FIT_DEFAULTS.checkpoint,
    minPhaseS: input.minPhaseS ?? FIT_DEFAULTS.minPhaseS,
    baselineW: baseline?.powerW ?? 0,
  };

  const runs = input.runs.map((r) => segmentRun(r, settings));
  const startup = fitSection(runs, (r) => r.startup, 'startup', settings);
  const work = fitSection(runs, (r) => r.work, 'work', settings);
  if (work.phases.length === 0) {
    const r = runs[0]!;
    throw new InputError('no_work', 'the runs have no event after the work start: no work phases to fit', { file: r.rec.eventsFile, line: r.startup[r.startup.length - 1]!.toLine, field: 'label' });
  }

  let resumeFit: SectionFit | undefined;
  let resumeRuns: SegmentedRun[] = [];
  if (input.resume !== undefined && input.resume.length > 0) {
    resumeRuns = input.resume.map((r) => segmentRun(r, settings));
    resumeFit = fitSection(resumeRuns, (r) => r.startup, 'resume', settings);
  }

  const profile: PowerProfile = { startup: rounded(startup.phases), work: rounded(work.phases) };
  if (resumeFit !== undefined) profile.resume = rounded(resumeFit.phases);
  const compiled = compileProfile(profile);
  const compiledWithoutResume = compileProfile({ startup: profile.startup, work: profile.work });

  const interrupted =
    input.interrupted !== undefined && input.interrupted.length > 0
      ? interruptedExperiments(
          input.interrupted.map((r) => segmentRun(r, settings)),
          work,
          compiledWithoutResume,
          resumeFit === undefined ? undefined : compiled,
        )
      : undefined;

  const spec = {
    id: input.id ?? FIT_DEFAULTS.id,
    type: 'phases' as const,
    arrival: 0,
    cpus: 1,
    profile: compiledWithoutResume,
    args: { startup: profile.startup.map(phaseLiteral), work: profile.work.map(phaseLiteral) },
    line: 1,
  };
  const energies = runs.map((r) => r.energyJ);
  return {
    profile,
    compiled,
    compiledWithoutResume,
    settings,
    baseline,
    runs: runs.map((r) => ({ dir: r.rec.dir, durationS: r.durationS, energyJ: r.energyJ })),
    measured: { meanJ: mean(energies), sdJ: sd(energies), meanS: mean(runs.map((r) => r.durationS)) },
    resumeRuns: resumeRuns.map((r) => ({ dir: r.rec.dir, durationS: r.startup.reduce((s, x) => s + x.durationS, 0), energyJ: r.startup.reduce((s, x) => s + x.energyJ, 0) })),
    loo: leaveOneOut([startup, work], runs, settings, true),
    resumeLoo: resumeFit === undefined ? undefined : leaveOneOut([resumeFit], resumeRuns, settings, false),
    interrupted,
    trace: typedTrace([spec]),
  };
}

function phaseJson(p: Phase): Record<string, unknown> {
  return { name: p.name, duration: p.duration, power: p.power, ...(p.isCheckpoint && { is_checkpoint: true }) };
}

function looJson(l: LooResult | undefined): unknown {
  if (l === undefined) return null;
  return {
    runs: l.runs,
    energy_errors_j: l.energyErrorsJ,
    energy_mean_error_j: l.energyMeanErrorJ,
    energy_rmse_j: l.energyRmseJ,
    phase_power_rmse_w: l.phasePowerRmseW,
    ...(l.instant && { instant_power_rmse_w: { launch_aligned: l.instant.launchAlignedW, phase_aligned: l.instant.phaseAlignedW } }),
    phases: l.phases.map((p) => ({ section: p.section, name: p.name, duration_s: p.durationS, power_w: p.powerW, rmse_w: p.rmseW })),
  };
}

/** The job spec and its error report as one JSON document (what --out writes). */
export function fitJson(r: FitResult): Record<string, unknown> {
  const p = r.profile;
  return {
    job: {
      startup: p.startup.map(phaseJson),
      work: p.work.map(phaseJson),
      ...(p.resume && { resume: p.resume.map(phaseJson) }),
    },
    duration_s: r.compiled.durationS,
    energy_j: r.compiled.energyJ,
    startup_energy_j: r.compiled.startupEnergyJ,
    ...(p.resume && { resume_duration_s: r.compiled.resumeDurationS, resume_energy_j: r.compiled.resumeEnergyJ }),
    trace: r.trace,
    settings: {
      lead_s: r.settings.leadS,
      work_start: r.settings.workStart.source,
      checkpoint: r.settings.checkpoint.source,
      min_phase_s: r.settings.minPhaseS,
      window: 'launch (recording start + lead) to the last event',
    },
    baseline: r.baseline === undefined ? null : { power_w: r.baseline.powerW, runs: r.baseline.runs, samples: r.baseline.samples },
    runs: r.runs.map((x) => ({ folder: x.dir, duration_s: x.durationS, energy_j: x.energyJ })),
    measured: { energy_mean_j: r.measured.meanJ, energy_sd_j: r.measured.sdJ, duration_mean_s: r.measured.meanS },
    resume_runs: r.resumeRuns.map((x) => ({ folder: x.dir, resume_duration_s: x.durationS, resume_energy_j: x.energyJ })),
    loo: looJson(r.loo),
    resume_loo: looJson(r.resumeLoo),
    energies: energiesTable(r).map((e) => ({
      run: e.run,
      n: e.n,
      measured_mean_j: e.measuredJ,
      measured_sd_j: e.sdJ,
      predicted_j: e.predictedJ,
      predicted_with_resume_j: e.predictedResumeJ ?? null,
      measured_overhead_j: e.measuredJ - r.measured.meanJ,
      predicted_overhead_j: e.predictedJ - r.compiled.energyJ,
      predicted_with_resume_overhead_j: e.predictedResumeJ === undefined ? null : e.predictedResumeJ - r.compiled.energyJ,
      ...(e.stopProgressS !== undefined && {
        stop_progress_s: e.stopProgressS,
        model_resumes_at_s: e.modelResumeS,
        measured_resumed_at_s: e.measuredResumeS,
        lost_work_s: e.lostWorkS,
      }),
    })),
    interrupted_pairs:
      r.interrupted === undefined
        ? null
        : {
            experiments: r.interrupted.experiments.map((e) => ({ name: e.name, pairs: e.pairs.map((x) => ({ first: x.first, continuation: x.continuation, energy_j: x.energyJ })) })),
            unpaired: r.interrupted.unpaired,
          },
  };
}

interface EnergyRow {
  run: string;
  n: number;
  measuredJ: number;
  sdJ: number;
  predictedJ: number;
  predictedResumeJ: number | undefined;
  stopProgressS?: number;
  modelResumeS?: number;
  measuredResumeS?: number;
  lostWorkS?: number;
}

/** Predicted vs measured energy: the full run, then every interrupted experiment. */
export function energiesTable(r: FitResult): EnergyRow[] {
  const hasResume = r.profile.resume !== undefined;
  const rows: EnergyRow[] = [
    { run: 'full', n: r.runs.length, measuredJ: r.measured.meanJ, sdJ: r.measured.sdJ, predictedJ: r.compiled.energyJ, predictedResumeJ: hasResume ? r.compiled.energyJ : undefined },
  ];
  for (const e of r.interrupted?.experiments ?? []) {
    rows.push({
      run: e.name,
      n: e.pairs.length,
      measuredJ: e.measuredMeanJ,
      sdJ: e.measuredSdJ,
      predictedJ: e.predictedJ,
      predictedResumeJ: e.predictedResumeJ,
      stopProgressS: e.stopProgressS,
      modelResumeS: e.modelResumeS,
      measuredResumeS: e.measuredResumeS,
      lostWorkS: e.lostWorkS,
    });
  }
  return rows;
}

// ---------------------------------------------------------------- the printed report

function table(header: string[], rows: string[][], alignLeft: number[] = [0]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (alignLeft.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

const f = (x: number, d: number): string => x.toFixed(d);
const kj = (j: number): string => (j / 1000).toFixed(3);
const signedKj = (j: number): string => `${j >= 0 ? '+' : ''}${(j / 1000).toFixed(3)}`;

/** The human-readable report `carbon-sim fit` prints. */
export function renderFit(r: FitResult): string {
  const out: string[] = [];
  const base = r.baseline === undefined ? 'none (powers are whole-machine)' : `${f(r.baseline.powerW, 3)} W subtracted (mean of ${r.baseline.runs} idle runs, ${r.baseline.samples} samples)`;
  out.push(`fitted ${r.runs.length} run(s); window: launch (recording start + ${r.settings.leadS} s) to the last event; baseline: ${base}\n`);
  const sections: [string, readonly Phase[]][] = [
    ['startup', r.profile.startup],
    ['work', r.profile.work],
  ];
  if (r.profile.resume) sections.push(['resume', r.profile.resume]);
  const rmse = new Map<string, number>();
  for (const p of [...(r.loo?.phases ?? []), ...(r.resumeLoo?.phases ?? [])]) rmse.set(`${p.section}\u0000${p.name}`, p.rmseW);
  const rows: string[][] = [];
  for (const [section, phases] of sections) {
    for (const p of phases) {
      const e = rmse.get(`${section}\u0000${p.name}`);
      rows.push([section, p.name, f(p.duration, 4), f(p.power, 3), f(p.duration * p.power, 1), p.isCheckpoint ? 'yes' : '', e === undefined ? '' : f(e, 2)]);
    }
  }
  out.push(table(['section', 'phase', 'duration_s', 'power_w', 'energy_j', 'checkpoint', 'loo_rmse_w'], rows, [0, 1, 5]));
  const c = r.compiled;
  out.push(
    `\njob: ${f(c.durationS, 3)} s, ${kj(c.energyJ)} kJ (startup ${f(c.startupDurationS, 3)} s, ${kj(c.startupEnergyJ)} kJ` +
      (r.profile.resume ? `; resume ${f(c.resumeDurationS, 3)} s, ${kj(c.resumeEnergyJ)} kJ` : '') +
      `); measured ${kj(r.measured.meanJ)} kJ (sd ${kj(r.measured.sdJ)}) over ${f(r.measured.meanS, 3)} s on average\n`,
  );
  const l = r.loo;
  if (l === undefined) out.push('leave-one-out: needs at least 2 runs\n');
  else {
    out.push(
      `leave-one-out over ${l.runs} runs: total energy error mean ${f(l.energyMeanErrorJ, 1)} J, RMSE ${f(l.energyRmseJ, 1)} J; ` +
        `phase power RMSE ${f(l.phasePowerRmseW, 2)} W (duration-weighted); ` +
        `instantaneous power RMSE ${f(l.instant!.launchAlignedW, 2)} W launch-aligned, ${f(l.instant!.phaseAlignedW, 2)} W phase-aligned\n`,
    );
  }
  if (r.resumeLoo !== undefined) {
    out.push(`resume leave-one-out over ${r.resumeLoo.runs} runs: resume energy error RMSE ${f(r.resumeLoo.energyRmseJ, 1)} J; phase power RMSE ${f(r.resumeLoo.phasePowerRmseW, 2)} W\n`);
  }
  const rowsE = energiesTable(r);
  if (rowsE.length > 1 || r.profile.resume) {
    const full = rowsE[0]!;
    const hasResume = r.profile.resume !== undefined;
    const er: string[][] = rowsE.map((e) => [
      e.run,
      String(e.n),
      `${kj(e.measuredJ)} ± ${kj(e.sdJ)}`,
      e === full ? '' : signedKj(e.measuredJ - full.measuredJ),
      kj(e.predictedJ),
      signedKj(e.predictedJ - e.measuredJ),
      ...(hasResume ? [kj(e.predictedResumeJ!), signedKj(e.predictedResumeJ! - e.measuredJ)] : []),
    ]);
    out.push('\npredicted (executePlan) vs measured energy, kJ:\n');
    out.push(
      table(['run', 'n', 'measured (mean ± sd)', 'measured overhead', 'startup repeated', 'error', ...(hasResume ? ['resume phases', 'error'] : [])], er, [0]),
    );
    for (const e of r.interrupted?.experiments ?? []) {
      const mismatch = Math.abs(e.measuredResumeS - e.modelResumeS) > 1e-6 ? ` (the measured runs resumed at ${f(e.measuredResumeS, 3)} s: not the model's checkpoint)` : '';
      const fullJ = r.compiled.energyJ;
      const overheads =
        `overhead measured ${signedKj(e.measuredMeanJ - r.measured.meanJ)} kJ, predicted ${signedKj(e.predictedJ - fullJ)} kJ (startup repeated)` +
        (e.predictedResumeJ === undefined ? '' : ` / ${signedKj(e.predictedResumeJ - fullJ)} kJ (resume phases)`);
      out.push(`  ${e.name}: stops at work ${f(e.stopProgressS, 3)} s, resumes from ${f(e.modelResumeS, 3)} s, loses ${f(e.lostWorkS, 3)} s of work${mismatch}; ${overheads}\n`);
    }
    if (r.interrupted !== undefined && r.interrupted.unpaired.length > 0) out.push(`  unpaired (left out): ${r.interrupted.unpaired.join(', ')}\n`);
  }
  return out.join('');
}
