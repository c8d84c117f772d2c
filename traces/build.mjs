// Rebuilds the bundled traces from the reference data (run from the repo root:
// node traces/build.mjs [DATA], DATA defaulting to ../shared/data). A maintainer's tool: it is not
// in the npm package. Carbon: Electricity Maps hourly exports trimmed to timestamp + direct + LCA
// intensity (ODbL; see traces/README.md). Each output is checked: one row per UTC hour, no
// duplicates, no empty values.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DATA = process.argv[2] ?? '../shared/data';
const SRC = join(DATA, 'carbon/electricitymaps');
const PAI = join(DATA, 'workloads/gaia/pai_1k.csv');
for (const need of [SRC, PAI]) {
  if (!existsSync(need)) {
    console.error(`traces/build.mjs: ${need} is absent: give the reference data folder, node traces/build.mjs DATA (default ../shared/data)`);
    process.exit(1);
  }
}
const OUT = 'traces/carbon';
const ZONE_NAMES = { 'DE-LU': 'DE' }; // the German bidding zone is DE-LU; users say DE
const TIME = 'Datetime (UTC)';
const DIRECT = 'Carbon Intensity gCO₂eq/kWh (direct)';
const LCA = 'Carbon Intensity gCO₂eq/kWh (LCA)';
const HOUR_MS = 3_600_000;

mkdirSync(OUT, { recursive: true });
for (const f of readdirSync(SRC).sort()) {
  const m = /^(.+)_(\d{4})_hourly\.csv$/.exec(f);
  if (!m) continue;
  const [, zone, year] = m;
  const lines = readFileSync(join(SRC, f), 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const [ti, di, li] = [TIME, DIRECT, LCA].map((c) => header.indexOf(c));
  if (ti < 0 || di < 0 || li < 0) throw new Error(`${f}: unexpected header`);
  // Electricity Maps fields hold no quoted commas, so a plain split is exact here.
  const out = [`${TIME},${DIRECT},${LCA}`];
  let previous = NaN;
  for (const [i, line] of lines.slice(1).entries()) {
    const c = line.split(',');
    const t = Date.parse(`${c[ti].replace(' ', 'T')}Z`);
    if (i > 0 && t - previous !== HOUR_MS) throw new Error(`${f}:${i + 2}: ${c[ti]} is not one hour after the previous row`);
    if (c[di] === '' || c[li] === '') throw new Error(`${f}:${i + 2}: empty intensity`);
    previous = t;
    out.push(`${c[ti]},${c[di]},${c[li]}`);
  }
  const name = `${ZONE_NAMES[zone] ?? zone}-${year}`;
  writeFileSync(join(OUT, `${name}.csv`), out.join('\n') + '\n');
  console.log(`${name}: ${out.length - 1} rows`);
}
copyFileSync(PAI, 'traces/workloads/pai_1k.csv');
