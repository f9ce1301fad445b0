import fitted from './financial-model.json' with { type: 'json' };
import { binOf, type FinancialModel } from './financial-model.js';
import { formatRatio, RATIO_LABELS, type CanonicalRatios, type RatioName } from './financial-ratios.js';
import { sigmoid } from './metrics.js';

export const FINANCIAL_MODEL = fitted as FinancialModel;

export interface FinancialPolicy {
  model?: FinancialModel;
  /** Multiplies the financial log-odds when combined with the other scorers (1 = as fitted). */
  weight?: number;
}

export interface FinancialContribution {
  factor: RatioName;
  code: string;
  value: number;
  /** Log-odds of default this ratio adds (positive = riskier), already weighted. */
  logOdds: number;
  detail: string;
}

export interface FinancialScore {
  modelVersion: string;
  /** Sum of the contributions: log-odds relative to an average company. 0 when nothing is known. */
  logOdds: number;
  /** Probability of default over the training horizon at the training default rate; null without data. */
  trainingHorizonPd: number | null;
  /** Share (0–1) of the model's discriminating power the published ratios cover. */
  coverage: number;
  contributions: FinancialContribution[];
  missing: RatioName[];
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The reason code of one ratio's contribution: `equity_negative`, or `<ratio>_weak` / `<ratio>_strong`. */
export function financialReasonCode(factor: RatioName, value: number, logOdds: number): string {
  if (factor === 'equityRatio' && value < 0) return 'equity_negative';
  return `${snake(factor)}_${logOdds > 0 ? 'weak' : 'strong'}`;
}

/**
 * Pure: the financial part of the score from the canonical ratios. A missing ratio adds nothing
 * and lowers `coverage`; it is never read as 0.
 */
export function scoreFinancials(ratios: CanonicalRatios, policy: FinancialPolicy = {}, context: { statementDate?: string } = {}): FinancialScore {
  const model = policy.model ?? FINANCIAL_MODEL;
  const weight = policy.weight ?? 1;
  const contributions: FinancialContribution[] = [];
  const missing: RatioName[] = [];
  let total = 0;
  let spreadKnown = 0;
  let spreadAll = 0;
  const source = context.statementDate ? ` (${context.statementDate} statement)` : '';
  for (const f of model.features) {
    spreadAll += f.spread;
    const value = ratios[f.name];
    if (value === null || !Number.isFinite(value)) {
      missing.push(f.name);
      continue;
    }
    spreadKnown += f.spread;
    const logOdds = Math.round(f.logOdds[binOf(f.cuts, value)]! * weight * 1e4) / 1e4;
    total += logOdds;
    contributions.push({
      factor: f.name,
      code: financialReasonCode(f.name, value, logOdds),
      value,
      logOdds,
      detail: `${RATIO_LABELS[f.name].label} ${formatRatio(f.name, value)}${source}`,
    });
  }
  contributions.sort((a, b) => Math.abs(b.logOdds) - Math.abs(a.logOdds));
  const known = contributions.length > 0;
  return {
    modelVersion: model.version,
    logOdds: Math.round(total * 1e4) / 1e4,
    trainingHorizonPd: known ? sigmoid(model.intercept + total) : null,
    coverage: spreadAll === 0 ? 0 : Math.round((spreadKnown / spreadAll) * 100) / 100,
    contributions,
    missing,
  };
}
