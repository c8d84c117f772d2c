// Final results of a sweep: log rows joined with their agnostic baseline, sorted by run id, as
// CSV, JSONL and a markdown summary. Deterministic except the wall_s column.
import { readFileSync } from 'node:fs';
import { csvField } from '../io/csv.js';
import { InputError } from '../errors.js';
import type { RunSummary } from '../report/summary.js';
import { Adder } from '../report/sum.js';
import type { LogRow } from './log.js';
import { RUN_INPUTS, type PlannedRun } from './plan.js';
import { PROVENANCE_COLUMNS } from './provenance.js';

export const METRIC_COLUMNS = ['jobs', 'completed', 'missed_deadlines', 'energy_kwh', 'carbon_g', 'overhead_energy_kwh', 'mean_wait_s', 'interruptions'] as const satisfies readonly (keyof RunSummary)[];
export const RESULT_COLUMNS = ['id', 'role', ...RUN_INPUTS, ...METRIC_COLUMNS, 'baseline_id', 'carbon_saved_g', 'carbon_saved_pct', ...PROVENANCE_COLUMNS, 'wall_s'] as const;

export type ResultRow = LogRow & {
  role: PlannedRun['role'];
  baseline_id: string;
  /** baseline carbon - this run's carbon (g) */
  carbon_saved_g: number;
  /** 100 x saved / baseline carbon; null when the baseline emitted nothing */
  carbon_saved_pct: number | null;
};

/** Runs of the plan that have no row yet. */
export function missingRuns(planned: readonly PlannedRun[], rows: ReadonlyMap<string, LogRow>): PlannedRun[] {
  return planned.filter((r) => !rows.has(r.id));
}

/** Join every planned run with its baseline; every planned run must have a row. */
export function finalizeResults(planned: readonly PlannedRun[], rows: ReadonlyMap<string, LogRow>): ResultRow[] {
  return planned.map((run) => {
    const row = rows.get(run.id);
    const base = rows.get(run.baselineId);
    if (!row || !base) throw new Error(`run ${row ? run.baselineId : run.id} has no result`);
    const saved = base.carbon_g - row.carbon_g;
    const out: Record<string, unknown> = {};
    const full = { ...row, role: run.role, baseline_id: run.baselineId, carbon_saved_g: saved, carbon_saved_pct: base.carbon_g > 0 ? (100 * saved) / base.carbon_g : null };
    for (const c of RESULT_COLUMNS) out[c] = full[c];
    return out as unknown as ResultRow;
  });
}

/** Read results.jsonl back; a line that is not JSON is an error naming it. */
export function readResults(path: string): ResultRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line, i) => {
      if (line === '') return [];
      try {
        return [JSON.parse(line) as ResultRow];
      } catch {
        throw new InputError('bad_results', 'not a JSON line', { file: path, line: i + 1 });
      }
    });
}

export function resultsJsonl(rows: readonly ResultRow[]): string {
  return rows.map((r) => JSON.stringify(r) + '\n').join('');
}

export function resultsCsv(rows: readonly ResultRow[]): string {
  const lines = [RESULT_COLUMNS.join(',')];
  for (const r of rows) lines.push(RESULT_COLUMNS.map((c) => (r[c] === null || r[c] === undefined ? '' : csvField(r[c]))).join(','));
  return lines.join('\n') + '\n';
}

/** What must agree between two results of one run (resumed logs, shards, re-runs): all but wall time. */
export function runValues(row: LogRow): string {
  return JSON.stringify([row.id, ...RUN_INPUTS.map((k) => row[k]), ...METRIC_COLUMNS.map((k) => row[k])]);
}

/** The same run from two sources must have the same inputs and metrics. */
export function assertSameRun(a: LogRow, b: LogRow, where: string): void {
  const x = runValues(a);
  const y = runValues(b);
  if (x !== y) throw new InputError('conflicting_runs', `run ${a.id} has different results in ${where}: ${x} vs ${y}`, { field: 'id' });
}

/** One line of the summary table: the mean over seeds of one (scheduler, carbon, wait, workload, forecast). */
export interface SummaryLine {
  scheduler: string;
  carbon: string;
  max_wait: string;
  workload: string;
  forecast: string;
  seeds: number;
  jobs: number;
  carbon_kg: number;
  carbon_saved_pct: number | null;
  mean_wait_h: number;
  overhead_energy_kwh: number;
  missed_deadlines: number;
  interruptions: number;
}

