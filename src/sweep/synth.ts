// Seeded synthetic workloads drawn from a real trace's distribution, for scaling benchmarks.
import type { JobSpec } from '../io/trace.js';
import { seededRandom } from '../model/random.js';

/**
 * `n` constant jobs as a GAIA CSV (`arrival_time,length,cpus`, seconds): each job takes the length
 * and cpus of a source job drawn uniformly at random; inter-arrival gaps are drawn from the
 * source's gaps and scaled by (source jobs - 1) / (n - 1), so the arrivals span about the same
 * period as the source at n / source-size times its rate. Times are rounded to milliseconds
 * (lengths to at least 1 ms). The same source, n and seed give the same bytes.
 */
export function synthesizeWorkloadCsv(source: readonly JobSpec[], n: number, seed: string | number): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`job count must be a positive integer, got ${n}`);
  if (source.length < 2) throw new RangeError('the source workload needs at least two jobs (to draw arrival gaps)');
  const sorted = [...source].sort((a, b) => a.arrival - b.arrival);
  const gaps = new Float64Array(sorted.length - 1);
  for (let i = 1; i < sorted.length; i++) gaps[i - 1] = sorted[i]!.arrival - sorted[i - 1]!.arrival;
  const scale = n > 1 ? gaps.length / (n - 1) : 0;
  const rng = seededRandom(String(seed));
  const ms = (x: number): number => Math.round(x * 1000) / 1000;
  const lines = new Array<string>(n + 1);
  lines[0] = 'arrival_time,length,cpus';
  let arrival = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0) arrival += gaps[Math.floor(rng() * gaps.length)]! * scale;
    const job = sorted[Math.floor(rng() * sorted.length)]!;
    lines[i + 1] = `${ms(arrival)},${Math.max(0.001, ms(job.profile.durationS))},${job.cpus}`;
  }
  return lines.join('\n') + '\n';
}
