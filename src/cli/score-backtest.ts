/**
 * npm run score:backtest -- --file <csv|arff> — the AUC and Gini of the financial scorer on any
 * file in the Polish bankruptcy dataset's format, beside Altman Z'' computed in the same run.
 * On the file the model was fitted on, the rows of its holdout (never seen by the fit) are also
 * reported apart: only those figures say how the model does on new data.
 */
import { parseArgs } from 'node:util';
import { holdoutRows } from '../../scorers/financial-fit.js';
import { altmanZ2, ratiosFromPolish } from '../../scorers/financial-ratios.js';
import { FINANCIAL_MODEL, scoreFinancials } from '../../scorers/financial-scorer.js';
import { auc, gini } from '../../scorers/metrics.js';
import { readPolishDataset } from '../scoring/polish-dataset.js';

const { values } = parseArgs({ options: { file: { type: 'string' } } });
if (!values.file) {
  console.error('usage: npm run score:backtest -- --file <csv or arff in the Polish bankruptcy format>');
  process.exit(2);
}
const data = readPolishDataset(values.file);
const model = FINANCIAL_MODEL;
const scored = data.rows.map((row, i) => {
  const fin = scoreFinancials(ratiosFromPolish(row));
  return { risk: fin.logOdds, known: fin.contributions.length > 0, z2: altmanZ2(row), defaulted: data.defaulted[i]! };
});

const f3 = (x: number) => x.toFixed(3);
function report(label: string, rows: typeof scored) {
  const labels = rows.map((r) => r.defaulted);
  const ours = auc(rows.map((r) => r.risk), labels);
  // Z'' is higher for safer companies; a row missing one of its four ratios ranks as Z'' = 0.
  const z = auc(rows.map((r) => -(r.z2 ?? 0)), labels);
  const defaults = labels.filter(Boolean).length;
  console.log(
    `${label.padEnd(34)} n=${String(rows.length).padStart(6)} defaults=${String(defaults).padStart(5)}  ` +
      `Vigie AUC ${f3(ours)} Gini ${f3(gini(ours))}   Altman Z'' AUC ${f3(z)} Gini ${f3(gini(z))}   difference ${ours - z >= 0 ? '+' : ''}${f3(ours - z)}`,
  );
  return { ours, z };
}

console.log(`model ${model.version}; file ${data.file} (sha256 ${data.sha256.slice(0, 16)}…)`);
const missingZ = scored.filter((r) => r.z2 === null).length;
const noRatio = scored.filter((r) => !r.known).length;
if (missingZ || noRatio) console.log(`rows without Z'' (a ratio missing): ${missingZ}; rows with no ratio for Vigie: ${noRatio}`);
report('all rows', scored);
if (data.sha256 === model.training.sha256) {
  const holdout = holdoutRows(data.defaulted, model.training.holdout.seed, model.training.holdout.share);
  report('fitted rows (in-sample)', scored.filter((_, i) => !holdout[i]));
  const h = report('holdout rows (out-of-sample)', scored.filter((_, i) => holdout[i]));
  console.log(`target on data not fitted on: AUC >= 0.85 and >= Z'' + 0.10 (${f3(h.z + 0.1)}): ${h.ours >= 0.85 && h.ours >= h.z + 0.1 ? 'met' : 'NOT met'}`);
} else {
  console.log('this file was not used to fit the model: every row is out-of-sample');
}