/** Suite rows grouped over seeds, in the order of the suite's lists. */
export function summaryLines(rows: readonly ResultRow[], order: { schedulers: readonly string[]; carbon: readonly string[]; max_wait: readonly string[]; workloads: readonly string[]; forecast: readonly string[] }): SummaryLine[] {
  const groups = new Map<string, ResultRow[]>();
  for (const r of rows) {
    if (r.role !== 'suite') continue;
    const key = JSON.stringify([r.scheduler, r.carbon, r.max_wait, r.workload, r.forecast]);
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const rank = (list: readonly string[], v: string): number => list.indexOf(v);
  const lines = [...groups.values()].map((g): SummaryLine => {
    const first = g[0]!;
    const mean = (f: (r: ResultRow) => number): number => +g.reduce((a, r) => a.add(f(r)), new Adder()) / g.length;
    const pcts = g.map((r) => r.carbon_saved_pct);
    return {
      scheduler: first.scheduler,
      carbon: first.carbon,
      max_wait: first.max_wait,
      workload: first.workload,
      forecast: first.forecast,
      seeds: g.length,
      jobs: first.jobs,
      carbon_kg: mean((r) => r.carbon_g) / 1000,
      carbon_saved_pct: pcts.every((p) => p !== null) ? mean((r) => r.carbon_saved_pct!) : null,
      mean_wait_h: mean((r) => r.mean_wait_s) / 3600,
      overhead_energy_kwh: mean((r) => r.overhead_energy_kwh),
      missed_deadlines: mean((r) => r.missed_deadlines),
      interruptions: mean((r) => r.interruptions),
    };
  });
  const key = (l: SummaryLine): number[] => [rank(order.carbon, l.carbon), rank(order.max_wait, l.max_wait), rank(order.workloads, l.workload), rank(order.forecast, l.forecast), rank(order.schedulers, l.scheduler)];
  return lines.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return 0;
  });
}

export const SUMMARY_HEADERS = ['scheduler', 'carbon', 'max wait', 'workload', 'forecast', 'seeds', 'jobs', 'carbon (kg)', 'saved vs agnostic (%)', 'mean wait (h)', 'overhead (kWh)', 'missed', 'interruptions'] as const;

/** Cells of a summary line as text (numbers rounded for reading; full precision is in results.csv). */
export function summaryCells(l: SummaryLine): string[] {
  return [
    l.scheduler,
    l.carbon,
    l.max_wait,
    l.workload,
    l.forecast,
    String(l.seeds),
    String(l.jobs),
    fixed(l.carbon_kg, 3),
    l.carbon_saved_pct === null ? 'n/a' : fixed(l.carbon_saved_pct, 2),
    fixed(l.mean_wait_h, 2),
    fixed(l.overhead_energy_kwh, 4),
    fmtCount(l.missed_deadlines),
    fmtCount(l.interruptions),
  ];
}

/** x rounded for reading; a value that rounds to zero reads 0, whatever the sign of its residue. */
function fixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

function fmtCount(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

export function markdownTable(headers: readonly string[], rows: readonly string[][]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => /^-?[\d.]+(e[+-]?\d+)?$|^n\/a$/.test(r[i] ?? '')));
  const lines = [`| ${headers.map(esc).join(' | ')} |`, `|${numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.map(esc).join(' | ')} |`);
  return lines.join('\n') + '\n';
}

export interface SweepNotes {
  suiteName: string;
  description: string;
  skippedSchedulers: readonly string[];
  baselineRuns: number;
  shard: string | null;
}

/** summary.md: what ran, what was skipped, and the grouped table. */
export function summaryMarkdown(lines: readonly SummaryLine[], notes: SweepNotes): string {
  const parts = [`# carbon-sim bench: ${notes.suiteName}${notes.shard ? ` (shard ${notes.shard})` : ''}`, ''];
  if (notes.description) parts.push(notes.description, '');
  if (notes.skippedSchedulers.length > 0) parts.push(`Skipped optional schedulers (not registered): ${notes.skippedSchedulers.join(', ')}.`, '');
  if (notes.baselineRuns > 0) parts.push(`${notes.baselineRuns} agnostic baseline run(s) were added for "saved vs agnostic" (role "baseline" in results.csv).`, '');
  parts.push('Means over seeds; saved = (agnostic carbon - carbon) / agnostic carbon of the same carbon, wait, workload, forecast and seed.', '');
  parts.push(markdownTable(SUMMARY_HEADERS, lines.map(summaryCells)));
  return parts.join('\n');
}
