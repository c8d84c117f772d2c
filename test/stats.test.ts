// Statistics over repeated runs (no dependency; bit for bit what mathjs computed) and `carbon-sim run --repeat N`.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFields, describeSample, percentiles, statsCsv, studentTQuantile } from '../src/report/stats.js';
import { ROOT, cli } from './helpers.js';
import { encodeNumbers, statsSamples, tArguments } from './fixtures/stats/samples.js';

describe('studentTQuantile: exact for integer degrees of freedom', () => {
  // reference values: R qt()
  it.each([
    [0.975, 1, 12.706204736174698],
    [0.975, 2, 4.302652729749464],
    [0.975, 3, 3.182446305284263],
    [0.975, 5, 2.570581835636314],
    [0.975, 10, 2.228138851986274],
    [0.975, 30, 2.042272456301238],
    [0.975, 100, 1.983971518523552],
    [0.975, 1000, 1.962339080826408],
    [0.95, 4, 2.131846786326649],
    [0.995, 7, 3.499483297350433],
  ])('t(%d, %d) = %d', (p, df, t) => {
    expect(studentTQuantile(p, df)).toBeCloseTo(t, 10);
    expect(studentTQuantile(1 - p, df)).toBeCloseTo(-t, 10);
  });

  it('rejects what it cannot compute', () => {
    expect(() => studentTQuantile(0.975, 0)).toThrow(RangeError);
    expect(() => studentTQuantile(0.975, 2.5)).toThrow(RangeError);
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
  });
});

describe('describeSample', () => {
  it('1..5 by hand: mean 3, sd sqrt(2.5), CI 3 -/+ t(0.975, 4) sqrt(2.5)/sqrt(5), linear percentiles', async () => {
    const d = await describeSample([5, 1, 4, 2, 3]);
    const half = (2.7764451051977987 * Math.sqrt(2.5)) / Math.sqrt(5);
    expect(d.n).toBe(5);
    expect(d.mean).toBe(3);
    expect(d.sd).toBeCloseTo(Math.sqrt(2.5), 14);
    expect(d.ci95![0]).toBeCloseTo(3 - half, 12);
    expect(d.ci95![1]).toBeCloseTo(3 + half, 12);
    expect([d.min, d.max]).toEqual([1, 5]);
    expect(d.p2_5).toBeCloseTo(1.1, 14);
    expect(d.median).toBe(3);
    expect(d.p97_5).toBeCloseTo(4.9, 14);
  });

  it('a constant sample has exactly its value as mean and a zero spread', async () => {
    const d = await describeSample(Array.from({ length: 10 }, () => 3.1925755555555555));
    expect([d.mean, d.sd, d.ci95]).toEqual([3.1925755555555555, 0, [3.1925755555555555, 3.1925755555555555]]);
  });

  it('one value: no spread and no interval', async () => {
    const d = await describeSample([7]);
    expect([d.mean, d.sd, d.ci95, d.min, d.max, d.median]).toEqual([7, null, null, 7, 7, 7]);
  });

  it('percentiles interpolate between order statistics, exactly between equal ones', () => {
    expect(percentiles([40, 10, 30, 20], [0, 0.5, 1, 1 / 3])).toEqual([10, 25, 40, 20]);
    expect(percentiles([12, 12, 12], [0.025, 0.975])).toEqual([12, 12]);
  });

  it('describeFields takes the numeric fields of records, in order', async () => {
    const stats = await describeFields([
      { a: 1, b: 'x', c: 10 },
      { a: 3, b: 'y', c: 10 },
    ]);
    expect(Object.keys(stats)).toEqual(['a', 'c']);
    expect(stats.a!.mean).toBe(2);
    expect(stats.c!.ci95).toEqual([10, 10]);
    expect(statsCsv(stats).split('\n')[0]).toBe('metric,n,mean,sd,ci95_low,ci95_high,min,p2_5,median,p97_5,max');
  });
});

