// One self-contained HTML report: inline SVG charts and tables, no scripts, no external URLs.
import { barsSpec, clusterPowerSpec, powerSpec, queueSpec, renderSvg, savingSpec, timelineSpec, type BarDatum, type RunChartData, type SavingDatum } from './charts.js';

export interface ReportTable {
  title: string;
  headers: readonly string[];
  rows: readonly (readonly string[])[];
  /** placed after the charts (long reference tables such as the inputs) */
  after?: boolean;
}

export interface ReportInput {
  title: string;
  /** paragraphs under the title (what ran, what was skipped or subset) */
  notes: readonly string[];
  /** one timeline and one power chart per run */
  runs: readonly RunChartData[];
  /** carbon and wait per group and scheduler, the carbon-agnostic baseline (BASELINE_LABEL) included */
  bars: readonly BarDatum[];
  /** scheduler order of the bars, the baseline last */
  schedulers: readonly string[];
  /** saving against the baseline per group and scheduler (the baseline itself not among them) */
  savings: readonly SavingDatum[];
  tables: readonly ReportTable[];
}

export interface RenderedReport {
  html: string;
  /** each chart as a standalone SVG, by name (`bars`, `saving`, `timeline-1-oracle`): `<name>.svg` in the charts folder */
  svgs: { name: string; svg: string }[];
}

const STYLE = `body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}p{font-size:14px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{border:1px solid #ccc;padding:3px 8px}
th{background:#f3f3f3;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:12px 0}svg{max-width:100%;height:auto}`;

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
}

/**
 * Inline form of a standalone SVG: HTML parses <svg> into the SVG namespace by itself, so the
 * namespace declarations (URLs) are dropped and the page names no external address.
 */
function inlineSvg(svg: string): string {
  return svg.replace(/\s+xmlns(:xlink)?="[^"]*"/g, '');
}

function table(t: ReportTable): string {
  // numbers, with or without a unit, align right
  const numeric = (s: string): boolean => /^[-+]?\d[\d.,]*(e[+-]?\d+)?( .*)?$/.test(s) || s === 'n/a';
  const head = `<tr>${t.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td${numeric(c) ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<h2>${escapeHtml(t.title)}</h2>\n<table>\n${head}\n${body}\n</table>`;
}

/**
 * Render every chart and assemble the page. The same input gives the same bytes. `chartsFolder`:
 * the folder name beside the HTML that holds the charts as SVG files, named in the page.
 */
export async function renderReport(input: ReportInput, chartsFolder?: string): Promise<RenderedReport> {
  const svgs: RenderedReport['svgs'] = [];
  const sections: string[] = [];
  if (input.bars.length > 0) {
    svgs.push({ name: 'bars', svg: await renderSvg(barsSpec(input.bars, input.schedulers)) });
  }
  if (input.savings.length > 0) {
    svgs.push({ name: 'saving', svg: await renderSvg(savingSpec(input.savings, input.schedulers.filter((s) => input.savings.some((x) => x.scheduler === s)))) });
  }
  for (const [i, run] of input.runs.entries()) {
    const name = `${i + 1}-${slug(run.label)}`;
    svgs.push({ name: `timeline-${name}`, svg: await renderSvg(timelineSpec(run)) });
    svgs.push({ name: `power-${name}`, svg: await renderSvg(powerSpec(run)) });
    if (run.cluster) {
      svgs.push({ name: `cluster-power-${name}`, svg: await renderSvg(clusterPowerSpec(run)) });
      svgs.push({ name: `queue-${name}`, svg: await renderSvg(queueSpec(run)) });
    }
  }
  for (const s of svgs) sections.push(`<figure id="${s.name}">\n${inlineSvg(s.svg)}\n</figure>`);
  const html = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(input.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(input.title)}</h1>`,
    ...input.notes.map((n) => `<p>${escapeHtml(n)}</p>`),
    ...input.tables.filter((t) => !t.after).map(table),
    '<h2>Charts</h2>',
    ...(chartsFolder !== undefined ? [`<p>Each chart is also a standalone SVG file in ${escapeHtml(chartsFolder)}/ beside this page.</p>`] : []),
    ...sections,
    ...input.tables.filter((t) => t.after).map(table),
    '</body>',
    '</html>',
    '',
  ].join('\n');
  return { html, svgs };
}
