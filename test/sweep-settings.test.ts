// Scheduler entries with settings in CLI syntax ("lp --max-starts 1") in sweeps, and the one parser
// both the CLI and sweeps use for them.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSchedulerSpec } from '../src/app/settings.js';
import type { ResultRow } from '../src/sweep/results.js';
import { cli, inputErrorOf, ROOT } from './helpers.js';

describe('parseSchedulerSpec', () => {
  it('reads a name and checked settings', () => {
    expect(parseSchedulerSpec('lp --max-starts 2 --solver jslp')).toEqual({ name: 'lp', settings: { maxStarts: 2, solver: 'jslp' } });
    expect(parseSchedulerSpec('carbon-time --start-grid arrival --length average')).toEqual({
      name: 'carbon-time',
      settings: { startGrid: 'arrival', length: 'average' },
    });
    expect(parseSchedulerSpec('oracle')).toEqual({ name: 'oracle', settings: {} });
  });

  it.each([
    ['lp --max-starts', /--max-starts in "lp --max-starts" needs a value/],
    ['lp --max-starts 0', /"0" must be a positive whole number of starts/],
    ['lp --solver cplex', /--solver "cplex" is not one of dp, highs, jslp/],
    ['lp --gap 0.1', /"--gap" in "lp --gap 0.1" is not a scheduler setting/],
    ['lp --max-starts 2 --max-starts 3', /--max-starts appears twice/],
    ['ecovisor --threshold-quantile x', /"x" must be a non-negative number/],
  ])('rejects %s', (spec, message) => {
    expect(inputErrorOf(() => parseSchedulerSpec(spec)).message).toMatch(message);
  });
});

describe('a sweep over scheduler settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-settings-'));
  // 40 jobs of pai_1k keep the sweep small
  const lines = readFileSync(join(ROOT, 'traces/workloads/pai_1k.csv'), 'utf8').split('\n').slice(0, 41);
  writeFileSync(join(dir, 'w.csv'), lines.join('\n') + '\n');
  copyFileSync(join(dir, 'w.csv'), join(dir, 'w2.csv'));

  it('runs each entry with its settings, exactly as `run` with the same flags', () => {
    const suite = join(dir, 'suite.json');
    const schedulers = ['lp', 'lp --max-starts 1', 'carbon-time --start-grid arrival --length average'];
    writeFileSync(suite, JSON.stringify({ name: 'settings', schedulers, carbon: ['GB-2023'], workloads: ['w.csv'] }));
    const out = join(dir, 'out');
    const r = cli(['bench', suite, '--out', out, '--workers', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultRow);
    const suiteRows = rows.filter((row) => row.role === 'suite');
    expect(suiteRows.map((row) => row.scheduler).sort()).toEqual([...schedulers].sort());
    for (const row of suiteRows) {
      const run = cli(['run', 'w.csv', '--carbon', 'GB-2023', '--scheduler', ...row.scheduler.split(' '), '--format', 'json'], { cwd: dir });
      expect(run.code).toBe(0);
      const summary = (JSON.parse(run.stdout) as { summary: { carbon_g: number; interruptions: number } }).summary;
      expect(row.carbon_g).toBe(summary.carbon_g);
      expect(row.interruptions).toBe(summary.interruptions);
    }
    const capped = suiteRows.find((row) => row.scheduler === 'lp --max-starts 1')!;
    expect(capped.interruptions).toBe(0);
  });

  it('a setting the scheduler does not read is an error naming the suite entry', () => {
    const suite = join(dir, 'bad.json');
    writeFileSync(suite, JSON.stringify({ name: 'bad', schedulers: ['oracle', 'oracle --max-starts 2'], carbon: ['GB-2023'], workloads: ['w2.csv'] }));
    const r = cli(['bench', suite, '--out', join(dir, 'bad-out')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`carbon-sim: error: ${suite} (field "schedulers[1]"): --max-starts does not apply to scheduler "oracle"`);
  });
});
