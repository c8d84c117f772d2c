// Forecasts: what schedulers see. The engine always charges the actual signal.
import { InputError } from '../errors.js';
import { seededRandom } from '../model/random.js';
import type { CarbonSignal } from './signal.js';

/**
 * `oracle`: the actual signal. `gaussian`: actual + Normal(0, error x mean intensity), drawn
 * independently per carbon step (Wiesner et al., Let's Wait Awhile, 2021). `uniform`:
 * actual x (1 + U(-error/2, error/2)), drawn independently per step.
 */
export type Forecast = { kind: 'oracle' } | { kind: 'gaussian'; error: number } | { kind: 'uniform'; error: number };

const SPEC = /^(gaussian|uniform):(\d+(?:\.\d*)?|\.\d+)$/;

/** `oracle`, `gaussian:E` or `uniform:E` (E a non-negative fraction, e.g. 0.05). */
export function parseForecast(text: string): Forecast {
  const spec = text.trim();
  if (spec === 'oracle') return { kind: 'oracle' };
  const m = SPEC.exec(spec);
  if (!m) {
    throw new InputError('bad_forecast', `"${text}" is not a forecast (oracle, gaussian:E or uniform:E with E a fraction, e.g. gaussian:0.05)`, {
      field: 'forecast',
    });
  }
  return { kind: m[1] as 'gaussian' | 'uniform', error: Number(m[2]) };
}

export function forecastName(f: Forecast): string {
  return f.kind === 'oracle' ? 'oracle' : `${f.kind}:${f.error}`;
}

/**
 * The seed of the forecast noise: derived from the run's seed but a different string, so the
 * noise and the schedulers' random numbers are separate streams.
 */
export function forecastSeed(seed: string | number): string {
  return `forecast:${seed}`;
}

/**
 * The view schedulers get for a forecast: the actual signal for `oracle`, otherwise the same grid
 * with noisy values (which may be negative: they are kept as they are, never clamped). Each value
 * is drawn from the actual one alone, so errors never compound across steps or error levels, and
 * the same seed gives the same draws at every error level.
 */
export function forecastView(actual: CarbonSignal, forecast: Forecast, seed: string | number): CarbonSignal {
  if (forecast.kind === 'oracle') return actual;
  const rng = seededRandom(forecastSeed(seed));
  const n = actual.values.length;
  const values = new Float64Array(n);
  if (forecast.kind === 'gaussian') {
    const sigma = forecast.error * actual.meanIntensity(actual.start, actual.end);
    for (let i = 0; i < n; i++) values[i] = actual.values[i]! + sigma * standardNormal(rng);
  } else {
    for (let i = 0; i < n; i++) values[i] = actual.values[i]! * (1 + forecast.error * (rng() - 0.5));
  }
  return actual.withValues(values, { name: `${actual.name} (forecast ${forecastName(forecast)}, seed ${seed})`, allowNegative: true });
}

/** One standard normal draw by Box-Muller from two uniforms (the sine partner is not used). */
function standardNormal(rng: () => number): number {
  const u1 = 1 - rng(); // (0, 1]: log stays finite
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
