import type { CarbonSignal } from './signal.js';

/**
 * Emissions of constant power over [a, b), in W x s x gCO2/kWh (divide by JOULES_PER_KWH for g):
 * the one integral every charge and every planner's estimate goes through. Sums stay in these units
 * until the end so that long totals are divided once.
 */
export function emissionsWeight(powerW: number, a: number, b: number, carbon: CarbonSignal): number {
  return powerW === 0 || !(b > a) ? 0 : powerW * carbon.integrate(a, b);
}
