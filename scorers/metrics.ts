/**
 * Area under the ROC curve by the Mann-Whitney rank sum, ties given their average rank.
 * `risk`: higher = more likely to default; `defaulted`: the labels.
 */
export function auc(risk: readonly number[], defaulted: readonly boolean[]): number {
  if (risk.length !== defaulted.length) throw new Error('auc: risk and labels differ in length');
  const order = risk.map((_, i) => i).sort((a, b) => risk[a]! - risk[b]!);
  const rank = new Array<number>(risk.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && risk[order[j + 1]!] === risk[order[i]!]) j++;
    const average = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) rank[order[k]!] = average;
    i = j + 1;
  }
  let positives = 0;
  let rankSum = 0;
  defaulted.forEach((d, i) => {
    if (d) {
      positives++;
      rankSum += rank[i]!;
    }
  });
  const negatives = defaulted.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export const gini = (a: number) => 2 * a - 1;

export const logit = (p: number) => Math.log(p / (1 - p));
export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
