import type { Readable } from 'node:stream';
import { MAX_MINOR_UNITS } from '../identifiers.js';
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
/** The longest record a CSV may have (a line, or the lines of one record with quoted line breaks). */
export const MAX_CSV_RECORD_CHARS = 65_536;

export async function* parseCsv(input: Readable | AsyncIterable<Buffer | string>, separator?: ';' | ','): AsyncGenerator<CsvRecord> {
  // Fatal: a byte sequence that is not UTF-8 is refused with its line, never turned into U+FFFD.
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const decoder = {
    write(chunk: Buffer): string {
      try {
        return utf8.decode(chunk, { stream: true });
      } catch {
        throw new CsvSyntaxError(line, 'the file is not valid UTF-8 (export it as UTF-8)');
      }
    },
    end(): string {
      try {
        return utf8.decode();
      } catch {
        throw new CsvSyntaxError(line, 'the file ends inside a UTF-8 character');
      }
    },
  };
  let sep = separator;
  let field = '';
  let fields: string[] = [];
  let inQuotes = false;
  let quoteSeen = false; // the previous char closed a quoted section (maybe an escaped quote follows)
  let fieldQuoted = false; // the current field began with a quote
  let line = 1;
  let recordLine = 1;
  let headerBuffer = '';
  let first = true;
  let recordChars = 0;
  const tooLong = () => new CsvSyntaxError(recordLine, `the line is longer than ${MAX_CSV_RECORD_CHARS.toLocaleString('en')} characters (a file whose lines never end is refused, not read)`);

  function* consume(text: string): Generator<CsvRecord> {
    for (let i = 0; i < text.length; i++) {
      // Fast path: a whole line with no quote, starting a record, is split in one call.
      if (!inQuotes && !quoteSeen && field === '' && fields.length === 0 && !first) {
        const nl = text.indexOf('\n', i);
        if (nl !== -1) {
          if (nl - i > MAX_CSV_RECORD_CHARS) throw tooLong();
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
      if (++recordChars > MAX_CSV_RECORD_CHARS) throw tooLong();
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
        // RFC 4180: a quote opens a field or doubles one inside it; anywhere else the cell is not
        // what its author meant (F"CSV"2 would be stored as FCSV2): refused with its line.
        else if (field !== '' || fieldQuoted) throw new CsvSyntaxError(line, 'a quote (") stands inside an unquoted field; quote the whole field and double the quotes inside it');
        inQuotes = true;
        quoteSeen = false;
        fieldQuoted = true;
        continue;
      }
      if (quoteSeen && c !== sep && c !== '\n' && c !== '\r') {
        throw new CsvSyntaxError(line, 'text follows the closing quote of a field; quote the whole field and double the quotes inside it');
      }
      quoteSeen = false;
      if (c === sep) {
        fieldQuoted = false;
        fields.push(field);
        field = '';
      } else if (c === '\n') {
        fields.push(field.endsWith('\r') ? field.slice(0, -1) : field);
        const record = { line: recordLine, fields };
        fields = [];
        field = '';
        fieldQuoted = false;
        recordChars = 0;
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

/**
 * A copy of a string that holds nothing else alive, for what an import keeps beyond the line it
 * read (document keys, customer labels). V8 returns a field of 13 characters or more split from a
 * line as a view into the decoded chunk it came from: one such field kept per customer kept every
 * chunk of a file alive (971 MB for a 1M-line FEC).
 */
export const ownString = (s: string): string => (s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8'));

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
  if (!(minor <= MAX_MINOR_UNITS)) return `is too large (at most ${MAX_MINOR_UNITS.toLocaleString('en')} minor units)`;
  return sign ? -minor : minor;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const FRENCH_DAY = /^(\d{2})\/(\d{2})\/(\d{4})$/;

/** "2026-03-31" or "31/03/2026" → "2026-03-31"; undefined when neither is a real date. */
export function parseDay(text: string): string | undefined {
  const t = text.trim();
  let iso: string;
  let y: number, m: number, d: number;
  let match = ISO_DAY.exec(t);
  if (match) {
    iso = t;
    y = Number(match[1]);
    m = Number(match[2]);
    d = Number(match[3]);
  } else {
    match = FRENCH_DAY.exec(t);
    if (!match) return undefined;
    iso = `${match[3]}-${match[2]}-${match[1]}`;
    y = Number(match[3]);
    m = Number(match[2]);
    d = Number(match[1]);
  }
  if (m < 1 || m > 12 || d < 1) return undefined;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!) ? iso : undefined;
}
