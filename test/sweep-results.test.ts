import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunLog, RunLogWriter, type LogRow } from '../src/sweep/log.js';
import { planSweep } from '../src/sweep/plan.js';
import { assertSameRun, finalizeResults, markdownTable, resultsCsv, RESULT_COLUMNS, summaryLines } from '../src/sweep/results.js';
import { normalizeSuite } from '../src/sweep/suite.js';
import { inputErrorOf } from './helpers.js';

const suite = normalizeSuite({ name: 'demo', schedulers: ['oracle'], carbon: ['DE-2023', 'GB-2023'], workloads: ['w.csv'], seeds: [0, 1] }, 'demo.json');
const planned = planSweep(suite, ['oracle']);

/** A log row for a planned run with the given carbon; other metrics fixed. */
function row(id: string, carbon_g: number, wall_s = 0.5): LogRow {
  const run = planned.find((r) => r.id === id)!;
  return { id, ...run.spec, jobs: 2, completed: 2, missed_deadlines: 0, energy_kwh: 1, carbon_g, overhead_energy_kwh: 0, mean_wait_s: 3600, interruptions: 1, wall_s };
}


function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'carbon-sim-sweep-'));
}

describe('the run log', () => {
  it('keeps complete lines and reports a half-written last line, which the writer cuts off', () => {
    const path = join(tmp(), 'runs.jsonl');
    const [a, b] = planned;
    writeFileSync(path, JSON.stringify(row(a!.id, 10)) + '\n' + JSON.stringify(row(b!.id, 5)).slice(0, 40));
    const log = readRunLog(path);
    expect(log.rows.map((r) => r.id)).toEqual([a!.id]);
    expect(log.partialLine).toBe(true);
    expect(log.completeBytes).toBe(JSON.stringify(row(a!.id, 10)).length + 1);
    const writer = new RunLogWriter(path, log.completeBytes);
    writer.append(row(b!.id, 5));
    writer.close();
    const again = readRunLog(path);
    expect(again.rows.map((r) => r.id)).toEqual([a!.id, b!.id]);
    expect(again.partialLine).toBe(false);
  });

  it('a missing log is empty', () => {
    expect(readRunLog(join(tmp(), 'none.jsonl'))).toEqual({ rows: [], completeBytes: 0, partialLine: false });
  });

  it('a bad complete line or a repeated id is an error naming the line, never dropped', () => {
    const path = join(tmp(), 'runs.jsonl');
    const good = JSON.stringify(row(planned[0]!.id, 1));
    writeFileSync(path, `${good}\nnot json\n`);
    let err = inputErrorOf(() => readRunLog(path));
    expect([err.code, err.file, err.line]).toEqual(['bad_run_log', path, 2]);
    writeFileSync(path, `${good}\n${good}\n`);
    err = inputErrorOf(() => readRunLog(path));
    expect(err.message).toContain('appears twice');
    expect(err.line).toBe(2);
  });
});

describe('final results', () => {
  const rows = new Map<string, LogRow>();
  for (const r of planned) rows.set(r.id, row(r.id, r.spec.scheduler === 'agnostic' ? 200 : r.spec.carbon === 'DE-2023' ? 150 : 0));
  const results = finalizeResults(planned, rows);

  it('carbon saved = baseline - run, in g and % of the baseline (hand-computed)', () => {
    const de = results.filter((r) => r.role === 'suite' && r.carbon === 'DE-2023');
    expect(de).toHaveLength(2);
    for (const r of de) expect([r.carbon_saved_g, r.carbon_saved_pct]).toEqual([50, 25]);
    const gb = results.find((r) => r.role === 'suite' && r.carbon === 'GB-2023')!;
    expect([gb.carbon_saved_g, gb.carbon_saved_pct]).toEqual([200, 100]);
    for (const b of results.filter((r) => r.role === 'baseline')) expect([b.carbon_saved_g, b.carbon_saved_pct, b.baseline_id]).toEqual([0, 0, b.id]);
  });

  it('a baseline without emissions gives saved % null (empty in CSV), not a made-up number', () => {
    const zero = new Map([...rows].map(([id, r]) => [id, { ...r, carbon_g: 0 }]));
    const out = finalizeResults(planned, zero);
    expect(out.every((r) => r.carbon_saved_pct === null)).toBe(true);
    const csv = resultsCsv(out).split('\n');
    const col = RESULT_COLUMNS.indexOf('carbon_saved_pct');
    expect(csv[1]!.split(',')[col]).toBe('');
  });

  it('rows come in run-id order with the documented columns', () => {
    expect(results.map((r) => r.id)).toEqual(planned.map((r) => r.id).sort());
    expect(Object.keys(results[0]!)).toEqual([...RESULT_COLUMNS]);
    expect(resultsCsv(results).split('\n')[0]).toBe(RESULT_COLUMNS.join(','));
  });

  it('the summary means over seeds, suite runs only', () => {
    const varied = new Map(rows);
    const de = planned.filter((r) => r.role === 'suite' && r.spec.carbon === 'DE-2023');
    varied.set(de[0]!.id, { ...row(de[0]!.id, 100), mean_wait_s: 0 });
    varied.set(de[1]!.id, { ...row(de[1]!.id, 160), mean_wait_s: 7200 });
    const lines = summaryLines(finalizeResults(planned, varied), { ...suite, schedulers: ['oracle'] });
    expect(lines.map((l) => l.carbon)).toEqual(['DE-2023', 'GB-2023']);
    expect(lines[0]).toMatchObject({ seeds: 2, carbon_kg: 0.13, carbon_saved_pct: 35, mean_wait_h: 1 });
  });

  it('the same run from two sources must agree except wall time', () => {
    const id = planned[0]!.id;
    expect(() => assertSameRun(row(id, 5, 1), row(id, 5, 9), 'a and b')).not.toThrow();
    expect(() => assertSameRun(row(id, 5), row(id, 6), 'a and b')).toThrow(/different results in a and b/);
  });

  it('markdown tables right-align numeric columns', () => {
    expect(markdownTable(['a', 'n'], [['x|y', '1.5']])).toBe('| a | n |\n| --- | ---: |\n| x\\|y | 1.5 |\n');
  });
});

describe('log appends', () => {
  it('append one whole line per row', () => {
    const path = join(tmp(), 'runs.jsonl');
    const w = new RunLogWriter(path, 0);
    w.append(row(planned[0]!.id, 1));
    w.append(row(planned[1]!.id, 2));
    w.close();
    expect(readFileSync(path, 'utf8').split('\n').map((l) => (l === '' ? '' : (JSON.parse(l) as LogRow).carbon_g))).toEqual([1, 2, '']);
  });
});
