import { binOf, type FeatureBins, type FitOptions } from './financial-model.js';
import type { CanonicalRatios, RatioName } from './financial-ratios.js';
import { logit, sigmoid } from './metrics.js';

export interface LabelledRatios {
  ratios: CanonicalRatios;
  defaulted: boolean;
}

export const DEFAULT_FIT_OPTIONS: FitOptions = { bins: 10, smoothing: 10, ridge: 0.1, iterations: 200 };

/** The ratios the model is fitted on (interest cover is absent from the training data). */
export const MODEL_FEATURES: RatioName[] = [
  'equityRatio',
  'currentRatio',
  'debtToEquity',
  'repaymentYears',
  'ebitdaMargin',
  'ebitMargin',
  'netMargin',
  'preTaxMargin',
  'cashFlowMargin',
  'receivableDays',
  'payableDays',
  'inventoryDays',
];

/** Quantile cut points, duplicates removed (a ratio stuck at one value gets fewer bins). */
function quantileCuts(values: number[], bins: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const cuts: number[] = [];
  for (let k = 1; k < bins; k++) {
    const q = sorted[Math.floor((k * sorted.length) / bins)];
    if (q !== undefined && (cuts.length === 0 || q > cuts[cuts.length - 1]!)) cuts.push(q);
  }
  return cuts;
}

/**
 * Fits the bins' log-odds by penalised maximum likelihood, one feature at a time (Newton steps per
 * bin, backfitting). Deterministic: the same rows and options give the same model.
 */
export function fitBinnedLogistic(
  rows: readonly LabelledRatios[],
  options: FitOptions = DEFAULT_FIT_OPTIONS,
  features: readonly RatioName[] = MODEL_FEATURES,
): { intercept: number; features: FeatureBins[] } {
  const n = rows.length;
  const y: number[] = rows.map((r) => (r.defaulted ? 1 : 0));
  const cuts = features.map((f) => quantileCuts(rows.map((r) => r.ratios[f]).filter((v): v is number => v !== null && Number.isFinite(v)), options.bins));
  // bin index per row and feature; -1 = missing (contributes nothing)
  const bins = features.map((f, j) => Int16Array.from(rows, (r) => (r.ratios[f] === null || !Number.isFinite(r.ratios[f]!) ? -1 : binOf(cuts[j]!, r.ratios[f]!))));
  const w = cuts.map((c) => new Float64Array(c.length + 1));
  const base = y.reduce((s, v) => s + v, 0) / n;
  let intercept = logit(base);
  const z = new Float64Array(n).fill(intercept);

  for (let it = 0; it < options.iterations; it++) {
    for (let j = -1; j < features.length; j++) {
      const size = j < 0 ? 1 : w[j]!.length;
      const g = new Float64Array(size);
      const h = new Float64Array(size);
      for (let i = 0; i < n; i++) {
        const b = j < 0 ? 0 : bins[j]![i]!;
        if (b < 0) continue;
        const p = sigmoid(z[i]!);
        g[b]! += p - y[i]!;
        h[b]! += p * (1 - p);
      }
      const step = new Float64Array(size);
      if (j < 0) {
        step[0] = -g[0]! / h[0]!;
        intercept += step[0];
      } else {
        const W = w[j]!;
        for (let b = 0; b < size; b++) {
          let gb = g[b]! + options.ridge * W[b]!;
          let hb = h[b]! + options.ridge;
          if (b > 0) {
            gb += options.smoothing * (W[b]! - W[b - 1]!);
            hb += options.smoothing;
          }
          if (b < size - 1) {
            gb += options.smoothing * (W[b]! - W[b + 1]!);
            hb += options.smoothing;
          }
          step[b] = -gb / hb;
          W[b]! += step[b]!;
        }
      }
      for (let i = 0; i < n; i++) {
        const b = j < 0 ? 0 : bins[j]![i]!;
        if (b >= 0) z[i]! += step[b]!;
      }
    }
  }

  // Centre each feature on its training average, so a missing ratio counts as an average one.
  const result: FeatureBins[] = features.map((name, j) => {
    const counts = new Float64Array(w[j]!.length);
    let present = 0;
    for (let i = 0; i < n; i++) {
      const b = bins[j]![i]!;
      if (b >= 0) {
        counts[b]! += 1;
        present++;
      }
    }
    const mean = present === 0 ? 0 : w[j]!.reduce((s, v, b) => s + v * counts[b]!, 0) / present;
    const logOdds = Array.from(w[j]!, (v) => round(v - mean));
    intercept += mean * (present / n);
    const variance = present === 0 ? 0 : logOdds.reduce((s, v, b) => s + v * v * counts[b]!, 0) / present;
    return {
      name,
      cuts: cuts[j]!.map((c) => Number(c.toPrecision(6))),
      logOdds,
      shares: Array.from(counts, (c) => round(c / n)),
      spread: round(Math.sqrt(variance)),
    };
  });
  return { intercept: round(intercept), features: result };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** A stratified split from a seed: the same labels and seed always put the same rows in the holdout. */
export function holdoutRows(labels: readonly boolean[], seed: number, share: number): boolean[] {
  let state = seed >>> 0;
  const random = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const holdout = new Array<boolean>(labels.length).fill(false);
  for (const cls of [true, false]) {
    const idx = labels.map((l, i) => (l === cls ? i : -1)).filter((i) => i >= 0);
    for (let i = idx.length - 1; i > 0; i--) {
      const k = Math.floor(random() * (i + 1));
      [idx[i], idx[k]] = [idx[k]!, idx[i]!];
    }
    for (const i of idx.slice(0, Math.round(idx.length * share))) holdout[i] = true;
  }
  return holdout;
}
