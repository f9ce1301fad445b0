import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PolishRow } from '../../scorers/financial-ratios.js';

export interface PolishDataset {
  file: string;
  sha256: string;
  rows: PolishRow[];
  defaulted: boolean[];
}

/**
 * Reads a file in the Polish bankruptcy dataset's format: the CSV derivative in datasets/polish-bankruptcy/ (header
 * line, `class` column) or an original UCI ARFF file (`@attribute AttrN numeric`, `?` = missing).
 */
export function readPolishDataset(file: string): PolishDataset {
  const text = readFileSync(file, 'utf8');
  const parsed = /^\s*@relation/im.test(text) || /\.arff$/i.test(file) ? parseArff(text) : parseCsv(text);
  return { file: path.basename(file), sha256: createHash('sha256').update(text).digest('hex'), ...parsed };
}

function toRows(columns: string[], lines: string[], where: (i: number) => string) {
  const classAt = columns.indexOf('class');
  if (classAt < 0) throw new Error('no "class" column');
  const rows: PolishRow[] = [];
  const defaulted: boolean[] = [];
  lines.forEach((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== columns.length) throw new Error(`${where(i)}: ${cells.length} values, ${columns.length} columns expected`);
    const row: PolishRow = {};
    columns.forEach((name, k) => {
      if (k === classAt) return;
      const cell = cells[k]!;
      const v = cell === '?' || cell === '' ? null : Number(cell);
      if (v !== null && !Number.isFinite(v)) throw new Error(`${where(i)}: ${name} is not a number: "${cell}"`);
      row[name] = v;
    });
    const label = cells[classAt]!.replace(/['"]/g, '');
    if (label !== '0' && label !== '1') throw new Error(`${where(i)}: class must be 0 or 1, got "${label}"`);
    rows.push(row);
    defaulted.push(label === '1');
  });
  return { rows, defaulted };
}

export function parseCsv(text: string) {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const columns = lines[0]!.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  return toRows(columns, lines.slice(1), (i) => `line ${i + 2}`);
}

export function parseArff(text: string) {
  const lines = text.split(/\r?\n/);
  const columns: string[] = [];
  let dataAt = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const attr = /^@attribute\s+('[^']+'|"[^"]+"|\S+)/i.exec(line);
    if (attr) columns.push(attr[1]!.replace(/['"]/g, ''));
    if (/^@data/i.test(line)) {
      dataAt = i + 1;
      break;
    }
  }
  if (dataAt < 0) throw new Error('no @data section');
  // The UCI files name their attributes X1…X64 in comments but AttrN in @attribute lines.
  const data = lines.slice(dataAt).map((l, i) => ({ l: l.trim(), n: dataAt + i + 1 })).filter(({ l }) => l !== '' && !l.startsWith('%'));
  const parsed = toRows(columns, data.map((d) => d.l), (i) => `line ${data[i]!.n}`);
  return parsed;
}
