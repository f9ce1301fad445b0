import { InvalidInput } from '../errors.js';
import { parseDay, parseDecimalToMinor } from '../ledger/csv.js';

/**
 * The Fichier des Écritures Comptables (Livre des procédures fiscales, article A47 A-1): a header
 * line of field names, then one line per accounting line, tab- or "|"-separated; ISO 8859-15 or
 * UTF-8 (with or without BOM), detected; decimal commas; dates YYYYMMDD. Debit/Credit, or Montant
 * with Sens (D/C).
 */
export const FEC_COLUMNS = [
  'JournalCode', 'JournalLib', 'EcritureNum', 'EcritureDate', 'CompteNum', 'CompteLib', 'CompAuxNum', 'CompAuxLib', 'PieceRef',
  'PieceDate', 'EcritureLib', 'Debit', 'Credit', 'EcritureLet', 'DateLet', 'ValidDate', 'Montantdevise', 'Idevise',
] as const;
const REQUIRED = ['JournalCode', 'EcritureNum', 'EcritureDate', 'CompteNum', 'CompAuxNum', 'PieceRef', 'PieceDate', 'EcritureLib', 'EcritureLet', 'DateLet'] as const;

/** One accounting line, as much of it as the import needs. */
export interface FecLine {
  line: number;
  journal: string;
  entry: string;
  date: string;
  account: string;
  aux: string;
  auxLabel: string;
  piece: string;
  pieceDate: string | null;
  label: string;
  /** Debit − credit, minor units. */
  amount: number;
  letter: string;
  letterDate: string | null;
}

export function lineError(line: number, field: string | null, message: string, code = 'invalid_fec_line'): InvalidInput {
  return new InvalidInput(`line ${line}${field ? `, ${field}` : ''}: ${message}`, [{ line, message, ...(field ? { field } : {}) }], code);
}

/** The longest FEC line read (the 18 fields of a real line take a few hundred characters). */
export const MAX_FEC_LINE_CHARS = 65_536;

/** Bytes to text lines: BOM or valid UTF-8 → UTF-8, otherwise ISO 8859-15 (decided on the first bytes, checked to the end). */
export type FecEncoding = 'UTF-8' | 'ISO-8859-15';

/**
 * The encoding of a whole FEC, read once to its end: UTF-8 when every byte sequence is (a BOM
 * allowed), else ISO 8859-15 — an export whose first accented letter comes 160,000 bytes in is
 * judged on that letter, not on its first chunk.
 */
export async function detectFecEncoding(input: AsyncIterable<Buffer | string>): Promise<FecEncoding> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of input) utf8.decode(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk, { stream: true });
    utf8.decode();
    return 'UTF-8';
  } catch {
    return 'ISO-8859-15';
  }
}

export async function* decodeLines(input: AsyncIterable<Buffer | string>, known?: FecEncoding): AsyncGenerator<{ line: number; text: string; encoding: string }> {
  let decoder: InstanceType<typeof TextDecoder> | null = null;
  let encoding = '';
  let rest = '';
  let line = 0;
  for await (const chunk of input) {
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (!decoder) {
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf && known !== 'ISO-8859-15') {
        bytes = bytes.subarray(3);
        encoding = 'UTF-8';
      } else if (known) {
        encoding = known;
      } else {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, Math.max(0, bytes.length - 4)));
          encoding = 'UTF-8';
        } catch {
          encoding = 'ISO-8859-15';
        }
      }
      decoder = new TextDecoder(encoding === 'UTF-8' ? 'utf-8' : 'iso-8859-15', { fatal: true });
    }
    let text: string;
    try {
      text = rest + decoder.decode(bytes, { stream: true });
    } catch {
      throw lineError(line + 1, null, `is not ${encoding} (the file mixes encodings)`, 'invalid_encoding');
    }
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      line++;
      const raw = text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl);
      start = nl + 1;
      yield { line, text: raw, encoding };
    }
    rest = text.slice(start);
    // A line that never ends is refused at the limit rather than held in memory.
    if (rest.length > MAX_FEC_LINE_CHARS) throw lineError(line + 1, null, `is longer than ${MAX_FEC_LINE_CHARS.toLocaleString('en')} characters`, 'line_too_long');
  }
  if (decoder) rest += decoder.decode();
  if (rest.length > 0) yield { line: line + 1, text: rest.endsWith('\r') ? rest.slice(0, -1) : rest, encoding };
}

