// The thesis's own evaluation (Opitz 2024, chapter 5) in carbon-sim, and, given the thesis's
// repository, the comparison group by group that docs/thesis.md reports.
//
//   npx tsup && node bench/thesis.mjs [--carbs DIR] [--out DIR]
//
// Without --carbs: the median saving tables of `carbon-sim bench thesis` (run in this process, no
// sweep), written with thesis-jobs.csv into --out (default: a temporary folder).
// --carbs DIR: a clone of github.com/Quacck/carbs. Then also, from its results/simulation/
// evaluation_jobs and slurmlogs:
//  1. the baseline: carbon-sim's GAIA oracle against the thesis's `carbon` runs, job by job;
//  2. the thesis's charging rule: its suspend-resume plans (the subtasks in its *_details files)
//     charged by carbon-sim's rule (thesisChargeG) against its own carbon_cost;
//  3. every group where carbon-sim's lp saves more or less than the thesis's MILP, with both plans
//     under the MILP's own objective (every start charged its startup: carbon-sim's engine), whether
//     lp's plan meets the MILP's constraints (at most 5 starts, the deadline, its time grid), and
//     what Gurobi reported for that job in the Slurm logs (optimal, or the time limit and the gap).
// The thesis's trace is read from $CARBON_SIM_THESIS_TRACE or ../shared/data (see thesisTracePath).
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  builtinReport,
  chargePlan,
  compileProfile,
  loadCarbon,
  materializeBuiltin,
  thesisChargeG,
  thesisEvaluation,
  thesisProfile,
  THESIS_LENGTHS_H,
  THESIS_PUBLISHED,
} from '../dist/index.js';

const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const carbs = opt('--carbs');
const out = opt('--out') ?? mkdtempSync(join(tmpdir(), 'carbon-sim-thesis-'));

materializeBuiltin('thesis', out);
const t0 = performance.now();
process.stdout.write(await builtinReport('thesis', out));
console.log(`\n(${((performance.now() - t0) / 1000).toFixed(1)} s for ${2 * 48 * 5 * 5} plans; folder ${out})`);
if (!carbs) process.exit(0);

// ---- the thesis's results, group by group ----------------------------------------------------
const dir = join(carbs, 'results', 'simulation', 'evaluation_jobs');
if (!existsSync(dir)) throw new Error(`${dir} not found: --carbs takes a clone of github.com/Quacck/carbs`);
const TYPE = { phases: 'periodic-phases', constant: 'constant-from-periodic-phases' };
const PATTERN = { balanced: 0, 'long-high': 1, 'short-high': 2 };
const fileOf = (policy, g, waitH) => `${policy}_${TYPE[g.type]}_${PATTERN[g.pattern]}_${g.startupS}_${g.startupW}_${waitH}`;

/** The thesis's subtasks per job id (0..4 = 1..16 h): [start, length, carbon] from a *_details file. */
function readDetails(name) {
  const file = join(dir, `${name}_details`);
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const head = lines[0].split(',');
  const col = (n) => head.indexOf(n);
  const jobs = new Map();
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    const id = Number(f[col('ID')]);
    if (id < 0) continue;
    if (!jobs.has(id)) jobs.set(id, []);
    jobs.get(id).push({ start: Number(f[col('start_time')]), length: Number(f[col('length')]), carbon: Number(f[col('carbon_cost')]) });
  }
  return jobs;
}

