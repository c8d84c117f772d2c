// Join the output folders of shards (or of any runs of the same sweep) into one complete sweep.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { readRunLog, type LogRow } from './log.js';
import { planSweep } from './plan.js';
import { assertSameRun, finalizeResults, missingRuns, summaryLines, summaryMarkdown, type ResultRow } from './results.js';
import { writeFilesAtomically } from '../io/files.js';
import { checkConsistentProvenance } from './provenance.js';
import { readSweepRecord, RUN_LOG, SWEEP_RECORD, writeSweepResults, type SweepRecord } from './runner.js';

export interface MergeOutcome {
  record: SweepRecord;
  results: ResultRow[];
  summary: string;
}

/**
 * Merge sweep folders into outDir. All must hold the same suite with the same schedulers; a run
 * found in several folders must have the same inputs and metrics (wall time aside) and is kept
 * once; together they must cover every run of the suite.
 */
export function mergeSweeps(dirs: readonly string[], outDir: string): MergeOutcome {
  if (dirs.length === 0) throw new InputError('bad_option', 'give at least one sweep folder to merge', { field: 'dirs' });
  const out = resolve(outDir);
  if (dirs.some((d) => resolve(d) === out)) throw new InputError('bad_option', 'the output folder must not be one of the merged folders', { file: outDir, field: 'out' });
  if (existsSync(join(outDir, SWEEP_RECORD)) || existsSync(join(outDir, RUN_LOG))) {
    throw new InputError('sweep_exists', 'the output folder already holds a sweep: choose another --out', { file: outDir, field: 'out' });
  }

  let first: SweepRecord | undefined;
  const shards: string[] = [];
  const rows = new Map<string, { row: LogRow; dir: string }>();
  const copies: { row: LogRow; dir: string }[] = [];
  for (const dir of dirs) {
    const record = readSweepRecord(dir);
    if (!record) throw new InputError('not_a_sweep', `no ${SWEEP_RECORD} here: not a carbon-sim bench output folder`, { file: dir });
    if (!first) first = record;
    else if (JSON.stringify([record.suite, record.schedulers]) !== JSON.stringify([first.suite, first.schedulers])) {
      throw new InputError('sweep_mismatch', `holds a different sweep than ${dirs[0]} (suite or available schedulers differ)`, { file: join(dir, SWEEP_RECORD) });
    }
    shards.push(record.shard ?? 'all');
    for (const row of readRunLog(join(dir, RUN_LOG)).rows) copies.push({ row, dir });
  }
  checkConsistentProvenance(copies); // different inputs first: that is the cause of any differing copies
  for (const { row, dir } of copies) {
    const seen = rows.get(row.id);
    if (seen) assertSameRun(seen.row, row, `${seen.dir} and ${dir}`);
    else rows.set(row.id, { row, dir });
  }
  const record: SweepRecord = { ...first!, shard: null };
  const planned = planSweep(record.suite, record.schedulers);
  const plannedIds = new Set(planned.map((r) => r.id));
  for (const { row, dir } of rows.values()) {
    if (!plannedIds.has(row.id)) throw new InputError('bad_run_log', `run ${row.id} is not part of the suite`, { file: join(dir, RUN_LOG), field: 'id' });
  }
  const byId = new Map([...rows].map(([id, { row }]) => [id, row]));
  const missing = missingRuns(planned, byId);
  if (missing.length > 0) {
    throw new InputError(
      'incomplete_sweep',
      `${missing.length} of ${planned.length} runs are missing (folders hold shards ${shards.join(', ')}); finish them with --resume or run the missing shards`,
      { field: 'dirs' },
    );
  }

  const results = finalizeResults(planned, byId);
  const summary = summaryMarkdown(summaryLines(results, { ...record.suite, schedulers: record.schedulers }), {
    suiteName: record.suite.name,
    description: record.suite.description,
    skippedSchedulers: record.schedulers_skipped,
    baselineRuns: results.filter((r) => r.role === 'baseline').length,
    shard: null,
  });
  // The merged folder is a complete sweep of its own: its log holds every run once, in id order.
  const log = planned.map((r) => JSON.stringify(byId.get(r.id)) + '\n').join('');
  writeFilesAtomically(outDir, { [SWEEP_RECORD]: JSON.stringify(record, null, 2) + '\n', [RUN_LOG]: log });
  writeSweepResults(outDir, results, summary);
  return { record, results, summary };
}
