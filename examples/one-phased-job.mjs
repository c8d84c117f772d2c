// Simulate one phased ML job (thesis listing 4.10, 50 epochs) under every scheduler.
// Run: node examples/one-phased-job.mjs   (after `npm ci`, which builds dist/)
import { compileProfile, createScheduler, loadCarbon, mlProfile, schedulerNames, simulate } from 'carbon-sim';

const profile = compileProfile(
  mlProfile({
    start_duration: 23.45, start_power: 60,
    training_duration: 8.17 * 60, training_power: 221.93, // minutes-long epochs make shifting worthwhile
    evaluate_duration: 1.54 * 60, evaluate_power: 63.17,
    save_duration: 2.72 * 60, save_power: 105.1,
    epochs: 50,
  }),
);
const carbon = loadCarbon('DE-2023');
const arrival = 10 * 86400; // 2023-01-11 00:00 UTC
const job = { id: 'ml', type: 'ml', arrival, deadline: arrival + profile.durationS + 24 * 3600, cpus: 1, profile };

console.log(`job: ${(profile.durationS / 3600).toFixed(2)} h, ${(profile.energyJ / 3.6e6).toFixed(3)} kWh uninterrupted, deadline +24 h`);
console.log('scheduler       carbon_g   energy_kwh  starts  lost_work_s  finish_h');
for (const name of schedulerNames().filter((n) => n !== 'replay')) {
  const { results } = simulate([job], { scheduler: createScheduler(name), carbon });
  const r = results[0];
  const e = r.execution;
  console.log(
    `${name.padEnd(14)} ${r.carbonG.toFixed(2).padStart(9)} ${(e.energyJ / 3.6e6).toFixed(4).padStart(12)} ${String(e.starts).padStart(7)} ${e.lostWorkS.toFixed(1).padStart(12)} ${((e.finish - arrival) / 3600).toFixed(2).padStart(9)}`,
  );
}
