import type { RatioName } from './financial-ratios.js';

/**
 * A binned additive logistic model (a scorecard): each ratio falls in one bin, each bin carries
 * log-odds of default relative to the average company of the training data. The points of a
 * company are the sum of its bins' points, so every point can be read as a reason.
 */
export interface FinancialModel {
  version: string;
  /** Default rate of the training data, over its horizon. */
  trainingDefaultRate: number;
  trainingHorizonYears: number;
  /** Log-odds of default of the average training company. */
  intercept: number;
  features: FeatureBins[];
  training: {
    file: string;
    sha256: string;
    rows: number;
    defaults: number;
    holdout: { seed: number; share: number };
    options: FitOptions;
    auc: { train: number; holdout: number; altmanZ2Holdout: number };
  };
}

export interface FeatureBins {
  name: RatioName;
  /** Ascending cut points: bin i holds cuts[i-1] <= x < cuts[i]. */
  cuts: number[];
  /** Log-odds per bin (positive = riskier), centred so the training average is 0: a missing ratio counts 0. */
  logOdds: number[];
  /** Share of the training rows per bin. */
  shares: number[];
  /** Standard deviation of this feature's log-odds over the training rows: how much it can move a score. */
  spread: number;
}

export interface FitOptions {
  bins: number;
  /** Penalty on the difference between neighbouring bins (smooth, readable points). */
  smoothing: number;
  ridge: number;
  iterations: number;
}

export function binOf(cuts: readonly number[], value: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value >= cuts[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
