// carbon-sim bench through the built CLI: rows equal `run`, resume after SIGKILL, shards + merge.
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResultRow } from '../src/sweep/results.js';
import { METRIC_COLUMNS } from '../src/sweep/results.js';
import { cli, ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-bench-'));
copyFileSync(join(ROOT, 'traces', 'workloads', 'pai_1k.csv'), join(dir, 'pai_1k.csv'));

function writeSuite(name: string, suite: Record<string, unknown>): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ name, workloads: ['pai_1k.csv'], ...suite }));
  return path;
}

function results(out: string): ResultRow[] {
  return readFileSync(join(out, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ResultRow);
}

/** Everything a sweep folder reports, wall times aside. */
function outputs(out: string): { rows: Omit<ResultRow, 'wall_s'>[]; csv: string[]; summary: string } {
  return {
    rows: results(out).map(({ wall_s: _w, ...rest }) => rest),
    csv: readFileSync(join(out, 'results.csv'), 'utf8')
      .split('\n')
      .map((l) => l.replace(/,[^,]*$/, '')),
    summary: readFileSync(join(out, 'summary.md'), 'utf8'),
  };
}

function logLines(out: string): number {
  const path = join(out, 'runs.jsonl');
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0;
}

describe('a 2 x 2 x 2 sweep', () => {
  const suite = writeSuite('grid', { schedulers: ['oracle', 'waitawhile'], carbon: ['DE-2023', 'GB-2023'], max_wait: ['6h', '24h'] });
  const out = join(dir, 'grid-out');
  let code = -1;
  let stdout = '';
  beforeAll(() => {
    ({ code, stdout } = cli(['bench', suite, '--out', out, '--workers', '2']));
  });

  it('gives 8 suite rows (and 4 agnostic baselines) whose metrics equal individual run calls', () => {
    expect(code).toBe(0);
    const rows = results(out);
    expect(rows.filter((r) => r.role === 'suite')).toHaveLength(8);
    expect(rows.filter((r) => r.role === 'baseline').map((r) => r.scheduler)).toEqual(['agnostic', 'agnostic', 'agnostic', 'agnostic']);
    for (const r of rows) {
      const run = cli(['run', 'pai_1k.csv', '--carbon', r.carbon, '--scheduler', r.scheduler, '--max-wait', r.max_wait, '--format', 'json'], { cwd: dir });
      expect(run.code).toBe(0);
      const summary = (JSON.parse(run.stdout) as { summary: Record<string, number> }).summary;
      for (const m of METRIC_COLUMNS) expect([r.id, m, r[m]]).toEqual([r.id, m, summary[m]]);
    }
  });

  it('saved vs agnostic is the baseline row of the same carbon and wait minus the run', () => {
    const rows = results(out);
    for (const r of rows) {
      const base = rows.find((b) => b.id === r.baseline_id)!;
      expect([base.scheduler, base.carbon, base.max_wait]).toEqual(['agnostic', r.carbon, r.max_wait]);
      expect(r.carbon_saved_g).toBe(base.carbon_g - r.carbon_g);
    }
  });

  it('prints the markdown summary, also written to summary.md', () => {
    expect(stdout).toContain(readFileSync(join(out, 'summary.md'), 'utf8'));
    expect(stdout.match(/^\| (oracle|waitawhile) \|/gm)).toHaveLength(8);
  });

  it('refuses to write into a folder holding a sweep without --resume; --resume of a finished sweep redoes nothing', () => {
    const again = cli(['bench', suite, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a sweep: pass --resume/);
    const before = readFileSync(join(out, 'runs.jsonl'), 'utf8');
    const resumed = cli(['bench', suite, '--out', out, '--resume']);
    expect(resumed.code).toBe(0);
    expect(readFileSync(join(out, 'runs.jsonl'), 'utf8')).toBe(before);
  });

  it('refuses to resume a different suite into the folder', () => {
    const other = writeSuite('grid', { schedulers: ['oracle'], carbon: ['DE-2023', 'GB-2023'], max_wait: ['6h', '24h'] });
    const r = cli(['bench', other, '--out', out, '--resume']);
    writeSuite('grid', { schedulers: ['oracle', 'waitawhile'], carbon: ['DE-2023', 'GB-2023'], max_wait: ['6h', '24h'] });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds a different sweep/);
  });
});

describe('forecasts, seeds, calendar rules and settings reach each run as on the command line', () => {
  it('rows equal run --forecast --seed --deadline/--max-wait --timezone --slot', () => {
    const suite = writeSuite('dims', {
      schedulers: ['waitawhile'],
      carbon: ['DE-2023'],
      max_wait: ['next-workday', '6hx24h'],
      forecast: ['gaussian:0.1'],
      seeds: [3],
      slot: '30m',
      timezone: 'Europe/Berlin',
    });
    const out = join(dir, 'dims-out');
    const r = cli(['bench', suite, '--out', out]);
    // a time zone with a wait is refused: calendar rules only
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('(field "max_wait[1]")');
    writeSuite('dims', { schedulers: ['waitawhile'], carbon: ['DE-2023'], max_wait: ['next-workday', 'semi-weekly'], forecast: ['gaussian:0.1'], seeds: [3], slot: '30m', timezone: 'Europe/Berlin' });
    expect(cli(['bench', suite, '--out', out]).code).toBe(0);
    const rows = results(out);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const args = ['run', 'pai_1k.csv', '--carbon', 'DE-2023', '--scheduler', row.scheduler, '--deadline', row.max_wait, '--timezone', 'Europe/Berlin'];
      // the suite's slot reaches the schedulers that read it; the agnostic baseline runs without it
      const slot = row.scheduler === 'waitawhile' ? ['--slot', '30m'] : [];
      const run = cli([...args, '--forecast', 'gaussian:0.1', '--seed', '3', ...slot, '--format', 'json'], { cwd: dir });
      expect(run.code).toBe(0);
      const summary = (JSON.parse(run.stdout) as { summary: Record<string, number> }).summary;
      for (const m of METRIC_COLUMNS) expect([row.id, m, row[m]]).toEqual([row.id, m, summary[m]]);
    }
    // the forecast changed what waitawhile saw: not the oracle's result
    const oracleView = cli(['run', 'pai_1k.csv', '--carbon', 'DE-2023', '--scheduler', 'waitawhile', '--deadline', 'next-workday', '--timezone', 'Europe/Berlin', '--seed', '3', '--slot', '30m', '--format', 'json'], { cwd: dir });
    const noisy = rows.find((x) => x.scheduler === 'waitawhile' && x.max_wait === 'next-workday')!;
    expect((JSON.parse(oracleView.stdout) as { summary: { carbon_g: number } }).summary.carbon_g).not.toBe(noisy.carbon_g);
  });
});

