// Synthetic SWF logs for the learning tests: seeded, small, with users whose jobs repeat.
import seedrandom from 'seedrandom';

export interface SyntheticSwfOptions {
  jobs?: number;
  procs?: number;
  seed?: string;
  /** share of jobs without requested time */
  missingRequested?: number;
}

/** An SWF v2.2 text: users with a typical run time, requested time = a multiple of it, sizes 1..procs/2. */
export function syntheticSwf(options: SyntheticSwfOptions = {}): string {
  const n = options.jobs ?? 300;
  const procs = options.procs ?? 16;
  const rng = seedrandom(options.seed ?? 'swf');
  const users = Array.from({ length: 8 }, (_, u) => ({ typical: 60 * 2 ** (u % 6), size: 1 + (u % Math.max(1, procs / 2)) }));
  const lines = ['; Version: 2.2', '; UnixStartTime: 843480031', '; TimeZoneString: Europe/Stockholm', `; MaxProcs: ${procs}`, `; MaxNodes: ${procs}`];
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += Math.floor(rng() * 600);
    const u = Math.floor(rng() * users.length);
    const user = users[u]!;
    const run = Math.max(1, Math.round(user.typical * (0.5 + rng())));
    const req = rng() < (options.missingRequested ?? 0) ? -1 : Math.round(user.typical * (2 + Math.floor(rng() * 3)));
    const wait = Math.floor(rng() * 300);
    const f = [i + 1, t, wait, run, user.size, -1, -1, user.size, req, -1, 1, u + 1, (u % 3) + 1, -1, 1, 1, -1, -1];
    lines.push(f.join(' '));
  }
  return lines.join('\n') + '\n';
}
