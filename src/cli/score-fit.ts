/**
 * npm run score:fit [-- --file <csv|arff>] — fits the financial scorer on the Polish bankruptcy
 * data and writes scorers/financial-model.json. Reproducible: a fixed seed splits a stratified
 * holdout that the fit never sees; the same file gives the same model, byte for byte.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_FIT_OPTIONS, fitBinnedLogistic, holdoutRows } from '../../scorers/financial-fit.js';
import { altmanZ2, ratiosFromPolish } from '../../scorers/financial-ratios.js';
import type { FinancialModel } from '../../scorers/financial-model.js';
import { scoreFinancials } from '../../scorers/financial-scorer.js';
import { auc } from '../../scorers/metrics.js';
import { readPolishDataset } from '../scoring/polish-dataset.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    file: { type: 'string', default: path.resolve(root, 'datasets/polish-bankruptcy/data3_noMiss.csv') },
    out: { type: 'string', default: path.join(root, 'scorers/financial-model.json') },
  },
});
const SEED = 20261123;
const HOLDOUT = 0.3;

const data = readPolishDataset(values.file!);
const holdout = holdoutRows(data.defaulted, SEED, HOLDOUT);
const all = data.rows.map((row, i) => ({ ratios: ratiosFromPolish(row), defaulted: data.defaulted[i]!, z2: altmanZ2(row) }));
const train = all.filter((_, i) => !holdout[i]);
const test = all.filter((_, i) => holdout[i]);

const started = Date.now();
const fit = fitBinnedLogistic(train, DEFAULT_FIT_OPTIONS);
const defaults = train.filter((r) => r.defaulted).length;
const model: FinancialModel = {
  version: `polish-3y-binned-${data.sha256.slice(0, 8)}`,
  trainingDefaultRate: Math.round((defaults / train.length) * 1e6) / 1e6,
  trainingHorizonYears: 3,
  ...fit,
  training: {
    file: data.file,
    sha256: data.sha256,
    rows: train.length,
    defaults,
    holdout: { seed: SEED, share: HOLDOUT },
    options: DEFAULT_FIT_OPTIONS,
    auc: { train: 0, holdout: 0, altmanZ2Holdout: 0 },
  },
};
const risk = (rows: typeof all) => rows.map((r) => scoreFinancials(r.ratios, { model }).logOdds);
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
model.training.auc = {
  train: r4(auc(risk(train), train.map((r) => r.defaulted))),
  holdout: r4(auc(risk(test), test.map((r) => r.defaulted))),
  altmanZ2Holdout: r4(auc(test.map((r) => -(r.z2 ?? 0)), test.map((r) => r.defaulted))),
};
writeFileSync(values.out!, `${JSON.stringify(model, null, 2)}\n`);
console.log(`fitted on ${train.length} rows (${defaults} defaults) of ${data.file} in ${Date.now() - started} ms; holdout ${test.length} rows (${test.filter((r) => r.defaulted).length} defaults)`);
console.log(`AUC train ${model.training.auc.train}  holdout ${model.training.auc.holdout}  (Altman Z'' on the holdout ${model.training.auc.altmanZ2Holdout})`);
console.log(`wrote ${path.relative(process.cwd(), values.out!)}`);