/** Gurobi's verdict per suspend-resume experiment and job, from the Slurm logs. */
function readSlurm() {
  const verdicts = new Map();
  const logs = join(carbs, 'slurmlogs');
  for (const f of readdirSync(logs).filter((f) => f.startsWith('output_'))) {
    // Python's prints reach the log when its process ends, after Gurobi's own output: each
    // "Executing: jobs/job-N.sh" chunk holds the Gurobi runs of its five jobs, then the file name.
    for (const chunk of readFileSync(join(logs, f), 'utf8').split(/^Executing: /m).slice(1)) {
      const name = /Start Experiments results\/simulation\/evaluation_jobs\/(\S+)/.exec(chunk)?.[1];
      if (!name || !name.startsWith('suspend-resume')) continue;
      const runs = [...chunk.matchAll(/^(Optimal solution found|Time limit reached)[^\n]*\n(?:Best objective ([^,]+), best bound [^,]+, gap ([0-9.]+)%)?/gm)];
      verdicts.set(
        name,
        runs.map((m) => ({ optimal: m[1].startsWith('Optimal'), objective: m[2] === undefined ? NaN : Number(m[2]), gap: m[3] === undefined ? NaN : Number(m[3]) })),
      );
    }
  }
  return verdicts;
}

const slurm = readSlurm();
const rows = await thesisEvaluation(out);
const carbon = loadCarbon(join(out, 'carbs-de-2024-07.csv'), { column: 'lca' });
const jobOf = (g, lengthH, waitH) => {
  const profile = compileProfile(thesisProfile(g, lengthH * 3600));
  return { id: `${lengthH}h`, type: 'phases', arrival: 0, deadline: lengthH * 3600 + waitH * 3600, cpus: 1, profile };
};
const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b));
/** How many of the plan's blocks the job needs to finish (each paying its startup). */
function neededBlocks(job, intervals) {
  let progress = 0;
  for (let k = 0; k < intervals.length; k++) {
    progress += Math.max(0, intervals[k][1] - intervals[k][0] - job.profile.startupDurationS);
    if (progress >= job.profile.workDurationS - 1e-6) return k + 1;
  }
  return intervals.length;
}

const milp = { optimal: { jobs: 0, equal: 0, lpLower: 0, lpHigher: [] }, limited: { jobs: 0, equal: 0, lpLower: 0, lpHigher: [] } };
let baselineJobs = 0;
let baselineWorst = 0;
let ruleJobs = 0;
let ruleWorst = 0;
const byCell = new Map();
for (const r of rows) {
  const g = r.group;
  const base = readDetails(fileOf('carbon', g, r.waitH));
  const sr = readDetails(fileOf('suspend-resume', g, r.waitH));
  if (!base || !sr) continue;
  const id = THESIS_LENGTHS_H.indexOf(r.lengthH);
  if (!base.has(id) || !sr.has(id)) continue; // a few result files lack jobs
  const thesisBase = base.get(id).reduce((a, s) => a + s.carbon, 0);
  baselineJobs++;
  baselineWorst = Math.max(baselineWorst, Math.abs(thesisBase - r.baselineG) / thesisBase);
  const subtasks = sr.get(id);
  const thesisLp = subtasks.reduce((a, s) => a + s.carbon, 0);
  const intervals = subtasks.map((s) => [s.start, s.start + s.length]);
  const job = jobOf(g, r.lengthH, r.waitH);
  const ruleG = thesisChargeG(job.profile, intervals, carbon);
  ruleJobs++;
  ruleWorst = Math.max(ruleWorst, Math.abs(ruleG - thesisLp) / thesisLp);
  // the MILP's own objective (startup at every start, work by progress) = carbon-sim's engine, on
  // the blocks up to the finish: a time-limited MILP answer may mark further slots as running,
  // which the thesis's rule charges nothing (they lie past the profile's end)
  const needed = neededBlocks(job, intervals);
  const thesisPlanEngine = chargePlan(job, intervals.slice(0, needed), carbon);
  const verdict = slurm.get(fileOf('suspend-resume', g, r.waitH))?.[id];
  const key = `${g.type} ${r.lengthH}h/${r.waitH}h`;
  const spt = [3600, job.deadline, ...[...job.profile.startup, ...job.profile.work].map((p) => p.duration)].reduce(gcd);
  const onGrid = r.lpIntervals.every(([s, e]) => s % spt === 0 && e % spt === 0);
  if (verdict && Number.isFinite(verdict.objective)) {
    // Gurobi's objective: power x carbon per second, summed over the MILP's slots of spt seconds
    const milpG = verdict.objective * spt;
    const m = verdict.optimal ? milp.optimal : milp.limited;
    m.jobs++;
    if (Math.abs(milpG - r.lpG) <= 1e-4 * r.lpG) m.equal++;
    else if (r.lpG < milpG) m.lpLower++;
    else m.lpHigher.push(`${key} ${g.pattern} ${g.startupS}s@${g.startupW}W: lp ${r.lpG.toFixed(3)} g, MILP ${milpG.toFixed(3)} g`);
  }
  if (!byCell.has(key)) byCell.set(key, []);
  byCell.get(key).push({
    g,
    more: (thesisLp - r.lpThesisRuleG) / thesisBase, // carbon-sim's extra saving, as a fraction of the baseline
    lpEngine: r.lpG,
    thesisEngine: thesisPlanEngine.carbonG,
    thesisMet: thesisPlanEngine.execution.finish <= job.deadline + 1e-6,
    extraBlocks: intervals.length - needed,
    lpStarts: r.lpStarts,
    onGrid,
    verdict,
  });
}

