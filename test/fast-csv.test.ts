// The fast path of parseWorkload (src/io/fast-csv.ts) against the general path (csv-parse and the
// row rules of src/io/trace.ts): on random valid and invalid traces both give the same specs, or the
// fast path declines and the general path names the error, so the fast path refuses exactly what the
// general path refuses.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { InputError } from '../src/errors.js';
import { isDecimal } from '../src/io/text.js';
import { ROOT, sharedData } from './helpers.js';

// parseWorkload's fast path switched on and off, and what it returned last
const state = vi.hoisted(() => ({ fast: true, accepted: 0, declined: 0 }));
vi.mock('../src/io/fast-csv.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/io/fast-csv.js')>();
  return {
    ...real,
    readFastWorkload: (...args: Parameters<typeof real.readFastWorkload>) => {
      if (!state.fast) return undefined;
      const columns = real.readFastWorkload(...args);
      if (columns === undefined) state.declined++;
      else state.accepted++;
      return columns;
    },
  };
});
const { fastJobTable, parseWorkload, parseWorkloadBytes, toJobs } = await import('../src/io/trace.js');
const { maxWaitRule } = await import('../src/model/deadlines.js');
const { readDecimal, readCsvColumns } = await import('../src/io/fast-csv.js');

type Outcome = { specs: unknown } | { error: { code: string; message: string; file?: string; line?: number; field?: string } };

function outcome(text: string, options: Parameters<typeof parseWorkload>[1], fast: boolean): Outcome {
  state.fast = fast;
  try {
    return { specs: parseWorkload(text, options) };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { error: { code: err.code, message: err.message, file: err.file, line: err.line, field: err.field } };
  } finally {
    state.fast = true;
  }
}

/** Both paths on one text: the same specs (to the bit: toEqual tells -0 from 0) or the same error. */
function check(text: string, options: Parameters<typeof parseWorkload>[1] = {}): 'fast' | 'general' {
  const before = state.accepted;
  const fast = outcome(text, options, true);
  const took = state.accepted > before ? 'fast' : 'general';
  const general = outcome(text, options, false);
  expect(fast).toEqual(general);
  if (took === 'fast') {
    expect('specs' in general).toBe(true);
    // the jobs built straight from the columns are toJobs of the general path's specs, to the bit
    const loaded = parseWorkloadBytes(new TextEncoder().encode(text), options);
    expect(loaded.fast).toBeDefined();
    const rule = maxWaitRule(7200);
    const jobs = toJobs((general as { specs: Parameters<typeof toJobs>[0] }).specs, rule);
    const table = fastJobTable(loaded.fast!, rule);
    expect(table.toArray()).toEqual(jobs);
    // the columns the engine reads agree with the jobs, and job(j) builds the same job again
    expect(Array.from(table.arrivalS)).toEqual(jobs.map((j) => j.arrival));
    expect(Array.from(table.deadlineS)).toEqual(jobs.map((j) => j.deadline));
    expect(table.profiles).toEqual(jobs.map((j) => j.profile));
    if (jobs.length > 0) expect(table.job(jobs.length - 1)).toEqual(jobs[jobs.length - 1]);
  }
  return took;
}

// ---- random traces

const NUMBER_CELLS = [
  '0', '1', '2', '8', '3600', '17.2', '0.5', '.5', '5.', '1e3', '1E+2', '2.5e-3', '+4', '007', '-0', '0.0',
  '25.408055555555556', '0.5769444444444503', '123456789012345678', '1e22', '1e23', '4.35e-7', '9007199254740993',
  '1.7976931348623157e308', '5e-324', '1e-400', ' 12 ', '\t3\t',
];
const BAD_NUMBER_CELLS = ['', '-1', '-0.5', '0x10', '0b11', '0o7', 'Infinity', '-Infinity', 'NaN', '1e999', 'abc', '1 2', '1e', '.', '+', '1,5', '1_000', '١', '1.5.2'];
const cell = (bad: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...NUMBER_CELLS) },
    { weight: 10, arbitrary: fc.double({ min: 0, max: 1e7, noNaN: true }).map(String) },
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 100_000 }).map(String) },
    { weight: 2, arbitrary: fc.double({ min: 0, max: 1e6, noNaN: true }).map((x) => x.toExponential(3)) },
    { weight: bad, arbitrary: fc.constantFrom(...BAD_NUMBER_CELLS) },
  );

const COLUMNS = ['cpus', 'power', 'deadline', 'max_wait', 'id', 'name', 'args', 'status'] as const;

