// A benchmark suite: lists of the strings `carbon-sim run` accepts, one list per dimension, whose
// cross product is the sweep. Parsing checks shape only; `checkSuiteInputs` (runner) checks names.
import { InputError } from '../errors.js';

/** Settings shared by every run of a suite (CLI flags of `run`, snake_case). */
export interface SuiteSettings {
  /** `--slot`; empty: the carbon resolution */
  slot: string;
  time_unit: 's' | 'h';
  watts_per_cpu: number;
  carbon_column: 'direct' | 'lca';
  extend: 'none' | 'repeat' | 'hold';
  /** `--start`; empty: the carbon trace's first timestamp */
  start: string;
  /** `--timezone` of the calendar rules in max_wait (next-workday, semi-weekly); empty: UTC */
  timezone: string;
}

/**
 * A suite as written in JSON. `max_wait` takes waits (`24h`, `6hx24h`, as --max-wait) and calendar
 * rules (`next-workday`, `semi-weekly`, as --deadline). Example:
 * `{"name": "demo", "schedulers": ["agnostic", "oracle"], "carbon": ["DE-2023", "GB-2023"],
 *   "max_wait": ["6h", "24h"], "workloads": ["pai_1k.csv"], "seeds": [0, 1]}`
 * Workload and carbon file paths are relative to the suite file.
 */
export interface Suite extends SuiteSettings {
  name: string;
  description: string;
  schedulers: string[];
  /** schedulers run only when registered; absent ones are reported as skipped */
  optional_schedulers: string[];
  carbon: string[];
  max_wait: string[];
  workloads: string[];
  forecast: string[];
  seeds: string[];
}

const DEFAULTS: Omit<Suite, 'name' | 'schedulers' | 'carbon' | 'workloads'> = {
  description: '',
  optional_schedulers: [],
  max_wait: ['24h'],
  forecast: ['oracle'],
  seeds: ['0'],
  slot: '',
  time_unit: 's',
  watts_per_cpu: 1,
  carbon_column: 'direct',
  extend: 'none',
  start: '',
  timezone: '',
};

const KEYS = ['name', 'description', 'schedulers', 'optional_schedulers', 'carbon', 'max_wait', 'workloads', 'forecast', 'seeds', 'slot', 'time_unit', 'watts_per_cpu', 'carbon_column', 'extend', 'start', 'timezone'] as const;
const REQUIRED = ['schedulers', 'carbon', 'workloads'] as const;
const CHOICES: Record<string, readonly string[]> = {
  time_unit: ['s', 'h'],
  carbon_column: ['direct', 'lca'],
  extend: ['none', 'repeat', 'hold'],
};

/** `runs/grid.json` -> `grid`; characters a name may not hold become `-`. */
function nameFromFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? '';
  return base.replace(/\.json$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
}

/** Parse a suite file's text; throws InputError naming the file and field. */
export function parseSuite(text: string, file: string): Suite {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError('bad_suite', `not valid JSON: ${(err as Error).message}`, { file });
  }
  return normalizeSuite(raw, file);
}

/** Check a suite object and fill in defaults; the result is the canonical form recorded with results. */
export function normalizeSuite(raw: unknown, file: string): Suite {
  const fail = (field: string, message: string): never => {
    throw new InputError('bad_suite', message, { file, field });
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('', 'a suite must be a JSON object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(KEYS as readonly string[]).includes(k)) fail(k, `unknown key "${k}" (known: ${KEYS.join(', ')})`);
  }
  for (const k of REQUIRED) if (o[k] === undefined) fail(k, `missing "${k}"`);

  const text = (k: string, value: unknown): string => {
    if (typeof value !== 'string') fail(k, `"${k}" must be a string`);
    return value as string;
  };
  const list = (k: string, value: unknown, allowEmpty = false): string[] => {
    if (!Array.isArray(value)) fail(k, `"${k}" must be a list`);
    const items = (value as unknown[]).map((v, i) => {
      if (typeof v === 'number' && k === 'seeds' && Number.isSafeInteger(v)) return String(v);
      if (typeof v !== 'string' || v.trim() === '') fail(`${k}[${i}]`, `"${k}" entries must be non-empty strings${k === 'seeds' ? ' or integers' : ''}`);
      return v as string;
    });
    if (items.length === 0 && !allowEmpty) fail(k, `"${k}" must not be empty`);
    const seen = new Set<string>();
    items.forEach((v, i) => {
      if (seen.has(v)) fail(`${k}[${i}]`, `"${v}" appears twice in "${k}"`);
      seen.add(v);
    });
    return items;
  };
  const choice = <T extends string>(k: string, fallback: T): T => {
    if (o[k] === undefined) return fallback;
    const v = text(k, o[k]);
    if (!CHOICES[k]!.includes(v)) fail(k, `"${v}" is not one of ${CHOICES[k]!.join(', ')}`);
    return v as T;
  };

  // a suite without a name takes its file's (`grid.json` -> `grid`)
  const name = o.name === undefined ? nameFromFile(file) : text('name', o.name);
  if (name === '') fail('name', 'missing "name" (and the file name gives none)');
  if (!/^[A-Za-z0-9._-]+$/.test(name)) fail('name', `name "${name}" may only use letters, digits, ".", "_" and "-"`);
  let watts = DEFAULTS.watts_per_cpu;
  if (o.watts_per_cpu !== undefined) {
    watts = typeof o.watts_per_cpu === 'string' && o.watts_per_cpu.trim() !== '' ? Number(o.watts_per_cpu) : (o.watts_per_cpu as number);
    if (typeof watts !== 'number' || !Number.isFinite(watts) || watts < 0) fail('watts_per_cpu', `watts_per_cpu must be a non-negative number, got ${JSON.stringify(o.watts_per_cpu)}`);
  }
  const suite: Suite = {
    name,
    description: o.description === undefined ? DEFAULTS.description : text('description', o.description),
    schedulers: list('schedulers', o.schedulers),
    optional_schedulers: o.optional_schedulers === undefined ? [] : list('optional_schedulers', o.optional_schedulers, true),
    carbon: list('carbon', o.carbon),
    max_wait: o.max_wait === undefined ? DEFAULTS.max_wait : list('max_wait', o.max_wait),
    workloads: list('workloads', o.workloads),
    forecast: o.forecast === undefined ? DEFAULTS.forecast : list('forecast', o.forecast),
    seeds: o.seeds === undefined ? DEFAULTS.seeds : list('seeds', o.seeds),
    slot: o.slot === undefined ? DEFAULTS.slot : text('slot', o.slot),
    time_unit: choice('time_unit', DEFAULTS.time_unit),
    watts_per_cpu: watts,
    carbon_column: choice('carbon_column', DEFAULTS.carbon_column),
    extend: choice('extend', DEFAULTS.extend),
    start: o.start === undefined ? DEFAULTS.start : text('start', o.start),
    timezone: o.timezone === undefined ? DEFAULTS.timezone : text('timezone', o.timezone),
  };
  suite.optional_schedulers.forEach((s, i) => {
    if (suite.schedulers.includes(s)) fail(`optional_schedulers[${i}]`, `"${s}" is listed in both schedulers and optional_schedulers`);
  });
  return suite;
}
