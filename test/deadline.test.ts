// Deadline rules with hand-picked dates: next-workday and semi-weekly in UTC and Europe/Berlin
// (including both DST changes of 2024), the zone clock's offsets, gaps and repeated hours, and a
// property check of both rules against an independent Intl formatter.
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { compileProfile } from '../src/model/profile.js';
import { constantProfile } from '../src/model/jobs.js';
import { chooseDeadlineRule, nextWorkdayRule, parseMaxWait, semiWeeklyRule, zoneClock } from '../src/model/deadlines.js';
import { toJobs, type JobSpec } from '../src/io/trace.js';
import { maxWaitRule, type DeadlineRule } from '../src/model/deadlines.js';
import { cli } from './helpers.js';

const H = 3600;
const EPOCH_MS = Date.parse('2024-01-01T00:00:00Z'); // a Monday
const t = (iso: string): number => (Date.parse(iso) - EPOCH_MS) / 1000;
const iso = (s: number): string => new Date(EPOCH_MS + s * 1000).toISOString().replace('.000Z', 'Z');
/** The deadline of a job arriving at `arrival` (ISO instant) with duration `durationS`, as an ISO instant. */
const due = (rule: DeadlineRule, arrival: string, durationS: number): string => iso(rule(t(arrival), durationS));

describe('next-workday in UTC', () => {
  const rule = nextWorkdayRule({ epochMs: EPOCH_MS });
  it.each([
    ['Friday 16:00 + 2 h finishes 18:00: Monday 09:00', '2024-01-05T16:00:00Z', 2 * H, '2024-01-08T09:00:00Z'],
    ['Friday 16:00 + 1 h finishes 17:00 exactly: Friday 17:00', '2024-01-05T16:00:00Z', H, '2024-01-05T17:00:00Z'],
    ['Friday 16:00 + 30 min: Friday 17:00', '2024-01-05T16:00:00Z', H / 2, '2024-01-05T17:00:00Z'],
    ['Saturday 10:00 arrival: Monday 09:00', '2024-01-06T10:00:00Z', H, '2024-01-08T09:00:00Z'],
    ['Sunday 23:30 + 1 h finishes Monday 00:30: Monday 17:00', '2024-01-07T23:30:00Z', H, '2024-01-08T17:00:00Z'],
    ['Tuesday 08:00 + 1 h: Tuesday 17:00', '2024-01-02T08:00:00Z', H, '2024-01-02T17:00:00Z'],
    ['Wednesday 20:00 + 1 h: Thursday 09:00', '2024-01-03T20:00:00Z', H, '2024-01-04T09:00:00Z'],
    ['Monday 09:00 + 100 h finishes Friday 13:00: Friday 17:00', '2024-01-01T09:00:00Z', 100 * H, '2024-01-05T17:00:00Z'],
  ])('%s', (_, arrival, duration, expected) => {
    expect(due(rule, arrival, duration)).toBe(expected);
  });
});

describe('semi-weekly in UTC', () => {
  const rule = semiWeeklyRule({ epochMs: EPOCH_MS });
  it.each([
    ['Friday 16:00 + 2 h: Monday 09:00', '2024-01-05T16:00:00Z', 2 * H, '2024-01-08T09:00:00Z'],
    ['Monday 08:00 + 1 h finishes 09:00 exactly: that Monday 09:00', '2024-01-08T08:00:00Z', H, '2024-01-08T09:00:00Z'],
    ['Monday 08:30 + 1 h finishes 09:30: Thursday 09:00', '2024-01-08T08:30:00Z', H, '2024-01-11T09:00:00Z'],
    ['Tuesday 12:00: Thursday 09:00', '2024-01-02T12:00:00Z', H, '2024-01-04T09:00:00Z'],
    ['Thursday 10:00: next Monday 09:00', '2024-01-04T10:00:00Z', H, '2024-01-08T09:00:00Z'],
    ['Saturday 10:00: Monday 09:00', '2024-01-06T10:00:00Z', H, '2024-01-08T09:00:00Z'],
    ['Wednesday 12:00 + 3 days finishes Saturday 12:00: Monday 09:00', '2024-01-03T12:00:00Z', 72 * H, '2024-01-08T09:00:00Z'],
  ])('%s', (_, arrival, duration, expected) => {
    expect(due(rule, arrival, duration)).toBe(expected);
  });
});