describe('bad suites fail before any run, naming the suite file and field, writing nothing', () => {
  it.each([
    [{ schedulers: ['oracle', 'no-such'] }, 'schedulers[1]', /unknown scheduler "no-such"/],
    [{ carbon: ['XX-1999'] }, 'carbon[0]', /neither a file nor a bundled name/],
    [{ max_wait: ['24h', 'soon'] }, 'max_wait[1]', /not a/],
    [{ forecast: ['psychic'] }, 'forecast[0]', /not a forecast/],
  ])('%j', (extra, field, message) => {
    const suite = writeSuite('bad', { schedulers: ['oracle'], carbon: ['DE-2023'], ...extra });
    const out = join(dir, `bad-${field}`);
    const r = cli(['bench', suite, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${suite} (field "${field}")`);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('a missing workload file is named', () => {
    const suite = join(dir, 'nowl.json');
    writeFileSync(suite, JSON.stringify({ name: 'nowl', schedulers: ['oracle'], carbon: ['DE-2023'], workloads: ['missing.csv'] }));
    const r = cli(['bench', suite, '--out', join(dir, 'nowl-out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(dir, 'missing.csv'));
  });

  it('optional schedulers that are not registered are skipped and reported, never silently', () => {
    const suite = writeSuite('optional', { schedulers: ['agnostic'], optional_schedulers: ['oracle', 'not-yet'], carbon: ['DE-2023'], max_wait: ['6h'] });
    const out = join(dir, 'optional-out');
    const r = cli(['bench', suite, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('skipped optional schedulers (not registered): not-yet');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('Skipped optional schedulers (not registered): not-yet.');
    expect(results(out).map((x) => x.scheduler).sort()).toEqual(['agnostic', 'oracle']);
  });
});

describe('a killed sweep resumes, and shards merge, to the unbroken results', () => {
  const suite = writeSuite('kill', { schedulers: ['oracle', 'waitawhile'], carbon: ['DE-2023', 'GB-2023', 'ES-2023'], max_wait: ['2h', '6h', '24h'] });
  const TOTAL = 18 + 9;
  const unbroken = join(dir, 'kill-unbroken');
  beforeAll(() => {
    expect(cli(['bench', suite, '--out', unbroken, '--workers', '1']).code).toBe(0);
  });

  it('SIGKILL midway, then --resume: same results, no row duplicated or missing, logged runs not redone', async () => {
    const out = join(dir, 'kill-resumed');
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'bench', suite, '--out', out, '--workers', '1'], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    while (logLines(out) < 3 && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const done = logLines(out);
    expect(done).toBeGreaterThanOrEqual(3);
    expect(done).toBeLessThan(TOTAL);
    expect(existsSync(join(out, 'results.csv'))).toBe(false);
    const before = readFileSync(join(out, 'runs.jsonl'), 'utf8');

    const r = cli(['bench', suite, '--out', out, '--resume', '--workers', '1']);
    expect(r.code).toBe(0);
    const log = readFileSync(join(out, 'runs.jsonl'), 'utf8');
    expect(log.startsWith(before)).toBe(true);
    expect(log.split('\n')).toHaveLength(TOTAL + 1);
    expect(outputs(out)).toEqual(outputs(unbroken));
  });

  it('a half-written last line (killed mid-write) is discarded, said so, and its run redone', () => {
    const out = join(dir, 'kill-half');
    expect(cli(['bench', suite, '--out', out, '--shard', '1/2']).code).toBe(0);
    const full = readFileSync(join(out, 'runs.jsonl'), 'utf8').split('\n');
    // drop the last row, then leave half of it as if the process died inside write()
    const last = full[full.length - 2]!;
    writeFileSync(join(out, 'runs.jsonl'), full.slice(0, -2).join('\n') + '\n' + last.slice(0, last.length >> 1));
    const r = cli(['bench', suite, '--out', out, '--shard', '1/2', '--resume']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('discarded a half-written last line of runs.jsonl');
    const lines = readFileSync(join(out, 'runs.jsonl'), 'utf8').split('\n');
    expect(lines).toHaveLength(full.length);
    expect(lines.every((l) => l === '' || JSON.parse(l))).toBe(true);
  });

  it('shards 1/3, 2/3, 3/3 merged equal the unsharded sweep', () => {
    const shards = [1, 2, 3].map((i) => join(dir, `kill-shard-${i}`));
    shards.forEach((out, i) => expect(cli(['bench', suite, '--out', out, '--shard', `${i + 1}/3`]).code).toBe(0));
    const suiteRows = shards.map((s) => results(s).filter((r) => r.role === 'suite').length);
    expect(suiteRows.reduce((a, b) => a + b, 0)).toBe(18);
    const merged = join(dir, 'kill-merged');
    const m = cli(['merge', ...shards, '--out', merged]);
    expect(m.code).toBe(0);
    expect(outputs(merged)).toEqual(outputs(unbroken));
  });

  it('merging an incomplete set of shards is an error saying what is missing', () => {
    const merged = join(dir, 'kill-merged-partial');
    const present = new Set([1, 3].flatMap((i) => results(join(dir, `kill-shard-${i}`)).map((r) => r.id)));
    const m = cli(['merge', join(dir, 'kill-shard-1'), join(dir, 'kill-shard-3'), '--out', merged]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain(`${TOTAL - present.size} of ${TOTAL} runs are missing (folders hold shards 1/3, 3/3)`);
    expect(TOTAL - present.size).toBeGreaterThanOrEqual(6);
    expect(existsSync(merged)).toBe(false);
  });

  it('a corrupt line inside the log is an error naming the line, not silently dropped', () => {
    const out = join(dir, 'kill-shard-2');
    appendFileSync(join(out, 'runs.jsonl'), 'garbage\n{"id": "x"}\n');
    const r = cli(['bench', suite, '--out', out, '--shard', '2/3', '--resume']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/runs\.jsonl:\d+: not a JSON line/);
  });
});
