import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CarbonColumn } from '../carbon/csv.js';
import type { ExtendMode } from '../carbon/signal.js';
import { eventsCsv, eventsJsonl } from '../cluster/eventlog.js';
import { InputError } from '../errors.js';
import { jobsCsv, summaryTable } from '../report/summary.js';
import { runWorkload, type RunOptions } from '../run.js';
import { parseDuration } from '../units.js';
import { parseMaxWait } from '../workload/deadlines.js';
import type { TimeUnit } from '../workload/trace.js';

function positiveNumber(text: string, field: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0) throw new InputError('bad_option', `"${text}" must be a non-negative number`, { field });
  return v;
}

export async function runCommand(workload: string, opts: Record<string, string>): Promise<void> {
  const options: RunOptions = {
    workload,
    carbon: opts.carbon!,
    scheduler: opts.scheduler!,
    deadlineRule: parseMaxWait(opts.maxWait!),
    seed: opts.seed!,
    timeUnit: opts.timeUnit as TimeUnit,
    wattsPerCpu: positiveNumber(opts.wattsPerCpu!, 'watts-per-cpu'),
    carbonColumn: opts.carbonColumn as CarbonColumn,
    extend: opts.extend as ExtendMode,
    events: opts.out !== undefined,
  };
  if (opts.slot !== undefined) {
    options.slotS = parseDuration(opts.slot, 'slot');
    if (!(options.slotS > 0)) throw new InputError('bad_option', 'slot must be positive', { field: 'slot' });
  }
  if (opts.start !== undefined) options.start = opts.start;
  if (opts.plan !== undefined) options.plan = opts.plan;
  if (opts.plan !== undefined && opts.scheduler !== 'replay') {
    throw new InputError('bad_option', '--plan is only used by --scheduler replay', { field: 'plan' });
  }

  const out = await runWorkload(options);

  // Render everything before writing anything: bad input never leaves partial files.
  let stdout: string;
  if (opts.format === 'json') stdout = JSON.stringify({ summary: out.summary, jobs: out.jobs }) + '\n';
  else if (opts.format === 'csv') stdout = jobsCsv(out.jobs);
  else {
    const title = `carbon-sim run: ${workload} | scheduler ${opts.scheduler} | carbon ${opts.carbon} (${opts.carbonColumn}) | max wait ${opts.maxWait}`;
    stdout = summaryTable(out.summary, title);
  }
  if (opts.out !== undefined) {
    writeFilesAtomically(opts.out, {
      'events.csv': eventsCsv(out.events),
      'events.jsonl': eventsJsonl(out.events),
      'summary.json':
        JSON.stringify(
          {
            inputs: {
              workload,
              carbon: opts.carbon,
              carbon_column: opts.carbonColumn,
              scheduler: opts.scheduler,
              max_wait: opts.maxWait,
              slot_s: out.simulation.slotS,
              seed: opts.seed,
              start: opts.start ?? null,
              epoch: new Date(out.carbon.epochMs).toISOString(),
              time_unit: opts.timeUnit,
              watts_per_cpu: options.wattsPerCpu,
              extend: opts.extend,
            },
            summary: out.summary,
          },
          null,
          2,
        ) + '\n',
    });
  }
  process.stdout.write(stdout);
}

/** Write all files into a temporary folder inside dir, then move them into place. */
function writeFilesAtomically(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.carbon-sim-tmp-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(tmp, name), text);
    for (const name of Object.keys(files)) renameSync(join(tmp, name), join(dir, name));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
