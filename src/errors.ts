/** Where an input problem was found; every field optional so each layer adds what it knows. */
export interface InputLocation {
  file?: string;
  /** 1-based line number in the file */
  line?: number;
  field?: string;
}

/**
 * Bad input: the one error class the CLI maps to exit code 2. `code` is a stable tag for tests and
 * callers; `message` says what was wrong, naming the value; `oneLine()` adds file, line and field.
 */
export class InputError extends Error {
  readonly code: string;
  file: string | undefined;
  line: number | undefined;
  field: string | undefined;

  constructor(code: string, message: string, where: InputLocation = {}) {
    super(message);
    this.name = 'InputError';
    this.code = code;
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
  }

  /** Fill in location parts that an inner layer could not know. */
  at(where: InputLocation): this {
    this.file ??= where.file;
    this.line ??= where.line;
    this.field ??= where.field;
    return this;
  }

  oneLine(): string {
    let place = this.file ?? '';
    if (this.line !== undefined) place += `${place ? ':' : 'line '}${this.line}`;
    // a value is never shown past about 80 characters, whichever reader built the message
    const clip = (v: string): string => (v.length > 80 ? `${v.slice(0, 77)}...` : v);
    const field = this.field === undefined ? undefined : clip(this.field);
    if (field !== undefined) place += place ? ` (field "${field}")` : `field "${field}"`;
    const msg = this.message.replace(/\s*\n\s*/g, ' ').replace(/"([^"]*)"/g, (m, v: string) => (v.length > 80 ? `"${clip(v)}"` : m));
    return place ? `${place}: ${msg}` : msg;
  }
}
