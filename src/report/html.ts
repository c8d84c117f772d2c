// One self-contained HTML report: inline SVG charts and tables, no scripts, no external URLs.
import { barsSpec, clusterPowerSpec, powerSpec, queueSpec, renderSvg, timelineSpec, type BarDatum, type RunChartData } from './charts.js';

export interface ReportTable {
  title: string;
  headers: readonly string[];
  rows: readonly (readonly string[])[];
}

export interface ReportInput {
  title: string;
  /** paragraphs under the title (what ran, what was skipped or subset) */
  notes: readonly string[];
  /** one timeline and one power chart per run */
  runs: readonly RunChartData[];
  bars: readonly BarDatum[];
  /** scheduler order of the bars */
  schedulers: readonly string[];
  tables: readonly ReportTable[];
}

export interface RenderedReport {
  html: string;
  /** each chart as a standalone SVG file, by file-name suffix (`bars`, `timeline-1-oracle`) */
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
  const numeric = (s: string): boolean => /^-?[\d.,]+(e[+-]?\d+)?$/.test(s);
  const head = `<tr>${t.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td${numeric(c) ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<h2>${escapeHtml(t.title)}</h2>\n<table>\n${head}\n${body}\n</table>`;
}

/** Render every chart and assemble the page. The same input gives the same bytes. */
export async function renderReport(input: ReportInput): Promise<RenderedReport> {
  const svgs: RenderedReport['svgs'] = [];
  const sections: string[] = [];
  if (input.bars.length > 0) {
    svgs.push({ name: 'bars', svg: await renderSvg(barsSpec(input.bars, input.schedulers)) });
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
    ...input.tables.map(table),
    '<h2>Charts</h2>',
    ...sections,
    '</body>',
    '</html>',
    '',
  ].join('\n');
  return { html, svgs };
}
