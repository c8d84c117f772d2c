import { join } from 'node:path';
import { readCarbonColumns } from '../carbon/csv.js';
import { bundledTraceNames, bundledTracesDir, readCarbonText, signalFromTable } from '../carbon/load.js';
import type { CarbonSignal } from '../carbon/signal.js';
import { formatDurationS, regularize } from '../carbon/transform.js';
import { csvField } from '../io/csv.js';

/** One bundled trace as `carbon-sim traces` lists it. */
export interface TraceInfo {
  name: string;
  /** first instant covered (UTC) */
  from: string;
  /** end of the last step (UTC, exclusive) */
  to: string;
  rows: number;
  resolution_s: number;
  /** time-weighted mean intensity over the whole trace (gCO2/kWh) */
  mean_direct_g_per_kwh: number;
  mean_lca_g_per_kwh: number;
}

export function traceInfo(name: string): TraceInfo {
  const text = readCarbonText(join(bundledTracesDir(), `${name}.csv`), name);
  const [direct, lca] = readCarbonColumns(text, { file: name, columns: ['direct', 'lca'] }).map((rows) =>
    signalFromTable(regularize(rows, 'none'), name),
  ) as [CarbonSignal, CarbonSignal];
  return {
    name,
    from: new Date(direct.epochMs + direct.start * 1000).toISOString(),
    to: new Date(direct.epochMs + direct.end * 1000).toISOString(),
    rows: direct.values.length,
    resolution_s: direct.resolutionS,
    mean_direct_g_per_kwh: direct.meanIntensity(direct.start, direct.end),
    mean_lca_g_per_kwh: lca.meanIntensity(lca.start, lca.end),
  };
}

const COLUMNS = ['name', 'from', 'to', 'rows', 'resolution_s', 'mean_direct_g_per_kwh', 'mean_lca_g_per_kwh'] as const;

/** `carbon-sim traces`: bundled names with period, resolution and mean intensity. */
export function tracesCommand(opts: { format?: string } = {}): void {
  const infos = bundledTraceNames().map(traceInfo);
  let out: string;
  if (opts.format === 'json') out = JSON.stringify(infos) + '\n';
  else if (opts.format === 'csv') out = [COLUMNS.join(','), ...infos.map((i) => COLUMNS.map((c) => csvField(i[c])).join(','))].join('\n') + '\n';
  else out = table(infos);
  process.stdout.write(out);
}

function table(infos: TraceInfo[]): string {
  const head = ['name', 'from (UTC)', 'to (UTC)', 'rows', 'resolution', 'mean direct', 'mean LCA (gCO2/kWh)'];
  const rows = infos.map((i) => [
    i.name,
    i.from.slice(0, 16).replace('T', ' '),
    i.to.slice(0, 16).replace('T', ' '),
    String(i.rows),
    formatDurationS(i.resolution_s),
    i.mean_direct_g_per_kwh.toFixed(1),
    i.mean_lca_g_per_kwh.toFixed(1),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string => cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ');
  const footer = 'Electricity Maps data (ODbL); DE is the DE-LU bidding zone. Use a name as --carbon NAME.';
  return [line(head), ...rows.map(line), footer].join('\n') + '\n';
}
