// `--format json` and `--format csv` are streamed from the results (src/report/summary.ts
// runJsonChunks, jobsCsvChunks) instead of built as one string from per-job records: the bytes must
// be exactly what JSON.stringify({summary, jobs}) and jobsCsv(records) gave. RunOutput.jobs is built
// on first read.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runWorkload } from '../src/app/run.js';
import type { JobResult } from '../src/cluster/simulate.js';
import { jobCsvLine, jobRecord, jobRecordJson, jobsCsv, jobsCsvChunks, runJsonChunks, summarize } from '../src/report/summary.js';
import { cli, ROOT } from './helpers.js';

const PAI = join(ROOT, 'traces', 'workloads', 'pai_1k.csv');

const num = fc.oneof(
  { weight: 8, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.integer({ min: -1e6, max: 1e9 }) },
  { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity, NaN, -0, 0, 1e21, 1e-7, 5e-324) },
);
const resultArb = fc
  .record({
    id: fc.oneof(fc.string(), fc.constantFrom('a"b', 'x,y', 'new\nline', '\u2028', '\\', 'é')),
    arrival: num,
    deadline: fc.oneof({ weight: 9, arbitrary: num }, { weight: 1, arbitrary: fc.constant(undefined) }),
    start: num,
    finish: num,
    energyJ: num,
    overheadEnergyJ: num,
    carbonG: num,
    starts: fc.integer({ min: 0, max: 5 }),
    intervals: fc.array(fc.tuple(num, num), { maxLength: 4 }),
  })
  .map(
    (r) =>
      ({
        job: { id: r.id, arrival: r.arrival, deadline: r.deadline },
        carbonG: r.carbonG,
        execution: { start: r.start, finish: r.finish, energyJ: r.energyJ, overheadEnergyJ: r.overheadEnergyJ, starts: r.starts, intervals: r.intervals },
      }) as unknown as JobResult,
  );

describe('per-job writers without records', () => {
  it('jobRecordJson = JSON.stringify(jobRecord), jobCsvLine = the line of jobsCsv, on any values', () => {
    fc.assert(
      fc.property(resultArb, (r) => {
        expect(jobRecordJson(r)).toBe(JSON.stringify(jobRecord(r)));
        expect(jobCsvLine(r) + '\n').toBe(jobsCsv([jobRecord(r)]).slice(jobsCsv([]).length));
      }),
      { numRuns: 5000, seed: 11 },
    );
  });

  it('the chunked documents equal the one-string documents, empty and across chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(resultArb, { maxLength: 40 }), fc.integer({ min: 1, max: 3000 }), (rs, copies) => {
        const results = Array.from({ length: rs.length ? copies : 0 }, (_, i) => rs[i % rs.length]!);
        const summary = summarize([]);
        const json = [...runJsonChunks(summary, results)];
        expect(json.join('')).toBe(JSON.stringify({ summary, jobs: results.map(jobRecord) }) + '\n');
        expect([...jobsCsvChunks(results)].join('')).toBe(jobsCsv(results.map(jobRecord)));
        for (const piece of json.slice(0, -1)) expect(piece.length).toBeLessThan(2 * 65536 + 4096);
      }),
      { numRuns: 60, seed: 5 },
    );
  });
});

describe('runWorkload and the CLI', () => {
  it('RunOutput.jobs: built on first read, the same records as before, assignable', async () => {
    const out = await runWorkload({ workload: PAI, carbon: 'DE-2023', scheduler: 'waitawhile', events: false });
    const expected = out.simulation.results.map(jobRecord);
    expect(out.jobs).toEqual(expected);
    expect(out.jobs).toBe(out.jobs); // built once
    const { jobs } = out;
    expect(jobs).toBe(out.jobs);
    expect(JSON.parse(JSON.stringify(out.jobs))).toEqual(JSON.parse(JSON.stringify(expected)));
    out.jobs = [];
    expect(out.jobs).toEqual([]);
  });

  it.each(['waitawhile', 'oracle', 'agnostic'])('%s: streamed JSON and CSV = the one-string forms of the same run', async (scheduler) => {
    const out = await runWorkload({ workload: PAI, carbon: 'DE-2023', scheduler, events: false });
    const records = out.simulation.results.map(jobRecord);
    expect([...runJsonChunks(out.summary, out.simulation.results)].join('')).toBe(JSON.stringify({ summary: out.summary, jobs: records }) + '\n');
    expect([...jobsCsvChunks(out.simulation.results)].join('')).toBe(jobsCsv(records));
  });

  it('a finite cluster run (summary.cluster) streams the same JSON', async () => {
    const out = await runWorkload({ workload: PAI, carbon: 'DE-2023', scheduler: 'easy', cluster: 'procs:64', events: false });
    expect(out.summary.cluster).toBeDefined();
    expect([...runJsonChunks(out.summary, out.simulation.results)].join('')).toBe(JSON.stringify({ summary: out.summary, jobs: out.jobs }) + '\n');
  });

  it('carbon-sim run --format json|csv prints what runWorkload gives, byte for byte', async () => {
    const out = await runWorkload({ workload: PAI, carbon: 'DE-2023', scheduler: 'waitawhile', events: false });
    const json = cli(['run', PAI, '--carbon', 'DE-2023', '--scheduler', 'waitawhile', '--max-wait', '24h', '--format', 'json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    expect(json.stdout).toBe(JSON.stringify({ summary: out.summary, jobs: out.jobs }) + '\n');
    const csv = cli(['run', PAI, '--carbon', 'DE-2023', '--scheduler', 'waitawhile', '--format', 'csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe(jobsCsv(out.jobs));
  });

  it('a reader that stops early (| head -c 100) ends the stream quietly', () => {
    const cmd = `"${process.execPath}" dist/cli.js run traces/workloads/pai_1k.csv --carbon DE-2023 --format json | head -c 100`;
    const r = spawnSync('sh', ['-c', cmd], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout.length).toBe(100);
    expect(r.stdout.startsWith('{"summary":{"jobs":1000,')).toBe(true);
    expect(r.stderr).toBe('');
  });
});
