// The zones `carbon-sim serve` answers for: each a loaded carbon trace with its forecasts as issued.
import { basename } from 'node:path';
import type { CarbonColumn } from '../carbon/csv.js';
import { isIssuedForecastSpec, issuedForecast, parseIssuedSpec, type IssuedForecast } from '../carbon/issued.js';
import { loadCarbonTrace } from '../carbon/load.js';
import type { CarbonSignal } from '../carbon/signal.js';
import type { FillMode } from '../carbon/transform.js';
import { InputError } from '../errors.js';

export interface Zone {
  /** the zone id clients send (`zone=`, `location=`) */
  name: string;
  /** the actual intensity */
  signal: CarbonSignal;
  /** what `forecast` endpoints answer: the issue in force at the simulated now */
  forecast: IssuedForecast;
  /** Electricity Maps `emissionFactorType` of the values */
  factorType: 'direct' | 'lifecycle';
}

export interface ZoneOptions {
  /** `--carbon` values: `[ZONE=]file-or-bundled-name` */
  carbon: string[];
  /** `--forecast` values: `[ZONE=]spec`; one without a zone applies to every zone; default oracle */
  forecast?: string[];
  column?: CarbonColumn;
  fill?: FillMode;
  seed?: string | number;
}

const ZONE_NAME = /^[A-Za-z0-9_.-]+$/;
/** `NAME=rest`, where NAME has no `:` or `,` (so `gaussian:0.05@24h,every=1h` is not split) */
const PREFIXED = /^([A-Za-z0-9_.-]+)=(.+)$/;

/** Perfect values 72 h ahead, re-issued hourly: the default forecast of a served zone. */
export const SERVE_ORACLE = 'oracle,every=1h,horizon=72h';

function zoneOfTrace(spec: string): string {
  return basename(spec).replace(/\.gz$/, '').replace(/\.csv$/, '');
}

/** Load the zones; every zone name is unique, every forecast names a loaded zone. */
export function loadZones(options: ZoneOptions): Zone[] {
  if (options.carbon.length === 0) throw new InputError('missing_carbon', 'give at least one --carbon trace', { field: 'carbon' });
  const column = options.column ?? 'direct';
  const zones: Zone[] = [];
  const byName = new Map<string, CarbonSignal>();
  for (const text of options.carbon) {
    const m = PREFIXED.exec(text);
    const [name, spec] = m ? [m[1]!, m[2]!] : [zoneOfTrace(text), text];
    if (!ZONE_NAME.test(name)) throw new InputError('bad_zone', `zone name "${name}" may hold only letters, digits, _ . -; name it: --carbon NAME=${text}`, { field: 'carbon' });
    if (byName.has(name)) throw new InputError('duplicate_zone', `zone ${name} is given twice`, { field: 'carbon' });
    const { signal } = loadCarbonTrace(spec, { column, fill: options.fill ?? 'none' });
    byName.set(name, signal);
  }
  const specs = new Map<string, string>();
  let all = SERVE_ORACLE;
  for (const text of options.forecast ?? []) {
    const m = PREFIXED.exec(text);
    const [zone, spec] = m ? [m[1]!, m[2]!] : [undefined, text];
    const issued = spec.trim() === 'oracle' ? SERVE_ORACLE : spec;
    if (!isIssuedForecastSpec(issued)) {
      throw new InputError('bad_forecast', `"${spec}" is a static forecast; serve answers forecasts as issued (e.g. gaussian:0.05@24h, oracle or file:PATH)`, { field: 'forecast' });
    }
    parseIssuedSpec(issued); // check it before any zone is built
    if (zone === undefined) all = issued;
    else if (!byName.has(zone)) throw new InputError('unknown_zone', `--forecast names zone ${zone}, which no --carbon loads (zones: ${[...byName.keys()].join(', ')})`, { field: 'forecast' });
    else specs.set(zone, issued);
  }
  for (const [name, signal] of byName) {
    // each zone its own noise stream, all from the one --seed
    const forecast = issuedForecast(parseIssuedSpec(specs.get(name) ?? all), signal, `${options.seed ?? 0}:${name}`);
    zones.push({ name, signal, forecast, factorType: column === 'lca' ? 'lifecycle' : 'direct' });
  }
  return zones;
}
