// GAIA policy comparison (issue 6): pai_1k with --max-wait 6hx24h on three bundled regions.
// Prints markdown tables of carbon normalised to agnostic and mean waiting time per scheduler:
// first for the week the traces start with (the issue's run), then averaged over twelve weeks,
// one starting on the first of each month, to show which orderings hold beyond one week.
// Run `npx tsup` first; usage: node bench/gaia-compare.mjs [region ...]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMaxWait, runWorkload, schedulerNames } from '../dist/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORKLOAD = join(ROOT, 'traces/workloads/pai_1k.csv');
const MAX_WAIT = '6hx24h';
const REGIONS = process.argv.length > 2 ? process.argv.slice(2) : ['DE-2023', 'GB-2023', 'US-CAL-CISO-2023'];

/** [label, scheduler, options]: the issue's eight, then GAIA's own set-ups of its two length-based policies. */
const RUNS = [
  ['agnostic', 'agnostic', {}],
  ['lowest-slot', 'lowest-slot', {}],
  ['lowest-window', 'lowest-window', {}],
  ['carbon-time', 'carbon-time', {}],
  ['ecovisor', 'ecovisor', {}],
  ['waitawhile', 'waitawhile', {}],
  ['oracle', 'oracle', {}],
  ['lp', 'lp', {}],
  ['lowest-window, arrival grid, average length (GAIA `waiting`)', 'lowest-window', { startGrid: 'arrival', length: 'average' }],
  ['carbon-time, arrival grid, average length (GAIA `cst_average`)', 'carbon-time', { startGrid: 'arrival', length: 'average' }],
];

const known = new Set(schedulerNames());
const missing = [...new Set(RUNS.map(([, s]) => s))].filter((s) => !known.has(s));
const runs = RUNS.filter(([, s]) => known.has(s));
console.log(`registered: ${[...known].join(', ')}`);
if (missing.length) console.log(`not registered, skipped: ${missing.join(', ')}`);

/** One week of pai_1k from `start` (ISO; undefined = the trace's first hour) under every scheduler. */
async function week(region, start) {
  const rows = [];
  let agnostic;
  for (const [label, scheduler, options] of runs) {
    const t0 = performance.now();
    const out = await runWorkload({
      workload: WORKLOAD,
      carbon: region,
      scheduler,
      deadlineRule: parseMaxWait(MAX_WAIT),
      events: false,
      ...(start && { start }),
      ...options,
    });
    const seconds = (performance.now() - t0) / 1000;
    const results = out.simulation.results;
    agnostic ??= results;
    const worse = results.filter((r, i) => r.carbonG > agnostic[i].carbonG * (1 + 1e-9)).length;
    rows.push({ label, summary: out.summary, normalised: NaN, worse, seconds });
  }
  const base = rows[0].summary.carbon_g;
  for (const r of rows) r.normalised = r.summary.carbon_g / base;
  return rows;
}

const f = (x, d) => x.toFixed(d);
const t0 = performance.now();

console.log(`\n## pai_1k from the first hour of each trace, --max-wait ${MAX_WAIT}\n`);
console.log('| region | scheduler | carbon (kg) | normalised carbon | mean wait (h) | interruptions | jobs above agnostic | runtime (s) |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const region of REGIONS) {
  for (const r of await week(region)) {
    const s = r.summary;
    if (s.missed_deadlines) throw new Error(`${region} ${r.label}: ${s.missed_deadlines} missed deadlines`);
    console.log(`| ${region} | ${r.label} | ${f(s.carbon_g / 1000, 3)} | ${f(r.normalised, 4)} | ${f(s.mean_wait_s / 3600, 2)} | ${s.interruptions} | ${r.worse} | ${f(r.seconds, 2)} |`);
  }
}

console.log(`\n## Mean over twelve weeks starting on the 1st of each month (normalised per week, then averaged)\n`);
console.log(`| scheduler | ${REGIONS.map((r) => `${r} carbon | ${r} wait (h)`).join(' | ')} |`);
console.log(`|---|${REGIONS.map(() => '---:|---:').join('|')}|`);
const table = new Map(runs.map(([label]) => [label, []]));
for (const region of REGIONS) {
  const year = /(\d{4})$/.exec(region)?.[1] ?? '2023';
  const sums = new Map();
  for (let m = 1; m <= 12; m++) {
    for (const r of await week(region, `${year}-${String(m).padStart(2, '0')}-01T00:00:00Z`)) {
      const acc = sums.get(r.label) ?? { carbon: 0, wait: 0 };
      acc.carbon += r.normalised / 12;
      acc.wait += r.summary.mean_wait_s / 3600 / 12;
      sums.set(r.label, acc);
    }
  }
  for (const [label, cells] of table) cells.push(f(sums.get(label).carbon, 4), f(sums.get(label).wait, 2));
}
for (const [label, cells] of table) console.log(`| ${label} | ${cells.join(' | ')} |`);
console.log(`\ntotal ${f((performance.now() - t0) / 1000, 1)} s`);
