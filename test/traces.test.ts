// The bundled carbon traces: `carbon-sim traces` lists them all, each loads and runs, and the
// listing's figures match the files read independently (a plain split of the CSV text).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledTraceNames } from '../src/carbon/load.js';
import { constantProfile, type Job } from '../src/model/jobs.js';
import { compileProfile } from '../src/model/profile.js';
import { runWorkload } from '../src/app/run.js';
import { ROOT, cli } from './helpers.js';

const HEADER = 'Datetime (UTC),Carbon Intensity gCO₂eq/kWh (direct),Carbon Intensity gCO₂eq/kWh (LCA)';

interface Row {
  time: string;
  direct: number;
  lca: number;
}

function fileRows(name: string): { header: string; rows: Row[] } {
  const [header, ...lines] = readFileSync(join(ROOT, 'traces/carbon', `${name}.csv`), 'utf8').trimEnd().split('\n');
  return {
    header: header!,
    rows: lines.map((l) => {
      const [time, direct, lca] = l.split(',');
      return { time: time!, direct: Number(direct), lca: Number(lca) };
    }),
  };
}

const names = bundledTraceNames();

describe('bundled carbon traces', () => {
  it('at least 20 region-years, named ZONE-YYYY', () => {
    expect(names.length).toBeGreaterThanOrEqual(20);
    for (const n of names) expect(n).toMatch(/^[A-Z]{2}(-[A-Z]+)*-20\d\d$/);
    expect(names).toContain('DE-2023');
  });

  it('carbon-sim traces --format json lists every name with period, resolution and the means of the file', () => {
    const r = cli(['traces', '--format', 'json']);
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as Record<string, string | number>[];
    expect(listed.map((t) => t.name)).toEqual(names);
    for (const t of listed) {
      const { header, rows } = fileRows(String(t.name));
      expect(header).toBe(HEADER);
      expect(t.rows).toBe(rows.length);
      expect(t.from).toBe(`${rows[0]!.time.replace(' ', 'T')}.000Z`);
      expect(Date.parse(String(t.to)) - Date.parse(String(t.from))).toBe(rows.length * 3_600_000);
      expect(t.resolution_s).toBe(3600);
      // hourly steps of equal length: the time-weighted mean is the plain mean of the column
      expect(t.mean_direct_g_per_kwh).toBeCloseTo(rows.reduce((s, x) => s + x.direct, 0) / rows.length, 9);
      expect(t.mean_lca_g_per_kwh).toBeCloseTo(rows.reduce((s, x) => s + x.lca, 0) / rows.length, 9);
    }
  });

  it('the table shows each name with its period and the ODbL attribution', () => {
    const out = cli(['traces']).stdout;
    for (const n of names) expect(out).toMatch(new RegExp(`^${n}\\s+\\d{4}-01-01 00:00\\s+\\d{4}-01-01 00:00\\s+87[68][04]\\s+1h\\s`, 'm'));
    expect(out).toContain('Electricity Maps data (ODbL); DE is the DE-LU bidding zone.');
  });

  it('traces/README.md gives the attribution, the DE-LU zone and what was trimmed', () => {
    const readme = readFileSync(join(ROOT, 'traces/README.md'), 'utf8');
    expect(readme).toContain('Electricity Maps, ODbL');
    expect(readme).toContain('DE-LU bidding zone');
    expect(readme).toMatch(/What was trimmed/);
  });

  // A 1 kW job of one hour starting at hour k emits exactly that hour's intensity in grams.
  it.each(names)('a run on %s charges each hour the value in the file (direct and LCA)', async (name) => {
    const { rows } = fileRows(name);
    const hours = [0, 1234, rows.length - 1];
    const jobs: Job[] = hours.map((h) => ({
      id: `h${h}`,
      type: 'constant',
      arrival: h * 3600,
      deadline: (h + 1) * 3600,
      cpus: 1,
      profile: compileProfile(constantProfile(3600, 1000)),
    }));
    for (const column of ['direct', 'lca'] as const) {
      const out = await runWorkload({ workload: jobs, carbon: name, scheduler: 'oracle', carbonColumn: column, events: false });
      expect(out.jobs.map((j) => j.carbon_g)).toEqual(hours.map((h) => rows[h]![column]));
      expect(out.summary.missed_deadlines).toBe(0);
    }
  });
});
