// Demand-response speed: a 256-GPU cluster of 50 jobs (14 x 8 GPUs, 36 x 4) through a 24-h day at
// 1-min resolution (one event with 30-min ramps in 1-min steps and a target that changes every
// minute: 1,440 steps), each policy planned segment by segment and run online on the engine.
// Run: npm run build && node bench/dr.mjs            (speed)
//      node bench/dr.mjs --replay                    (the RMSE table of docs/demand-response.md; needs ../shared/data)
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { a100Reference, baselinePowerW, DR_POLICY_NAMES, drJobs, fieldReplays, planDemandResponse, powerTargetTimeline, runDrOnEngine } from '../dist/index.js';

const MIN = 60;

function dayScenario() {
  const ref = a100Reference();
  const names = Object.keys(ref).sort();
  const specs = Array.from({ length: 50 }, (_, i) => ({
    name: `job${String(i).padStart(2, '0')}`,
    curve: ref[names[i % names.length]],
    gpus: i < 14 ? 8 : 4,
    bucket: i % 4,
    usesDvfs: i % 5 !== 4,
  }));
  const jobs = drJobs(specs);
  const baselineW = baselinePowerW(jobs);
  // the hold target follows a smooth daily curve, one value per minute
  const level = (m) => ({ fraction: 0.72 + 0.08 * Math.sin((2 * Math.PI * m) / 1440) });
  const changes = [];
  for (let m = 31; m < 1410; m++) changes.push({ atS: m * MIN, target: level(m) });
  const event = { startS: 0, endS: 1440 * MIN, rampS: 30 * MIN, target: level(30), changes };
  const timeline = powerTargetTimeline([event], { baselineW, rampStepS: MIN, marginFrac: 0.05 });
  return { jobs, timeline, baselineW };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function speed() {
  const { jobs, timeline, baselineW } = dayScenario();
  console.log(`${jobs.length} jobs, ${jobs.reduce((a, j) => a + j.gpus, 0)} GPUs, baseline ${Math.round(baselineW)} W, ${timeline.steps.length} timeline steps`);
  console.log(`load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores; medians of 7 runs after a warm-up, wall clock (CPU time)`);
  console.log('| policy | plan segments | plan (ms) | engine run (ms) | engine = plan (max W) |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const policy of DR_POLICY_NAMES) {
    const options = { gpuStep: 4 };
    // warm the JIT, then the median of 5
    let plan = planDemandResponse(policy, jobs, timeline, options);
    runDrOnEngine(policy, jobs, timeline, plan, options);
    const planMs = [];
    const engineMs = [];
    const planCpu = [];
    const engineCpu = [];
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    let e;
    for (let k = 0; k < 7; k++) {
      const c0 = cpu();
      const t0 = performance.now();
      plan = planDemandResponse(policy, jobs, timeline, options);
      const c1 = cpu();
      const t1 = performance.now();
      e = runDrOnEngine(policy, jobs, timeline, plan, options);
      const c2 = cpu();
      const t2 = performance.now();
      planMs.push(t1 - t0);
      engineMs.push(t2 - t1);
      planCpu.push(c1 - c0);
      engineCpu.push(c2 - c1);
    }
    let diff = 0;
    plan.segments.forEach((s, i) => {
      if (Number.isFinite(s.t1)) diff = Math.max(diff, Math.abs(s.powerW - e.segmentPowerW[i]));
    });
    console.log(`| ${policy} | ${plan.segments.length} | ${median(planMs).toFixed(1)} (${median(planCpu).toFixed(1)}) | ${median(engineMs).toFixed(1)} (${median(engineCpu).toFixed(1)}) | ${diff.toExponential(1)} |`);
  }
}

function replay() {
  const rd = (rel) => readFileSync(new URL(rel, import.meta.url), 'utf8');
  const data = '../../shared/data/grid/emerald/';
  const rows = fieldReplays({
    srpScenario: JSON.parse(rd('../traces/dr/srp-2025-05-03.json')),
    srpMeasured: rd(`${data}SRP_total_power.csv`),
    apsScenario: JSON.parse(rd('../traces/dr/aps-2025-05-01.json')),
    apsActions: JSON.parse(rd('../traces/dr/aps-2025-05-01-actions.json')),
    apsFig5: rd(`${data}xlsx_Fig345_data__Fig5.csv`),
  });
  console.log('| event | run | restarts | calibrated | RMSE (W) | RMSE (% of mean) | ramp down (%) | ramp up (%) |');
  console.log('| --- | --- | --- | --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(`| ${r.event} | ${r.run} | ${r.restarts ? 'yes' : 'no'} | ${r.calibrated ? 'yes' : 'no'} | ${Math.round(r.rmseW)} | ${r.pct.toFixed(2)} | ${r.rampDownPct.toFixed(2)} | ${r.rampUpPct.toFixed(2)} |`);
  }
}

if (process.argv.includes('--replay')) replay();
else speed();