describe('calendar rules in Europe/Berlin (CET = UTC+1, CEST = UTC+2 from 31 March to 27 October 2024)', () => {
  const workday = nextWorkdayRule({ epochMs: EPOCH_MS, timeZone: 'Europe/Berlin' });
  const semiWeekly = semiWeeklyRule({ epochMs: EPOCH_MS, timeZone: 'Europe/Berlin' });
  it.each([
    // 15:00Z + 2 h = 18:00 CET: after office hours in Berlin, though only 17:00 in UTC
    ['next-workday: Friday 16:00 CET + 2 h -> Monday 09:00 CET', workday, '2024-01-05T15:00:00Z', 2 * H, '2024-01-08T08:00:00Z'],
    ['next-workday: Friday 15:00 CET + 1 h -> Friday 17:00 CET', workday, '2024-01-05T14:00:00Z', H, '2024-01-05T16:00:00Z'],
    ['next-workday: Sunday 23:30Z is Monday 00:30 CET -> Monday 17:00 CET', workday, '2024-01-07T23:30:00Z', 60, '2024-01-08T16:00:00Z'],
    // spring forward on Sunday 31 March: Friday is CET, Monday is CEST
    ['next-workday: Friday 29 March 16:00 CET + 2 h -> Monday 1 April 09:00 CEST', workday, '2024-03-29T15:00:00Z', 2 * H, '2024-04-01T07:00:00Z'],
    ['semi-weekly: Thursday 28 March 10:00 CET -> Monday 1 April 09:00 CEST', semiWeekly, '2024-03-28T09:00:00Z', H, '2024-04-01T07:00:00Z'],
    ['semi-weekly: Sunday 31 March 01:30 CET, over the gap -> Monday 09:00 CEST', semiWeekly, '2024-03-31T00:30:00Z', 2 * H, '2024-04-01T07:00:00Z'],
    // fall back on Sunday 27 October: Saturday is CEST, Monday is CET
    ['next-workday: Saturday 26 October 12:00 CEST -> Monday 28 October 09:00 CET', workday, '2024-10-26T10:00:00Z', H, '2024-10-28T08:00:00Z'],
    ['next-workday: finishing in the repeated hour 02:30 CET -> Monday 09:00 CET', workday, '2024-10-27T00:00:00Z', 1.5 * H, '2024-10-28T08:00:00Z'],
    ['semi-weekly: Friday 25 October 16:00 CEST -> Monday 28 October 09:00 CET', semiWeekly, '2024-10-25T14:00:00Z', 2 * H, '2024-10-28T08:00:00Z'],
    ['semi-weekly: Monday 28 October 08:30 CET + 1 h -> Thursday 31 October 09:00 CET', semiWeekly, '2024-10-28T07:30:00Z', H, '2024-10-31T08:00:00Z'],
  ])('%s', (_, rule, arrival, duration, expected) => {
    expect(due(rule, arrival, duration)).toBe(expected);
  });
});

