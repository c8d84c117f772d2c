import { InputError } from '../errors.js';

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A duration from the command line: plain seconds or a unit suffix (`90s`, `30m`, `1h`, `2d`, `1.5h`). */
export function parseDuration(text: string, field: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([smhd]?)\s*$/.exec(text);
  if (!m) throw new InputError('bad_duration', `"${text}" is not a duration (seconds, or a number with s, m, h or d)`, { field });
  const v = Number(m[1]) * UNIT_S[m[2] || 's']!;
  if (!Number.isFinite(v)) throw new InputError('bad_duration', `"${text}" is not a finite duration`, { field });
  return v;
}
