// `carbon-sim convert <in> <out> [--to gaia|typed|swf]`: read any workload format, write another.
import { existsSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InputError } from '../errors.js';
import { checkOutputs, writeOutputs } from '../io/files.js';
import { describeSkipped, totalSkipped } from '../io/swf.js';
import { readWorkloadFile, type JobSpec, type TimeUnit } from '../io/trace.js';
import { gaiaCsv, swfLog, typedTrace, type WriteOptions } from '../io/writers.js';

/** Formats convert can write (Batsim JSON is read only). */
export const WRITABLE_FORMATS = ['gaia', 'typed', 'swf'] as const;
type WritableFormat = (typeof WRITABLE_FORMATS)[number];

const WRITERS: Record<WritableFormat, (specs: readonly JobSpec[], options: WriteOptions) => string> = {
  gaia: gaiaCsv,
  typed: typedTrace,
  swf: swfLog,
};

export interface ConvertOptions {
  to?: string;
  timeUnit: string;
  outTimeUnit: string;
  wattsPerCpu: string;
  skipIncomplete?: boolean;
}

/** The target format: --to, else `.swf`/`.swf.gz` output names mean SWF; CSV names are ambiguous. */
function targetFormat(out: string, to: string | undefined): WritableFormat {
  if (to !== undefined) return to as WritableFormat;
  if (/\.swf(\.gz)?$/i.test(out)) return 'swf';
  throw new InputError('bad_option', `cannot tell the output format from "${basename(out)}": give --to ${WRITABLE_FORMATS.join('|')}`, { field: 'to' });
}

function sameFile(a: string, b: string): boolean {
  if (!existsSync(b)) return false;
  return realpathSync(a) === realpathSync(b);
}

export function convertCommand(input: string, out: string, opts: ConvertOptions): void {
  const to = targetFormat(out, opts.to);
  checkOutputs([{ kind: 'file', path: out, field: 'out', data: '' }]);
  const wattsPerCpu = Number(opts.wattsPerCpu);
  if (opts.wattsPerCpu.trim() === '' || !Number.isFinite(wattsPerCpu) || wattsPerCpu < 0) {
    throw new InputError('bad_option', `"${opts.wattsPerCpu}" must be a non-negative number`, { field: 'watts-per-cpu' });
  }
  const workload = readWorkloadFile(input, {
    timeUnit: opts.timeUnit as TimeUnit,
    wattsPerCpu,
    skipIncomplete: opts.skipIncomplete === true,
  });
  if (sameFile(input, out)) throw new InputError('bad_option', 'the output would overwrite the input', { file: out, field: 'out' });

  // Render before writing: a job the target cannot hold leaves no file behind.
  const text = WRITERS[to](workload.specs, { timeUnit: opts.outTimeUnit as TimeUnit, wattsPerCpu, file: input });
  const bytes = /\.gz$/i.test(out) ? gzipSync(text) : Buffer.from(text);
  writeOutputs([{ kind: 'file', path: out, field: 'out', data: bytes }]);
  let report = `converted ${workload.specs.length} jobs: ${workload.format} -> ${to} (${out})`;
  if (totalSkipped(workload.skipped) > 0) report += `; ${describeSkipped(workload.skipped)}`;
  process.stdout.write(report + '\n');
}