describe('zone clock', () => {
  it('UTC offsets of Berlin on both sides of each 2024 change', () => {
    const c = zoneClock('Europe/Berlin');
    expect(c.offsetMs(Date.parse('2024-03-31T00:59:59Z'))).toBe(H * 1000);
    expect(c.offsetMs(Date.parse('2024-03-31T01:00:00Z'))).toBe(2 * H * 1000);
    expect(c.offsetMs(Date.parse('2024-10-27T00:59:59Z'))).toBe(2 * H * 1000);
    expect(c.offsetMs(Date.parse('2024-10-27T01:00:00Z'))).toBe(H * 1000);
  });

  it('a change inside a UTC hour (Lord Howe: +10:30 -> +11 at 15:30Z) is exact on both sides', () => {
    const c = zoneClock('Australia/Lord_Howe');
    expect(c.offsetMs(Date.parse('2024-10-05T15:00:00Z'))).toBe(10.5 * H * 1000); // fills the hour's cache entry first
    expect(c.offsetMs(Date.parse('2024-10-05T15:29:59Z'))).toBe(10.5 * H * 1000);
    expect(c.offsetMs(Date.parse('2024-10-05T15:30:00Z'))).toBe(11 * H * 1000);
  });

  it('a skipped wall time moves forward by the gap; a repeated one takes the earlier instant', () => {
    const c = zoneClock('Europe/Berlin');
    const day = (isoDate: string) => Date.parse(`${isoDate}T00:00:00Z`) / 86_400_000;
    expect(new Date(c.instantOf(day('2024-03-31'), 2.5 * H * 1000)).toISOString()).toBe('2024-03-31T01:30:00.000Z'); // 03:30 CEST
    expect(new Date(c.instantOf(day('2024-10-27'), 2.5 * H * 1000)).toISOString()).toBe('2024-10-27T00:30:00.000Z'); // 02:30 CEST
    expect(new Date(c.instantOf(day('2024-10-27'), 9 * H * 1000)).toISOString()).toBe('2024-10-27T08:00:00.000Z');
  });

  it('an unknown zone is an InputError naming it', () => {
    expect(() => zoneClock('Mars/Olympus_Mons')).toThrow(InputError);
    expect(() => zoneClock('Mars/Olympus_Mons')).toThrow('unknown time zone "Mars/Olympus_Mons" (an IANA name such as Europe/Berlin, or UTC)');
  });
});

// An independent reading of local time, for the property checks.
function localParts(instantMs: number, timeZone: string): { weekday: string; time: string } {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const p = Object.fromEntries(f.formatToParts(instantMs).map((x) => [x.type, x.value]));
  return { weekday: p.weekday!, time: `${p.hour}:${p.minute}:${p.second}` };
}

