// A safe reader for the `args` column of typed traces: JSON or a Python literal (single or double
// quoted strings, True/False/None, tuples). It only builds data; nothing is ever evaluated, so
// `__import__('os')` or `[1] * 5` is rejected with the offending position.

export type LiteralValue = null | boolean | number | string | LiteralValue[] | { [key: string]: LiteralValue };

export class LiteralError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'LiteralError';
  }
}

const NUMBER = /[+-]?(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', b: '\b', f: '\f' };

/** Parse a JSON or Python literal (dict, list, tuple, str, int, float, True, False, None). */
export function parseLiteral(text: string): LiteralValue {
  let pos = 0;

  const fail = (what: string): never => {
    const near = text.slice(pos, pos + 20);
    throw new LiteralError(`${what} at character ${pos + 1}${near ? ` near "${near}"` : ''}`, pos);
  };
  const skip = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };

  const value = (depth: number): LiteralValue => {
    if (depth > 64) fail('nesting too deep');
    skip();
    const c = text[pos];
    if (c === undefined) return fail('unexpected end of literal');
    if (c === '{') return dict(depth);
    if (c === '[') return seq(']', depth);
    if (c === '(') return seq(')', depth);
    if (c === "'" || c === '"') return str();
    NUMBER.lastIndex = pos;
    const num = NUMBER.exec(text);
    if (num && num[0] !== '+' && num[0] !== '-') {
      const raw = num[0].replace(/_/g, '');
      const v = Number(raw);
      if (!Number.isFinite(v)) fail(`number ${num[0]} is not finite`);
      pos += num[0].length;
      return v;
    }
    WORD.lastIndex = pos;
    const word = WORD.exec(text);
    if (word) {
      const w = word[0];
      const known: Record<string, LiteralValue> = { True: true, False: false, None: null, true: true, false: false, null: null };
      if (w in known) {
        pos += w.length;
        return known[w]!;
      }
      return fail(`"${w}" is not data (only literals are accepted, nothing is evaluated)`);
    }
    return fail(`unexpected "${c}"`);
  };

  const str = (): string => {
    const quote = text[pos]!;
    pos++;
    let out = '';
    while (pos < text.length) {
      const c = text[pos]!;
      if (c === quote) {
        pos++;
        return out;
      }
      if (c === '\\') {
        const e = text[pos + 1];
        if (e === undefined) break;
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) {
          out += String.fromCharCode(parseInt(text.slice(pos + 2, pos + 6), 16));
          pos += 6;
          continue;
        }
        const mapped = ESCAPES[e];
        if (mapped === undefined) fail(`unknown escape "\\${e}"`);
        out += mapped;
        pos += 2;
        continue;
      }
      if (c === '\n') fail('newline inside a string');
      out += c;
      pos++;
    }
    return fail('unterminated string');
  };

  const seq = (close: ']' | ')', depth: number): LiteralValue[] => {
    pos++;
    const out: LiteralValue[] = [];
    for (;;) {
      skip();
      if (text[pos] === close) {
        pos++;
        return out;
      }
      out.push(value(depth + 1));
      skip();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === close) {
        pos++;
        return out;
      }
      fail(`expected "," or "${close}"`);
    }
  };

  const dict = (depth: number): { [key: string]: LiteralValue } => {
    pos++;
    const out: { [key: string]: LiteralValue } = Object.create(null);
    for (;;) {
      skip();
      if (text[pos] === '}') {
        pos++;
        return out;
      }
      const key = value(depth + 1);
      if (typeof key !== 'string') fail('dictionary keys must be strings');
      skip();
      if (text[pos] !== ':') fail('expected ":"');
      pos++;
      if (Object.prototype.hasOwnProperty.call(out, key as string)) fail(`duplicate key "${key as string}"`);
      out[key as string] = value(depth + 1);
      skip();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        return out;
      }
      fail('expected "," or "}"');
    }
  };

  const result = value(0);
  skip();
  if (pos < text.length) fail('unexpected text after the literal');
  return result;
}
