// `carbon-sim fit <run folders...>`: fit a phased job model from power recordings (docs/fit.md).
import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import { writeOutputs } from '../io/files.js';
import { fitJson, fitRecordings, renderFit, FIT_DEFAULTS } from '../fit/fit.js';
import { readRecording, type Recording } from '../fit/measurements.js';

export interface FitFlags {
  baseline?: string[];
  resume?: string[];
  interrupted?: string[];
  out?: string;
  trace?: string;
  id?: string;
  lead?: string;
  workStart?: string;
  checkpoint?: string;
  minPhase?: string;
  format?: string;
}

function nonNegative(v: string | undefined, field: string, fallback: number): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < 0) throw new InputError('bad_option', `"${v}" must be a non-negative number of seconds`, { field });
  return x;
}

function regex(v: string | undefined, field: string, fallback: RegExp): RegExp {
  if (v === undefined) return fallback;
  try {
    return new RegExp(v, 'i');
  } catch (err) {
    throw new InputError('bad_option', `"${v}" is not a regular expression (${(err as Error).message})`, { field });
  }
}

export function fitCommand(runs: string[], opts: FitFlags, write: (s: string) => void = (s) => process.stdout.write(s)): void {
  const cache = new Map<string, Recording>();
  const read = (dirs: string[] | undefined, requireEvents: boolean): Recording[] =>
    (dirs ?? []).map((d) => {
      const key = resolve(d);
      let r = cache.get(key);
      if (r === undefined) {
        r = readRecording(d, { requireEvents });
        cache.set(key, r);
      }
      return r;
    });
  const format = opts.format ?? 'table';
  const result = fitRecordings({
    runs: read(runs, true),
    baseline: read(opts.baseline, false),
    resume: read(opts.resume, true),
    interrupted: read(opts.interrupted, true),
    leadS: nonNegative(opts.lead, 'lead', FIT_DEFAULTS.leadS),
    workStart: regex(opts.workStart, 'work-start', FIT_DEFAULTS.workStart),
    checkpoint: regex(opts.checkpoint, 'checkpoint', FIT_DEFAULTS.checkpoint),
    minPhaseS: nonNegative(opts.minPhase, 'min-phase', FIT_DEFAULTS.minPhaseS),
    ...(opts.id !== undefined && { id: opts.id }),
  });
  const json = JSON.stringify(fitJson(result), null, 2) + '\n';
  // everything is computed before any file is written: bad input leaves no output behind, and
  // the two files are written both or neither
  writeOutputs([
    ...(opts.out !== undefined ? [{ kind: 'file' as const, path: opts.out, field: 'out', data: json }] : []),
    ...(opts.trace !== undefined ? [{ kind: 'file' as const, path: opts.trace, field: 'trace', data: result.trace }] : []),
  ]);
  write(format === 'json' ? json : renderFit(result));
}