describe('properties over two years of arrivals in four zones', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'];
  const arbitrary = fc.record({
    zone: fc.constantFrom(...zones),
    arrival: fc.integer({ min: 0, max: 2 * 365 * 86400 }),
    duration: fc.integer({ min: 1, max: 10 * 86400 }),
  });

  it('next-workday: at or after the finish; 17:00 on the finishing weekday, or 09:00 on a later weekday', () => {
    fc.assert(
      fc.property(arbitrary, ({ zone, arrival, duration }) => {
        const d = nextWorkdayRule({ epochMs: EPOCH_MS, timeZone: zone })(arrival, duration);
        const finish = arrival + duration;
        expect(d).toBeGreaterThanOrEqual(finish);
        const local = localParts(EPOCH_MS + d * 1000, zone);
        expect(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']).toContain(local.weekday);
        expect(['09:00:00', '17:00:00']).toContain(local.time);
        if (local.time === '17:00:00') expect(d - finish).toBeLessThan(17 * H + 1); // same local day
        else expect(d - finish).toBeLessThanOrEqual(2 * 86400 + 16 * H + H); // Friday 17:00+ -> Monday 09:00 (+ a DST hour) at most
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('semi-weekly: the first Monday or Thursday 09:00 at or after the finish', () => {
    fc.assert(
      fc.property(arbitrary, ({ zone, arrival, duration }) => {
        const d = semiWeeklyRule({ epochMs: EPOCH_MS, timeZone: zone })(arrival, duration);
        const finish = arrival + duration;
        expect(d).toBeGreaterThanOrEqual(finish);
        const local = localParts(EPOCH_MS + d * 1000, zone);
        expect(['Mon', 'Thu']).toContain(local.weekday);
        expect(local.time).toBe('09:00:00');
        expect(d - finish).toBeLessThanOrEqual(4 * 86400 + H); // Thu 09:00+ -> Mon 09:00, plus a DST hour
      }),
      { numRuns: 300, seed: 43 },
    );
  });
});

describe('choosing a run deadline rule', () => {
  const spec = (id: string, arrival: number, extra: Partial<JobSpec> = {}): JobSpec => ({
    id,
    type: 'constant',
    arrival,
    cpus: 1,
    profile: compileProfile(constantProfile(H, 1)),
    line: 2,
    ...extra,
  });

  it('a per-job deadline or max_wait column wins over the calendar rule', () => {
    const rule = chooseDeadlineRule({ deadline: 'semi-weekly' }, EPOCH_MS, maxWaitRule(0));
    const jobs = toJobs([spec('a', 0), spec('b', 0, { deadline: 5 * H }), spec('c', 0, { maxWait: 2 * H })], rule);
    expect(jobs.map((j) => j.deadline)).toEqual([t('2024-01-01T09:00:00Z'), 5 * H, 3 * H]); // Monday 01:00 finish -> Monday 09:00
  });

  it('without a choice, the fallback; --max-wait alone, its rule', () => {
    expect(chooseDeadlineRule({}, EPOCH_MS, maxWaitRule(7))(10, 5)).toBe(22);
    expect(chooseDeadlineRule({ deadlineRule: parseMaxWait('6hx24h') }, EPOCH_MS, maxWaitRule(7))(0, H)).toBe(7 * H);
  });

  it('both kinds, a zone without a calendar rule, or an unknown rule name are errors', () => {
    expect(() => chooseDeadlineRule({ deadline: 'next-workday', deadlineRule: maxWaitRule(0) }, EPOCH_MS, maxWaitRule(0))).toThrow(
      'give either --deadline or --max-wait, not both',
    );
    expect(() => chooseDeadlineRule({ timeZone: 'Europe/Berlin' }, EPOCH_MS, maxWaitRule(0))).toThrow(
      'a time zone applies to --deadline next-workday|semi-weekly only',
    );
    expect(() => chooseDeadlineRule({ deadline: 'monthly' }, EPOCH_MS, maxWaitRule(0))).toThrow(
      'unknown deadline rule "monthly" (known: next-workday, semi-weekly)',
    );
  });
});

describe('`carbon-sim run --deadline`', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carbon-sim-deadline-'));
  const workload = join(dir, 'friday.csv');
  writeFileSync(workload, 'arrival_time,length,cpus\n0,7200,1\n');
  // Friday 6 January 2023, 15:00 UTC = 16:00 CET: a 2 h job could finish 17:00 UTC = 18:00 CET
  const base = ['run', workload, '--carbon', 'DE-2023', '--start', '2023-01-06T15:00:00Z', '--format', 'json'];
  const deadlineOf = (args: string[]) => {
    const r = cli([...base, ...args]);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout).jobs[0].deadline as number;
  };

  it('next-workday in UTC: Friday 17:00 UTC, zero slack', () => {
    expect(deadlineOf(['--deadline', 'next-workday'])).toBe(2 * H);
  });

  it('next-workday in Europe/Berlin: Monday 9 January 09:00 CET = 08:00 UTC, 65 h after the arrival', () => {
    expect(deadlineOf(['--deadline', 'next-workday', '--timezone', 'Europe/Berlin'])).toBe(65 * H);
  });

  it('semi-weekly in Europe/Berlin: Monday 09:00 CET as well', () => {
    expect(deadlineOf(['--deadline', 'semi-weekly', '--timezone', 'Europe/Berlin'])).toBe(65 * H);
  });

  it.each([
    [['--deadline', 'next-workday', '--timezone', 'Mars/Base'], 'carbon-sim: error: field "timezone": unknown time zone "Mars/Base" (an IANA name such as Europe/Berlin, or UTC)\n'],
    [['--deadline', 'next-workday', '--max-wait', '6h'], 'carbon-sim: error: field "deadline": give either --deadline or --max-wait, not both\n'],
    [['--timezone', 'Europe/Berlin'], 'carbon-sim: error: field "timezone": a time zone applies to --deadline next-workday|semi-weekly only\n'],
  ])('bad options %j exit 2 with one line', (args, message) => {
    const r = cli([...base, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(message);
    expect(r.stdout).toBe('');
  });

  it('an unknown rule name is refused by the option parser (exit 2)', () => {
    const r = cli([...base, '--deadline', 'monthly']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument 'monthly' is invalid");
  });
});
