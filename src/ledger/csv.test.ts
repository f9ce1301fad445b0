import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { parseCsv, parseDay, parseDecimalToMinor, currencyMinorDigits } from './csv.js';

async function records(text: string | string[]) {
  const chunks = (Array.isArray(text) ? text : [text]).map((t) => Buffer.from(t));
  const out = [];
  for await (const r of parseCsv(Readable.from(chunks))) out.push(r);
  return out;
}

describe('CSV records', () => {
  it('detects ; as separator and numbers lines', async () => {
    expect(await records('a;b\n1;2\n3;4\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', '4'] },
    ]);
  });

  it('detects , as separator, keeps quoted separators, doubled quotes and CRLF', async () => {
    expect(await records('a,b\r\n"1,5","say ""hi"""\r\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1,5', 'say "hi"'] },
    ]);
  });

  it('handles a record split across chunks, a quoted line break, a BOM and no final newline', async () => {
    const out = await records(['\uFEFFa;b\n"x\ny";', '2\n3;', '4']);
    expect(out).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x\ny', '2'] },
      { line: 4, fields: ['3', '4'] },
    ]);
  });

  it('skips blank lines', async () => {
    expect((await records('a;b\n\n1;2\n')).map((r) => r.line)).toEqual([1, 3]);
  });

  it('rejects an unclosed quote with its line', async () => {
    await expect(records('a;b\n"open;2\n')).rejects.toThrow(/not closed/);
  });
});

describe('amounts and dates', () => {
  it.each([
    ['1234,56', 2, 123456],
    ['1234.56', 2, 123456],
    ['1 234,5', 2, 123450],
    ['1\u00a0234', 2, 123400],
    ['100', 0, 100],
    ['0,07', 2, 7],
  ])('%s with %d decimals → %d minor units', (text, digits, minor) => {
    expect(parseDecimalToMinor(text, digits)).toBe(minor);
  });

  it.each(['12,345', 'abc', '1.2.3', ''])('refuses %s for EUR', (text) => {
    expect(typeof parseDecimalToMinor(text, 2)).toBe('string');
  });

  it('knows minor digits per currency', () => {
    expect(currencyMinorDigits('EUR')).toBe(2);
    expect(currencyMinorDigits('JPY')).toBe(0);
  });

  it.each([
    ['2026-03-31', '2026-03-31'],
    ['31/03/2026', '2026-03-31'],
    ['2026-02-30', undefined],
    ['31/02/2026', undefined],
    ['2026/03/31', undefined],
    ['2028-02-29', '2028-02-29'],
    ['29/02/2100', undefined],
    ['2000-02-29', '2000-02-29'],
    ['2026-13-01', undefined],
    ['2026-04-31', undefined],
    ['2026-01-00', undefined],
    [' 2026-12-31 ', '2026-12-31'],
  ])('%s → %s', (text, day) => {
    expect(parseDay(text)).toBe(day);
  });
});
