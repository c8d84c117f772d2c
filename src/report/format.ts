// Numbers for reading: a few significant digits and a unit scaled to the value (612.6 g, 1.234 kg,
// 3.576 Wh, 1.50 h, 12.3 %). The exact values stay in the JSON and CSV outputs.

/** x with `digits` significant digits, never in exponent form; -0 and residues that round to 0 read 0. */
export function significant(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'n/a' : x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const e = Math.floor(Math.log10(Math.abs(x)));
  const decimals = Math.min(20, Math.max(0, digits - 1 - e));
  const s = x.toFixed(decimals);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** A count: an integer as is, a mean over seeds with two decimals. */
export function formatCount(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

function scaled(x: number, units: readonly [number, string][], digits: number): string {
  const a = Math.abs(x);
  let [factor, unit] = units[0]!;
  for (const [f, u] of units) if (a >= f) [factor, unit] = [f, u];
  return `${significant(x / factor, digits)} ${unit}`;
}

/** Emissions given in g: g, kg or t CO2. */
export function formatCarbonG(g: number, digits = 4): string {
  return `${scaled(g, [[1, 'g'], [1e3, 'kg'], [1e6, 't']], digits)} CO2`;
}

/** Energy given in kWh: Wh, kWh or MWh. */
export function formatEnergyKwh(kwh: number, digits = 4): string {
  return scaled(kwh, [[1e-3, 'Wh'], [1, 'kWh'], [1e3, 'MWh']], digits);
}

/** A duration given in seconds, in hours (waits are read in hours). */
export function formatHours(seconds: number, digits = 3): string {
  return `${significant(seconds / 3600, digits)} h`;
}

/** A percentage with one decimal: `12.3 %`. */
export function formatPct(pct: number | null, decimals = 1): string {
  if (pct === null || !Number.isFinite(pct)) return 'n/a';
  const s = pct.toFixed(decimals);
  return `${/^-0\.?0*$/.test(s) ? s.slice(1) : s} %`;
}

/** The carbon unit that keeps a chart's largest value readable, with its factor from g. */
export function carbonScale(maxG: number): { unit: string; perG: number } {
  if (maxG >= 1e6) return { unit: 't CO2', perG: 1e-6 };
  if (maxG >= 1e3) return { unit: 'kg CO2', perG: 1e-3 };
  return { unit: 'g CO2', perG: 1 };
}
