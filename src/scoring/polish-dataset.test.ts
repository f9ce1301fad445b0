import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseArff, parseCsv } from './polish-dataset.js';

const SHARED = path.resolve(import.meta.dirname, '../../datasets/polish-bankruptcy/data3_noMiss.csv');

describe('Polish dataset files', () => {
  it('reads the CSV derivative: columns by name, class as the label', () => {
    const { rows, defaulted } = parseCsv('Attr1,Attr2,class\n0.1,0.5,0\n-0.2,1.1,1\n');
    expect(rows).toEqual([{ Attr1: 0.1, Attr2: 0.5 }, { Attr1: -0.2, Attr2: 1.1 }]);
    expect(defaulted).toEqual([false, true]);
  });

  it("reads an original ARFF file: '?' is missing, comments and blank lines are skipped", () => {
    const arff = "@relation '3year'\n@attribute Attr1 numeric\n@attribute Attr2 numeric\n@attribute class {0,1}\n\n@data\n% a comment\n0.1,?,0\n?,1.1,1\n";
    const { rows, defaulted } = parseArff(arff);
    expect(rows).toEqual([{ Attr1: 0.1, Attr2: null }, { Attr1: null, Attr2: 1.1 }]);
    expect(defaulted).toEqual([false, true]);
  });

  it('names the line of a bad value', () => {
    expect(() => parseCsv('Attr1,class\n0.1,0\nabc,1\n')).toThrow(/line 3: Attr1 is not a number/);
    expect(() => parseCsv('Attr1,class\n0.1,2\n')).toThrow(/line 2: class must be 0 or 1/);
  });

  it('npm run score:backtest prints AUC and Gini beside Altman Z″ on an ARFF file with gaps', async () => {
    // Every 7th row of the dataset's CSV written as an ARFF file, with every 5th Attr6 missing.
    const lines = readFileSync(SHARED, 'utf8').trim().split('\n');
    const header = lines[0]!.split(',');
    const attr6 = header.indexOf('Attr6');
    const sample = lines.slice(1).filter((_, i) => i % 7 === 0);
    const body = sample.map((l, i) => (i % 5 === 0 ? l.split(',').map((v, k) => (k === attr6 ? '?' : v)).join(',') : l));
    const arff = ["@relation '3year-sample'", ...header.map((h) => (h === 'class' ? '@attribute class {0,1}' : `@attribute ${h} numeric`)), '@data', ...body].join('\n');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'vigie-')), 'sample.arff');
    writeFileSync(file, arff);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/score-backtest.ts', '--file', file]);
    expect(stdout).toContain(`rows without Z'' (a ratio missing): ${Math.ceil(sample.length / 5)}`);
    expect(stdout).toMatch(/all rows\s+n=\s+1493 defaults=\s+\d+\s+Vigie AUC 0\.\d{3} Gini 0\.\d{3}\s+Altman Z'' AUC 0\.\d{3} Gini/);
    expect(stdout).toMatch(/not used to fit the model/);
  }, 30_000);
});