console.log('\n## against the thesis repository');
console.log(`baseline (GAIA's oracle): ${baselineJobs} jobs, largest relative difference to the thesis's carbon_cost ${baselineWorst.toExponential(1)}`);
console.log(`the thesis's suspend-resume plans under carbon-sim's version of its charging rule: ${ruleJobs} jobs, largest relative difference ${ruleWorst.toExponential(1)}`);
for (const [label, m] of [
  ['optimal', milp.optimal],
  ['time limit', milp.limited],
]) {
  console.log(
    `Gurobi ${label}: ${m.jobs} jobs; its objective (x the slot length) equals lp's engine charge within 1e-4 in ${m.equal}, lp is lower in ${m.lpLower}, higher in ${m.lpHigher.length}${m.lpHigher.length ? `: ${m.lpHigher.join('; ')}` : ''}`,
  );
}
console.log('\nPer cell: groups where carbon-sim saves more / less than the thesis (by more than 0.01 points);');
console.log("for those saving more: how many of the thesis's plans cost more than lp's under the MILP's own objective,");
console.log('how many of those ran into the time limit (Gurobi), the median gap reported, and lp\'s plans within 5 starts on the MILP\'s grid.');
console.log('| cell | more | less | thesis plan dearer under its objective | time limit | median gap % | lp <= 5 starts, on the MILP grid |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
const medianOf = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
for (const [key, groups] of byCell) {
  const more = groups.filter((x) => x.more > 1e-4);
  const less = groups.filter((x) => x.more < -1e-4);
  if (more.length === 0 && less.length === 0) continue;
  const dearer = more.filter((x) => x.thesisEngine > x.lpEngine * (1 + 1e-9));
  const limited = dearer.filter((x) => x.verdict && !x.verdict.optimal);
  const gaps = limited.map((x) => x.verdict.gap).filter((x) => Number.isFinite(x));
  const feasible = more.filter((x) => x.lpStarts <= 5 && x.onGrid);
  console.log(`| ${key} | ${more.length} | ${less.length} | ${dearer.length} | ${limited.length} | ${gaps.length ? medianOf(gaps).toFixed(1) : '-'} | ${feasible.length} |`);
  for (const x of less) {
    console.log(
      `|   less: ${x.g.pattern} ${x.g.startupS} s @ ${x.g.startupW} W by ${(100 * -x.more).toFixed(3)} points; lp ${x.lpEngine.toFixed(3)} g vs the thesis plan ${x.thesisEngine.toFixed(3)} g under the MILP objective (${x.verdict?.optimal ? 'optimal' : 'time limit'}) | | | | | | |`,
    );
  }
}
console.log(`\n(published medians: THESIS_PUBLISHED in src/sweep/builtin.ts; ${Object.keys(THESIS_PUBLISHED.phases).length} cells per type)`);
