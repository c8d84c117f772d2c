// The field replays of docs/demand-response.md against the measured minute power of the Emerald AI
// demonstration (../shared/data/grid/emerald, Apache-2.0): the SRP event (DVFS only) and the APS
// event (pauses and resizes), the field's own simulator scored the same way.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldReplays, readMeasuredPower, rmseAgainst, type DrReplayRow } from '../src/policies/dr/replay.js';
import { ROOT, sharedData } from './helpers.js';

const srp = sharedData('grid/emerald/SRP_total_power.csv');
const fig5 = sharedData('grid/emerald/xlsx_Fig345_data__Fig5.csv');
const rd = (p: string) => readFileSync(p, 'utf8');

describe('dr replays', () => {
  it('the RMSE rule: each simulated value is the mean over the sample\'s minute', () => {
    const m = readMeasuredPower('x\ntimestamp,total\n2025-05-01 10:00:00-07:00,100\n2025-05-01 10:01:00-07:00,200\n', 'm.csv', { column: 'total', origin: '10:00' });
    expect(m.t).toEqual([0, 60]);
    // simulated: 100 W until 90 s, then 300 W: minute means 100 and 200
    const r = rmseAgainst(Float64Array.of(0, 90), Float64Array.of(100, 300), m);
    expect(r.rmseW).toBe(0);
    expect(rmseAgainst(Float64Array.of(0), Float64Array.of(150), m).pct).toBeCloseTo((100 * 50) / 150, 12);
  });

  it.skipIf(srp.skip || fig5.skip)('SRP and APS: the numbers of the docs table', () => {
    const rows = fieldReplays({
      srpScenario: JSON.parse(rd(join(ROOT, 'traces/dr/srp-2025-05-03.json'))),
      srpMeasured: rd(srp.path),
      apsScenario: JSON.parse(rd(join(ROOT, 'traces/dr/aps-2025-05-01.json'))),
      apsActions: JSON.parse(rd(join(ROOT, 'traces/dr/aps-2025-05-01-actions.json'))),
      apsFig5: rd(fig5.path),
    });
    const get = (event: string, run: string, restarts: boolean, calibrated: boolean): DrReplayRow => rows.find((r) => r.event === event && r.run === run && r.restarts === restarts && r.calibrated === calibrated)!;
    expect(get('SRP', 'dvfs-fair', false, false).meanW).toBeCloseTo(77427.1, 0);
    expect(get('SRP', 'dvfs-fair', false, false).pct).toBeCloseTo(5.44, 1);
    expect(get('SRP', 'dvfs-fair', false, true).pct).toBeCloseTo(4.33, 1);
    // the field's actions through the phase model: restarts are what make the ramps right
    expect(get('APS', 'field actions', false, false).pct).toBeCloseTo(4.96, 1);
    expect(get('APS', 'field actions', true, false).pct).toBeCloseTo(3.05, 1);
    expect(get('APS', 'field actions', true, false).rampUpPct).toBeLessThan(get('APS', 'field simulator', true, false).rampUpPct);
    expect(get('APS', 'field simulator', true, false).pct).toBeCloseTo(3.99, 1);
    expect(get('APS', 'dvfs-pausing-fair', true, false).pct).toBeCloseTo(4.9, 1);
  });
});