describe('the statistics without mathjs equal what mathjs computed, bit for bit', () => {
  // describe-mathjs.json: describeSample and studentTQuantile of the samples in fixtures/stats/samples.ts,
  // computed with mathjs 15.2.0 (mean, std, min, max) before it was removed.
  const expected = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/stats/describe-mathjs.json'), 'utf8')) as { describe: unknown[]; t: unknown[] };

  it('describeSample: n, mean, sd, ci95 and percentiles of 307 samples identical; min and max the true ones', async () => {
    const samples = statsSamples();
    expect(samples).toHaveLength(expected.describe.length);
    // mathjs's min and max compare with a tolerance (relative 1e-12, absolute 1e-15), so of values
    // that close they kept the first, not the smallest: on the 1e-15-scale samples its max was
    // below the median. Where they differ, ours is Math.min / Math.max and within that tolerance.
    const close = (a: number, b: number): boolean => Math.abs(a - b) <= Math.max(2.220446049250313e-16, 1e-12 * Math.max(Math.abs(a), Math.abs(b)), 1e-15);
    let tolerant = 0;
    for (let i = 0; i < samples.length; i++) {
      const xs = samples[i]!;
      const d = await describeSample(xs);
      // compared as JSON text with -0, NaN and infinities spelled out: equal means identical doubles
      const got = JSON.parse(encodeNumbers([d.n, d.mean, d.sd, d.ci95, d.min, d.max, d.p2_5, d.median, d.p97_5])) as unknown[];
      const want = JSON.parse(encodeNumbers(expected.describe[i])) as unknown[];
      const where = `sample ${i}: ${JSON.stringify(xs).slice(0, 80)}`;
      expect([got[0], got[1], got[2], got[3], got[6], got[7], got[8]], where).toEqual([want[0], want[1], want[2], want[3], want[6], want[7], want[8]]);
      for (const [k, truth] of [[4, Math.min(...xs)], [5, Math.max(...xs)]] as const) {
        if (JSON.stringify(got[k]) === JSON.stringify(want[k])) continue;
        tolerant++;
        expect(got[k], where).toBe(truth);
        expect(close(got[k] as number, want[k] as number), where).toBe(true);
      }
    }
    expect(tolerant).toBeLessThan(60); // only the samples of 1e-15-scale values
  });

  it('studentTQuantile at 3,312 (p, df) pairs, df 1..200 and up to 5,000: within 1e-10 of the values before (relative)', () => {
    const args = tArguments();
    expect(args).toHaveLength(expected.t.length);
    let worst = 0;
    args.forEach(([p, df], i) => {
      const before = expected.t[i] as number;
      worst = Math.max(worst, Math.abs(studentTQuantile(p, df) - before) / Math.abs(before));
    });
    expect(worst).toBeLessThan(1e-10);
  });

  it('studentTQuantile equals the closed forms for df 1, 2 and 4 to 1e-10 (relative)', () => {
    const closed: Record<number, (p: number) => number> = {
      1: (p) => Math.tan(Math.PI * (p - 0.5)),
      2: (p) => (2 * p - 1) / Math.sqrt(2 * p * (1 - p)),
      4: (p) => {
        const a = 4 * p * (1 - p);
        const q = Math.cos(Math.acos(Math.sqrt(a)) / 3) / Math.sqrt(a);
        return Math.sign(p - 0.5) * 2 * Math.sqrt(q - 1);
      },
    };
    for (const [df, f] of Object.entries(closed)) {
      for (const p of [0.001, 0.01, 0.025, 0.1, 0.3, 0.6, 0.75, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999, 0.9999]) {
        const exact = f(p);
        expect(Math.abs(studentTQuantile(p, Number(df)) - exact) / Math.abs(exact), `df ${df}, p ${p}`).toBeLessThan(1e-10);
      }
    }
  });

  it('mathjs is gone: not a dependency, not in the CLI bundle', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies.mathjs).toBeUndefined();
    expect(readFileSync(join(ROOT, 'dist/cli.js'), 'utf8')).not.toMatch(/["']mathjs["']/);
  });
});

describe('carbon-sim run --repeat N', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-repeat-'));
  const workload = join(dir, 'jobs.csv');
  writeFileSync(workload, ['arrival_time,length,cpus', ...Array.from({ length: 12 }, (_, i) => `${i * 5000},${3600 + i * 600},${50 + i}`)].join('\n') + '\n');
  const base = ['run', workload, '--carbon', 'DE-2023', '--scheduler', 'waitawhile', '--forecast', 'gaussian:0.2', '--seed', '10'];

  interface RepeatJson {
    repeat: { n: number; seeds: number[] };
    summary: Record<string, { n: number; mean: number; sd: number; ci95: [number, number] }>;
    runs: { seed: number; summary: Record<string, number> }[];
  }

  it('runs seeds seed..seed+N-1; each run equals the single run with that seed; the mean and CI are of those runs', () => {
    const r = cli([...base, '--repeat', '4', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as RepeatJson;
    expect(out.repeat).toEqual({ n: 4, seeds: [10, 11, 12, 13] });
    const single = JSON.parse(cli([...base.slice(0, -1), '12', '--format', 'json']).stdout) as { summary: Record<string, number> };
    expect(out.runs[2]).toEqual({ seed: 12, summary: single.summary });
    const carbon = out.runs.map((x) => x.summary.carbon_g!);
    expect(new Set(carbon).size).toBe(4); // forecast noise differs per seed
    const c = out.summary.carbon_g!;
    expect(c.mean).toBeCloseTo(carbon.reduce((a, b) => a + b) / 4, 9);
    expect(c.ci95[0]).toBeLessThan(c.mean);
    expect(c.ci95[1] - c.mean).toBeCloseTo(c.mean - c.ci95[0], 9);
    expect(c.ci95[1] - c.mean).toBeCloseTo((3.182446305284263 * c.sd) / 2, 9);
    expect(out.summary.jobs).toMatchObject({ mean: 12, sd: 0, ci95: [12, 12] });
  });

  it('csv: one row per summary metric; table: a titled mean / CI / sd table', () => {
    const csv = cli([...base, '--repeat', '3', '--format', 'csv']).stdout.trim().split('\n');
    expect(csv[0]).toBe('metric,n,mean,sd,ci95_low,ci95_high,min,p2_5,median,p97_5,max');
    expect(csv.slice(1).map((l) => l.split(',')[0])).toContain('carbon_g');
    expect(csv.find((l) => l.startsWith('jobs,'))).toBe('jobs,3,12,0,12,12,12,12,12,12,12');
    const table = cli([...base, '--repeat', '3']).stdout;
    expect(table.split('\n')[0]).toContain('forecast gaussian:0.2');
    expect(table.split('\n')[0]).toContain('seeds 10..12');
    expect(table).toMatch(/^metric\s+mean\s+95% CI low\s+95% CI high\s+sd$/m);
  });

  it('--out writes only summary.json with the inputs, statistics and runs', () => {
    const out = join(dir, 'out');
    expect(cli([...base, '--repeat', '2', '--out', out]).code).toBe(0);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as RepeatJson & { inputs: Record<string, unknown> };
    expect(s.inputs.forecast).toBe('gaussian:0.2');
    expect(s.repeat.seeds).toEqual([10, 11]);
    expect(s.runs).toHaveLength(2);
  });
});
