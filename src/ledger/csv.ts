import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
export { currencyMinorDigits } from '../identifiers.js';

export interface CsvRecord {
  /** 1-based line number where the record starts. */
  line: number;
  fields: string[];
}

/**
 * Streams RFC 4180 records (quoted fields, doubled quotes, line breaks inside quotes, CRLF) from a
 * byte stream, without holding more than one chunk. The separator is `;` or `,`, taken from the
 * header line (whichever it has more of) unless given.
 */
export async function* parseCsv(input: Readable | AsyncIterable<Buffer | string>, separator?: ';' | ','): AsyncGenerator<CsvRecord> {
  const decoder = new StringDecoder('utf8');
  let sep = separator;
  let field = '';
  let fields: string[] = [];
  let inQuotes = false;
  let quoteSeen = false; // the previous char closed a quoted section (maybe an escaped quote follows)
  let line = 1;
  let recordLine = 1;
  let headerBuffer = '';
  let first = true;

  function* consume(text: string): Generator<CsvRecord> {
    for (let i = 0; i < text.length; i++) {
      // Fast path: a whole line with no quote, starting a record, is split in one call.
      if (!inQuotes && !quoteSeen && field === '' && fields.length === 0 && !first) {
        const nl = text.indexOf('\n', i);
        if (nl !== -1) {
          const raw = text.slice(i, nl);
          if (raw.indexOf('"') === -1) {
            const lineText = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
            const record = { line: recordLine, fields: lineText.split(sep!) };
            line++;
            recordLine = line;
            i = nl;
            if (!(record.fields.length === 1 && record.fields[0] === '')) yield record;
            continue;
          }
        }
      }
      const c = text[i]!;
      if (first) {
        first = false;
        if (c === '\uFEFF') continue; // byte order mark from spreadsheet exports
      }
      if (inQuotes) {
        if (c === '"') {
          inQuotes = false;
          quoteSeen = true;
        } else {
          if (c === '\n') line++;
          field += c;
        }
        continue;
      }
      if (c === '"') {
        if (quoteSeen) field += '"'; // "" inside a quoted field
        inQuotes = true;
        quoteSeen = false;
        continue;
      }
      quoteSeen = false;
      if (c === sep) {
        fields.push(field);
        field = '';
      } else if (c === '\n') {
        fields.push(field.endsWith('\r') ? field.slice(0, -1) : field);
        const record = { line: recordLine, fields };
        fields = [];
        field = '';
        line++;
        recordLine = line;
        if (!(record.fields.length === 1 && record.fields[0] === '')) yield record;
      } else {
        field += c;
      }
    }
  }

  for await (const chunk of input) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (!sep) {
      headerBuffer += text;
      const nl = headerBuffer.indexOf('\n');
      if (nl === -1 && headerBuffer.length < 65_536) continue;
      const header = nl === -1 ? headerBuffer : headerBuffer.slice(0, nl);
      sep = (header.match(/;/g)?.length ?? 0) >= (header.match(/,/g)?.length ?? 0) ? ';' : ',';
      text = headerBuffer;
      headerBuffer = '';
    }
    yield* consume(text);
  }
  if (!sep) {
    const header = headerBuffer;
    sep = (header.match(/;/g)?.length ?? 0) >= (header.match(/,/g)?.length ?? 0) ? ';' : ',';
    yield* consume(headerBuffer);
  }
  yield* consume(decoder.end());
  if (inQuotes) throw new CsvSyntaxError(recordLine, 'a quoted field is not closed');
  if (field !== '' || fields.length > 0) {
    fields.push(field.endsWith('\r') ? field.slice(0, -1) : field);
    yield { line: recordLine, fields };
  }
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * "1 234,56", "1234.56", "1234" → minor units as an exact integer (no binary float on the way).
 * Accepts a decimal comma or point, and spaces (also non-breaking) as thousands separators.
 */
export function parseDecimalToMinor(text: string, digits: number): number | string {
  const s = text.replace(/[\s\u00a0\u202f]/g, '');
  const m = /^(-?)(\d+)(?:[.,](\d+))?$/.exec(s);
  if (!m) return 'is not a number (use 1234.56 or 1234,56)';
  const [, sign, whole, frac = ''] = m;
  if (frac.length > digits) return `has more than ${digits} decimal places`;
  const minor = Number(whole! + frac.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor)) return 'is too large';
  return sign ? -minor : minor;
}

/** "2026-03-31" or "31/03/2026" → "2026-03-31"; undefined when neither is a real date. */
export function parseDay(text: string): string | undefined {
  let y: string, m: string, d: string;
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (match) [, y, m, d] = match as unknown as [string, string, string, string];
  else {
    match = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text.trim());
    if (!match) return undefined;
    [, d, m, y] = match as unknown as [string, string, string, string];
  }
  const iso = `${y}-${m}-${d}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso) ? iso : undefined;
}
