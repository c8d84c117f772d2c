#!/usr/bin/env node
// Workload loading, 1M rows: csv-parse (what the general path of parseWorkload calls) against other
// parsers and the typed-column fast path of src/io/fast-csv.ts, on the same text, numbers out in every
// case (a parser that yields strings is followed by Number() on each cell, as parseWorkload does).
// Then parseWorkload end to end, fast path against general path.
//
// Other parsers are optional: `udsv`, `d3-dsv` and `papaparse` are imported from the project, else
// from PARSERS_DIR (a folder with node_modules, e.g. `npm install --prefix /tmp/p udsv d3-dsv papaparse`),
// else skipped. Needs the built dist/ and esbuild (a tsup dependency) to bundle fast-csv.ts.
// Usage: node bench/parse.mjs [--rows 1000000] [--reps 5]
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadavg } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const lib = await import(join(root, 'dist', 'index.js'));
const option = (name, fallback) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : fallback);
const ROWS = Number(option('rows', '1000000'));
const REPS = Number(option('reps', '5'));

// fast-csv.ts is internal (not exported by the package): bundle it on its own
const { buildSync } = await import('esbuild');
const out = join(mkdtempSync(join(tmpdir(), 'carbon-sim-parse-')), 'fast-csv.mjs');
buildSync({ entryPoints: [join(root, 'src', 'io', 'fast-csv.ts')], bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'error' });
const { readCsvColumns } = await import(pathToFileURL(out).href);

const requireFrom = [createRequire(join(root, 'package.json')), ...(process.env.PARSERS_DIR ? [createRequire(join(process.env.PARSERS_DIR, 'package.json'))] : [])];
async function optional(name) {
  for (const req of requireFrom) {
    try {
      const path = req.resolve(name);
      return { mod: await import(pathToFileURL(path).href), version: versionOf(path, name) };
    } catch {
      // next place
    }
  }
  return undefined;
}
/** The version in the package.json of the package folder that holds a resolved file. */
function versionOf(path, name) {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    if (dir.endsWith(`node_modules/${name}`)) return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  }
  return '?';
}
const csvParse = await import('csv-parse/sync');
const csvParseVersion = versionOf(createRequire(join(root, 'package.json')).resolve('csv-parse/sync'), 'csv-parse');
const udsv = await optional('udsv');
const d3 = await optional('d3-dsv');
const papa = await optional('papaparse');

// inputs: 1M rows resampled (seed 1) from pai-100k, times rounded to ms as the sweeps write them; and
// pai-100k's own text (up to 17 significant digits per cell) repeated to 1M rows
const source = join(root, '..', 'shared', 'data', 'workloads', 'gaia', 'pai-100k.csv');
let sourceText;
try {
  sourceText = readFileSync(source, 'utf8');
} catch {
  sourceText = readFileSync(join(root, 'traces', 'workloads', 'pai_1k.csv'), 'utf8');
}
const specs = lib.parseWorkload(sourceText, { timeUnit: 'h' });
const synth = lib.synthesizeWorkloadCsv(specs, ROWS, 1);
const body = sourceText.slice(sourceText.indexOf('\n') + 1);
const bodyRows = body.split('\n').filter((l) => l !== '').length;
const repeated = sourceText.slice(0, sourceText.indexOf('\n') + 1) + body.repeat(Math.ceil(ROWS / bodyRows));

const numbers = (rows) => {
  // Number() on every cell, into columns: what each string parser leaves to do
  const n = rows.length;
  const a = new Float64Array(n);
  const l = new Float64Array(n);
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    a[i] = Number(r[0]);
    l[i] = Number(r[1]);
    c[i] = Number(r[2]);
  }
  return n;
};

const parsers = {
  [`csv-parse ${csvParseVersion} (sync, as parseWorkload calls it) + Number()`]: (text) =>
    numbers(csvParse.parse(text, { delimiter: ',', trim: true, bom: true, relax_column_count: true, skip_empty_lines: false, from_line: 2 })),
  ...(udsv && {
    [`udsv ${udsv.version} typedCols`]: (text) => {
      const schema = udsv.mod.inferSchema(text, { trim: true });
      return udsv.mod.initParser(schema).typedCols(text)[0].length;
    },
    [`udsv ${udsv.version} stringArrs + Number()`]: (text) => {
      const schema = udsv.mod.inferSchema(text, { trim: true });
      return numbers(udsv.mod.initParser(schema).stringArrs(text));
    },
  }),
  ...(d3 && { [`d3-dsv ${d3.version} csvParseRows + Number()`]: (text) => numbers(d3.mod.csvParseRows(text).slice(1)) }),
  ...(papa && { [`papaparse ${papa.version} + Number()`]: (text) => numbers((papa.mod.default ?? papa.mod).parse(text, { skipEmptyLines: true }).data.slice(1)) }),
  'fast path: readCsvColumns (typed columns, every cell rule checked)': (text) => readCsvColumns(text, ',').rows,
};

function best(f) {
  let min = Infinity;
  let result;
  for (let r = -1; r < REPS; r++) {
    globalThis.gc?.();
    const t0 = performance.now();
    result = f();
    const t = performance.now() - t0;
    if (r >= 0) min = Math.min(min, t);
  }
  return { ms: min, result };
}

console.log(`carbon-sim parse bench | node ${process.version} | ${ROWS.toLocaleString('en')} rows | min of ${REPS} after a warm-up | load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const [label, text] of [
  [`resampled pai-100k, ms-rounded (${(synth.length / 1e6).toFixed(1)} MB)`, synth],
  [`pai-100k text repeated (${(repeated.length / 1e6).toFixed(1)} MB, up to 17 significant digits)`, repeated],
]) {
  console.log(`\n${label}`);
  console.log(`  ${'parser'.padEnd(72)} ${'ms'.padStart(8)} ${'M rows/s'.padStart(9)}`);
  for (const [name, f] of Object.entries(parsers)) {
    const { ms, result } = best(() => f(text));
    console.log(`  ${name.padEnd(72)} ${ms.toFixed(0).padStart(8)} ${(result / ms / 1e3).toFixed(2).padStart(9)}`);
  }
  // parseWorkload end to end; a byte-order mark in front sends the same text down the general path
  // (the fast path declines it; csv-parse drops it and parses exactly the same rows)
  const bom = '\uFEFF' + text;
  const general = best(() => lib.parseWorkload(bom, { timeUnit: 's' }).length);
  const fast = best(() => lib.parseWorkload(text, { timeUnit: 's' }).length);
  console.log(`  ${'parseWorkload, general path (csv-parse + row rules; the text after a BOM)'.padEnd(72)} ${general.ms.toFixed(0).padStart(8)} ${(general.result / general.ms / 1e3).toFixed(2).padStart(9)}`);
  console.log(`  ${'parseWorkload, fast path (typed columns + specs, shared profiles)'.padEnd(72)} ${fast.ms.toFixed(0).padStart(8)} ${(fast.result / fast.ms / 1e3).toFixed(2).padStart(9)}`);
}
console.log(`\nload average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