const traceArb = fc
  .record({
    delimiter: fc.constantFrom(',', '|'),
    extra: fc.subarray([...COLUMNS]),
    odd: fc.oneof({ weight: 12, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('unknown', 'arrival_time', '') }),
    order: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
    rows: fc.array(
      fc.record({
        cells: fc.array(cell(1), { minLength: 12, maxLength: 12 }),
        id: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 40 }).map((i) => `j${i}`) }, { weight: 1, arbitrary: fc.constantFrom('', ' x ', 'a;b', 'id"1', 'j1\u00a0', '\u2028', 'a\u00a0b', 'j2\ufeff', '\u00a0j3') }),
        name: fc.oneof({ weight: 10, arbitrary: fc.constant('constant') }, { weight: 1, arbitrary: fc.constantFrom('', 'phases', 'ml', 'Constant', ' constant ') }),
        args: fc.oneof({ weight: 10, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('{"power": 3}', "{'power': 2}", '[]', 'x') }),
        status: fc.constantFrom('', '1', 'ok'),
        // a blank or whitespace line before the row, a field missing or one too many
        before: fc.oneof({ weight: 12, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('\n', ' \n', '\t \n') }),
        shape: fc.oneof({ weight: 30, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1) }),
      }),
      { minLength: 0, maxLength: 25 },
    ),
    unit: fc.constantFrom('s' as const, 'h' as const),
    wattsPerCpu: fc.constantFrom(1, 2.5, 0),
    ending: fc.oneof({ weight: 10, arbitrary: fc.constant('\n') }, { weight: 2, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('\n\n', '\n  \n') }),
    lead: fc.oneof({ weight: 10, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('\n', '  \n', '\uFEFF', '\r\n') }),
    crlf: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    headerPad: fc.constantFrom('', ' ', '\t'),
    // a third of the traces may hold anything above; the rest only well-formed rows (which may still break a rule)
    noisy: fc.constantFrom(false, false, true),
    // clean traces: ids unique, or one repeated, or one empty
    ids: fc.constantFrom('unique', 'unique', 'unique', 'unique', 'repeated', 'empty', 'spaced'),
  })
  .map((t) => {
    const header = ['arrival_time', 'length', ...t.extra, ...(t.odd ? [t.odd] : [])];
    // a random order of the header's columns
    const keyed = header.map((name, i) => ({ name, key: t.order[i] ?? i }));
    keyed.sort((a, b) => a.key - b.key);
    const names = keyed.map((k) => k.name);
    if (!t.noisy) {
      if (t.odd) names.splice(names.indexOf(t.odd), 1);
      if (!names.includes('cpus') && !names.includes('power')) names.push('cpus');
      t.lead = t.lead === '\uFEFF' || t.lead === '\r\n' ? '' : t.lead;
      t.crlf = false;
      const at = (name: string): number => names.indexOf(name);
      t.rows.forEach((row, r) => {
        row.cells = row.cells.map((c, i) => (BAD_NUMBER_CELLS.includes(c) && !(i !== at('arrival_time') && i !== at('length') && c === '') ? '1' : c));
        // mostly deadlines after arrival, and never both a deadline and a max_wait
        if (at('deadline') !== -1) {
          const [a, d] = [at('arrival_time'), at('deadline')];
          if (Number(row.cells[d]) < Number(row.cells[a])) [row.cells[a], row.cells[d]] = [row.cells[d]!, row.cells[a]!];
          if (at('max_wait') !== -1) row.cells[r % 2 ? d : at('max_wait')] = '';
        }
        row.id = r > 0 && r === t.rows.length - 1 && t.ids !== 'unique' ? (t.ids === 'repeated' ? 'j0' : t.ids === 'spaced' ? 'j0\u00a0' : '') : `j${r}`;
        row.name = 'constant';
        row.args = '';
        row.shape = 0;
      });
    }
    const lines = [names.map((n) => t.headerPad + n).join(t.delimiter)];
    for (const row of t.rows) {
      const cells = names.map((name, i) => {
        if (name === 'id') return row.id;
        if (name === 'name') return row.name;
        if (name === 'args') return row.args;
        if (name === 'status' || name === 'unknown') return row.status;
        return row.cells[i]!;
      });
      if (row.shape < 0) cells.pop();
      if (row.shape > 0) cells.push('1');
      lines.push(row.before + cells.join(t.delimiter));
    }
    let text = t.lead + lines.join('\n') + t.ending;
    if (t.crlf) text = text.replace(/\n/g, '\r\n');
    return { text, options: { file: 'random.csv', timeUnit: t.unit, wattsPerCpu: t.wattsPerCpu } };
  });

