import { bundledTraceNames, loadCarbon } from '../carbon/load.js';

/** `carbon-sim traces`: bundled names with period, resolution and mean intensity. */
export function tracesCommand(): void {
  const lines = ['name\tfrom\tto\tresolution_s\tmean_direct_g_per_kwh'];
  for (const name of bundledTraceNames()) {
    const s = loadCarbon(name);
    const from = new Date(s.epochMs + s.start * 1000).toISOString();
    const to = new Date(s.epochMs + s.end * 1000).toISOString();
    lines.push(`${name}\t${from}\t${to}\t${s.resolutionS}\t${s.meanIntensity(s.start, s.end).toFixed(1)}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}