const fecDay = (s: string): string | undefined => {
  const t = s.trim();
  if (/^\d{8}$/.test(t)) return parseDay(`${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}`);
  return parseDay(t);
};

/** Parses the lines of a FEC, validating each (a bad line names its number and field). */
export async function* parseFec(lines: AsyncIterable<{ line: number; text: string }>): AsyncGenerator<FecLine> {
  let header: Map<string, number> | null = null;
  let separator = '\t';
  let width = 0;
  let amountMode: 'debit_credit' | 'montant_sens' = 'debit_credit';
  for await (const { line, text } of lines) {
    if (text.trim() === '') continue;
    if (!header) {
      separator = text.includes('\t') ? '\t' : text.includes('|') ? '|' : '';
      if (!separator) throw lineError(line, null, 'the header must list the FEC fields separated by tabs or "|"', 'invalid_fec_header');
      const names = text.split(separator).map((n) => n.trim().replace(/^\uFEFF/, ''));
      header = new Map(names.map((n, i) => [n.toLowerCase(), i]));
      width = names.length;
      for (const r of REQUIRED) if (!header.has(r.toLowerCase())) throw lineError(line, r, `the header lacks the field ${r}`, 'invalid_fec_header');
      if (header.has('debit') && header.has('credit')) amountMode = 'debit_credit';
      else if (header.has('montant') && header.has('sens')) amountMode = 'montant_sens';
      else throw lineError(line, 'Debit', 'the header needs Debit and Credit, or Montant and Sens', 'invalid_fec_header');
      continue;
    }
    const f = text.split(separator);
    if (f.length !== width) throw lineError(line, null, `has ${f.length} fields, the header ${width}`);
    const h = header;
    const get = (name: string) => (f[h.get(name.toLowerCase()) ?? -1] ?? '').trim();
    if (text.indexOf('\0') !== -1) throw lineError(line, null, 'contains a NUL character', 'invalid_characters');
    const date = fecDay(get('EcritureDate'));
    if (!date) throw lineError(line, 'EcritureDate', `"${get('EcritureDate')}" is not a date (YYYYMMDD)`);
    const account = get('CompteNum');
    if (!account) throw lineError(line, 'CompteNum', 'is required');
    const money = (name: string) => {
      const raw = get(name);
      if (raw === '') return 0;
      const v = parseDecimalToMinor(raw, 2);
      if (typeof v === 'string') throw lineError(line, name, `"${raw}" ${v}`);
      return v;
    };
    let amount: number;
    if (amountMode === 'debit_credit') amount = money('Debit') - money('Credit');
    else {
      const sens = get('Sens').toUpperCase();
      if (sens !== 'D' && sens !== 'C' && sens !== '+1' && sens !== '-1') throw lineError(line, 'Sens', 'must be D or C');
      amount = (sens === 'D' || sens === '+1' ? 1 : -1) * money('Montant');
    }
    const pieceRaw = get('PieceDate');
    const pieceDate = pieceRaw ? fecDay(pieceRaw) : null;
    if (pieceRaw && !pieceDate) throw lineError(line, 'PieceDate', `"${pieceRaw}" is not a date (YYYYMMDD)`);
    const letter = get('EcritureLet');
    const letRaw = get('DateLet');
    const letterDate = letRaw ? fecDay(letRaw) : null;
    if (letRaw && !letterDate) throw lineError(line, 'DateLet', `"${letRaw}" is not a date (YYYYMMDD)`);
    // EcritureNum 0 or blank (some tools) is allowed: the import then tells entries apart by journal, date and piece.
    const entry = get('EcritureNum');
    yield {
      line,
      journal: get('JournalCode'),
      entry,
      date,
      account,
      aux: get('CompAuxNum'),
      auxLabel: get('CompAuxLib'),
      piece: get('PieceRef'),
      pieceDate: pieceDate ?? null,
      label: get('EcritureLib'),
      amount,
      letter,
      letterDate: letterDate ?? null,
    };
  }
  if (!header) throw lineError(1, null, 'the file is empty', 'invalid_fec_header');
}
