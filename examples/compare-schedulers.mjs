// Compare every scheduler on the bundled Alibaba PAI sample (1,000 jobs) in Great Britain, 2023.
// Run: node examples/compare-schedulers.mjs [carbon-trace] (default GB-2023)
import { runWorkload, schedulerNames } from 'carbon-sim';

const carbon = process.argv[2] ?? 'GB-2023';
const rows = [];
for (const scheduler of schedulerNames().filter((n) => n !== 'replay')) {
  const { summary } = await runWorkload({ workload: 'traces/workloads/pai_1k.csv', carbon, scheduler, events: false });
  rows.push({ scheduler, ...summary });
}
const base = rows.find((r) => r.scheduler === 'agnostic').carbon_g;
console.log(`pai_1k on ${carbon}, max wait 24 h`);
console.log('scheduler       carbon_g  saved_%  mean_wait_h  interruptions  missed');
for (const r of rows) {
  console.log(
    `${r.scheduler.padEnd(14)} ${r.carbon_g.toFixed(1).padStart(9)} ${((100 * (base - r.carbon_g)) / base).toFixed(1).padStart(8)} ${(r.mean_wait_s / 3600).toFixed(2).padStart(12)} ${String(r.interruptions).padStart(14)} ${String(r.missed_deadlines).padStart(7)}`,
  );
}