describe('fast path = general path', () => {
  it('random valid and invalid traces: the same specs or the same error (file, line, field, message)', () => {
    let fast = 0;
    let runs = 0;
    fc.assert(
      fc.property(traceArb, ({ text, options }) => {
        runs++;
        if (check(text, options) === 'fast') fast++;
      }),
      { numRuns: 3000, seed: 13 },
    );
    // not vacuous: most well-formed traces take the fast path
    expect(fast).toBeGreaterThan(runs / 10);
  });

  it('GAIA and SWF-like numeric traces only: dense random rows, all cells valid', () => {
    const rows = fc.array(fc.tuple(fc.double({ min: 0, max: 3e7, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 64 })), { minLength: 1, maxLength: 200 });
    fc.assert(
      fc.property(rows, fc.constantFrom('s' as const, 'h' as const), (rs, unit) => {
        const text = 'arrival_time,length,cpus\n' + rs.map(([a, l, c]) => `${a},${l},${c}`).join('\n') + '\n';
        expect(check(text, { timeUnit: unit })).toBe('fast');
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('hand-picked edge cases', () => {
    const cases: [string, 'fast' | 'general'][] = [
      ['arrival_time,length,cpus\n0,10,1\n', 'fast'],
      ['arrival_time,length,cpus\n0,10,1', 'fast'],
      [' arrival_time , length ,cpus\n\n 0 , 10 ,\t1\n   \n5,3,2\n', 'fast'],
      ['\n\narrival_time,length,power\n1,2,0\n', 'fast'],
      ['arrival_time|length|cpus|name|args\n0|10|1|constant|\n', 'fast'],
      ['arrival_time,length,deadline\n5,1,4\n', 'general'], // deadline before arrival
      ['arrival_time,length,cpus,deadline,max_wait\n0,1,1,5,5\n', 'general'], // both
      ['arrival_time,length\n0,1\n', 'general'], // neither cpus nor power
      ['arrival_time,length,cpus\n0x10,1,1\n', 'general'],
      ['arrival_time,length,cpus\n0,1,1.5\n', 'general'],
      ['arrival_time,length,cpus\n0,0,1\n', 'general'],
      ['arrival_time,length,cpus\n0,1e400,1\n', 'general'],
      ['arrival_time,length,cpus\n-0,1,1\n', 'fast'],
      ['arrival_time,length,cpus\n0,1,1,\n', 'general'],
      ['arrival_time,length,cpus\n0,1\n', 'general'],
      ['arrival_time,length,cpus\n', 'general'], // no jobs
      ['arrival_time,length,cpus,id\n0,1,1,a\n1,1,1,a\n', 'general'], // duplicate id
      ['arrival_time,length,cpus,id\n0,1,1,\n', 'general'],
      ['arrival_time,length,cpus\r\n0,1,1\r\n', 'general'],
      ['arrival_time,length,cpus\n"0",1,1\n', 'general'],
      ['arrival_time,length,cpus,cpus\n0,1,1,1\n', 'general'],
      ['arrival_time;length;cpus\n0;1;1\n', 'general'],
      ['arrival_time,length,cpus\n0,1e308,1\n', 'fast'],
      ['arrival_time,length,cpus\n0,1e308,1\n', 'fast'],
    ];
    for (const [text, path] of cases) expect([text, check(text)]).toEqual([text, path]);
    // hours: 1e308 h overflows to an infinite duration, which compileProfile refuses
    expect(check('arrival_time,length,cpus\n0,1e308,1\n', { timeUnit: 'h' })).toBe('general');
  });

  it('the bundled workloads and pai-100k take the fast path with the same specs', () => {
    const dir = join(ROOT, 'traces', 'workloads');
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.csv'))) check(readFileSync(join(dir, name), 'utf8'), { file: name });
    expect(check(readFileSync(join(dir, 'pai_1k.csv'), 'utf8'))).toBe('fast');
  });

  const pai = sharedData('workloads/gaia/pai-100k.csv');
  it.skipIf(pai.skip)(`pai-100k (hours) ${pai.skip || ''}`, () => {
    expect(check(readFileSync(pai.path, 'utf8'), { timeUnit: 'h' })).toBe('fast');
  });

  it('identical constant jobs share one compiled profile', () => {
    state.fast = true;
    const specs = parseWorkload('arrival_time,length,cpus\n0,10,1\n1,10,1\n2,10,2\n3,10,1\n4,10,2\n5,11,1\n');
    const [a, b, c, d, e, f] = specs.map((s) => s.profile);
    expect(a).toBe(b);
    expect(a).toBe(d);
    expect(c).toBe(e);
    expect(a).not.toBe(c);
    expect(a).not.toBe(f);
  });
});

describe('readDecimal', () => {
  const alphabet = fc.constantFrom('0', '1', '5', '9', '.', '+', '-', 'e', 'E', 'x', ' ');
  it('NaN exactly where isDecimal refuses; Number() to the bit elsewhere', () => {
    const strings = fc.oneof(
      fc.array(alphabet, { maxLength: 12 }).map((cs) => cs.join('')),
      fc.double({ noNaN: true }).map(String),
      fc.double({ noNaN: true }).chain((x) => fc.integer({ min: 0, max: 20 }).map((d) => (Number.isFinite(x) ? x.toFixed(d) : String(x)))),
      fc.double({ noNaN: true }).chain((x) => fc.integer({ min: 1, max: 21 }).map((d) => x.toPrecision(d))),
      fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 25 }), fc.integer({ min: -30, max: 30 })).map(([m, f, e]) => {
        const s = m.toString().padStart(f + 1, '0');
        return `${s.slice(0, s.length - f)}.${s.slice(s.length - f)}e${e}`;
      }),
    );
    fc.assert(
      fc.property(strings, (s) => {
        const v = readDecimal(s, 0, s.length);
        if (!isDecimal(s)) expect(v).toBeNaN();
        else expect(Object.is(v, Number(s))).toBe(true);
      }),
      { numRuns: 20_000, seed: 3 },
    );
  });

  it('mantissas at 2^53: 2^53 + 1 rounds to 2^53, so a fraction of it must not take the exact path', () => {
    for (const s of ['9007199254740993', '900719925474099.3', '90071992547409.93', '9007199254740.993e3', '9007199254740991.5', '0.9007199254740993', '4503599627370497.5']) {
      expect([s, Object.is(readDecimal(s, 0, s.length), Number(s))]).toEqual([s, true]);
    }
  });

  it('reads a cell in place', () => {
    expect(readDecimal('x,12.5,y', 2, 6)).toBe(12.5);
    expect(readDecimal('', 0, 0)).toBeNaN();
  });
});

describe('readCsvColumns', () => {
  it('typed columns with NaN for empty cells and the line of each row', () => {
    const t = readCsvColumns('arrival_time,length,cpus,power\n\n0,10,1,\n5,2.5,,3\n', ',')!;
    expect(t.rows).toBe(2);
    expect([...t.lines.subarray(0, 2)]).toEqual([3, 4]);
    expect([...t.numbers.arrival_time!.subarray(0, 2)]).toEqual([0, 5]);
    expect([...t.numbers.cpus!.subarray(0, 2)]).toEqual([1, NaN]);
    expect([...t.numbers.power!.subarray(0, 2)]).toEqual([NaN, 3]);
    expect(t.ids).toBeUndefined();
  });
});

describe('specs', () => {
  it('keys in the order of the general path', () => {
    for (const text of ['arrival_time,length,cpus\n0,1,1\n', 'arrival_time,length,cpus,power,deadline\n0,1,1,,5\n1,1,1,3,\n', 'arrival_time,length,cpus,max_wait\n0,1,1,5\n']) {
      const fast = parseWorkload(text);
      state.fast = false;
      const general = parseWorkload(text);
      state.fast = true;
      expect(fast.map((s) => Object.keys(s))).toEqual(general.map((s) => Object.keys(s)));
    }
  });

  it('power -0 and 0 get profiles of their own', () => {
    const [a, b] = parseWorkload('arrival_time,length,power\n0,1,0\n1,1,-0\n').map((s) => s.profile);
    expect(a).not.toBe(b);
    expect(Object.is(b!.work[0]!.power, -0)).toBe(true);
  });
});

describe('parseCsvRows on plain text = csv-parse', () => {
  it('random quote-free text: the same records and lines as csv-parse with the options parseCsvRows passes it', async () => {
    const { parse } = await import('csv-parse/sync');
    const { parseCsvRows } = await import('../src/io/csv.js');
    const viaCsvParse = (text: string, delimiter: string) =>
      (parse(text, { delimiter, trim: true, bom: true, relax_column_count: true, relax_quotes: false, skip_empty_lines: false }) as string[][])
        .map((record, i) => ({ record, line: i + 1 }))
        .filter((r) => !(r.record.length === 1 && r.record[0] === ''));
    const text = fc.array(fc.constantFrom('a', '1', '.', ' ', '\t', ',', '|', ';', '\n', '\n', '\v', '\u00a0', 'é', '\u2028', 'x y'), { maxLength: 80 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, fc.constantFrom(',', '|'), (t, delimiter) => {
        expect(parseCsvRows(t, { file: 'x', delimiter })).toEqual(viaCsvParse(t, delimiter));
      }),
      { numRuns: 5000, seed: 17 },
    );
    const carbon = readFileSync(join(ROOT, 'traces', 'carbon', readdirSync(join(ROOT, 'traces', 'carbon')).find((n) => n.endsWith('.csv'))!), 'utf8');
    expect(parseCsvRows(carbon, { file: 'carbon' })).toEqual(viaCsvParse(carbon, ','));
  });
});
