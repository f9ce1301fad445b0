/**
 * The canonical ratio set the financial scorer reads, whatever published them. Decimals
 * (0.25 = 25 %), years or days as named; null = not published or not computable, never 0.
 */
export interface CanonicalRatios {
  /** Equity / total assets (autonomie financière). */
  equityRatio: number | null;
  /** Current assets / short-term liabilities (ratio de liquidité). */
  currentRatio: number | null;
  /** Financial debt / equity (taux d'endettement). */
  debtToEquity: number | null;
  /** Financial debt / cash flow, in years (capacité de remboursement). */
  repaymentYears: number | null;
  /** EBITDA / turnover (marge d'EBE). */
  ebitdaMargin: number | null;
  /** EBIT / turnover. */
  ebitMargin: number | null;
  /** Net income / turnover. */
  netMargin: number | null;
  /** Pre-tax current income / turnover (résultat courant avant impôts). */
  preTaxMargin: number | null;
  /** Cash flow (CAF) / turnover. */
  cashFlowMargin: number | null;
  receivableDays: number | null;
  payableDays: number | null;
  inventoryDays: number | null;
  /** Financial charges relative to EBITDA, as published; not in the fitted model (the training data has no such figure). */
  interestCover: number | null;
}

export type RatioName = keyof CanonicalRatios;

/** How each ratio reads in a reason, with the French name users know. */
export const RATIO_LABELS: Record<RatioName, { label: string; unit: 'percent' | 'ratio' | 'years' | 'days' }> = {
  equityRatio: { label: 'autonomie financière (equity / total assets)', unit: 'percent' },
  currentRatio: { label: 'ratio de liquidité (current assets / short-term liabilities)', unit: 'ratio' },
  debtToEquity: { label: "taux d'endettement (financial debt / equity)", unit: 'percent' },
  repaymentYears: { label: 'capacité de remboursement (debt / cash flow)', unit: 'years' },
  ebitdaMargin: { label: "marge d'EBE (EBITDA / turnover)", unit: 'percent' },
  ebitMargin: { label: 'EBIT margin', unit: 'percent' },
  netMargin: { label: 'marge nette (net income / turnover)', unit: 'percent' },
  preTaxMargin: { label: 'résultat courant avant impôts / turnover', unit: 'percent' },
  cashFlowMargin: { label: 'CAF / turnover', unit: 'percent' },
  receivableDays: { label: 'crédit clients (days of turnover)', unit: 'days' },
  payableDays: { label: 'crédit fournisseurs (days)', unit: 'days' },
  inventoryDays: { label: 'rotation des stocks (days)', unit: 'days' },
  interestCover: { label: 'couverture des intérêts', unit: 'ratio' },
};

const PERCENT = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

export function formatRatio(name: RatioName, value: number): string {
  switch (RATIO_LABELS[name].unit) {
    case 'percent':
      return `${PERCENT.format(Math.round(value * 1000) / 10)}%`;
    case 'ratio':
      return `${Math.round(value * 100) / 100}`;
    case 'years':
      return `${Math.round(value * 10) / 10} years`;
    case 'days':
      return `${Math.round(value)} days`;
  }
}

/** A statement of the "Ratios financiers BCE/INPI" dataset as the ratios adapter maps it (percentages as published). */
export interface BceStatement {
  closingDate: string;
  confidentiality: string | null;
  revenue: number | null;
  ebitda: number | null;
  ebit: number | null;
  netIncome: number | null;
  ratios: {
    debtRatio: number | null;
    liquidityRatio: number | null;
    equityRatio: number | null;
    repaymentCapacity: number | null;
    interestCover: number | null;
    ebitdaMargin: number | null;
    receivableDays: number | null;
    payableDays: number | null;
    cashFlowMargin?: number | null;
    preTaxMargin?: number | null;
    inventoryDays?: number | null;
  };
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? null : x / 100);
const share = (part: number | null, whole: number | null) => (part === null || whole === null || whole === 0 ? null : part / whole);

/**
 * The BCE/INPI statement as canonical ratios. The dataset writes 0 for a turnover it does not
 * publish (confidential accounts) and for ratios it could not compute (liquidity, receivable days,
 * repayment years of an indebted company): those are unknown here, so nothing is scored on a
 * figure that was never published.
 */
export function ratiosFromBce(s: BceStatement): CanonicalRatios {
  const revenue = s.revenue === 0 ? null : s.revenue;
  const r = s.ratios;
  return {
    equityRatio: pct(r.equityRatio),
    currentRatio: r.liquidityRatio === 0 ? null : pct(r.liquidityRatio),
    debtToEquity: pct(r.debtRatio),
    // With financial debt, 0 years of repayment is the dataset's "not computed".
    repaymentYears: r.repaymentCapacity === 0 && r.debtRatio !== 0 ? null : (r.repaymentCapacity ?? null),
    ebitdaMargin: revenue === null ? null : pct(r.ebitdaMargin),
    ebitMargin: share(s.ebit, revenue),
    netMargin: share(s.netIncome, revenue),
    preTaxMargin: revenue === null ? null : pct(r.preTaxMargin),
    cashFlowMargin: revenue === null ? null : pct(r.cashFlowMargin),
    // A business customer with no receivables at all is the dataset's "not computed", not a fact.
    receivableDays: revenue === null || r.receivableDays === 0 ? null : (r.receivableDays ?? null),
    payableDays: r.payableDays ?? null,
    inventoryDays: revenue === null ? null : (r.inventoryDays ?? null),
    interestCover: r.interestCover ?? null,
  };
}

/** One row of the Polish bankruptcy dataset: `AttrN` columns, null where missing (`?` in the ARFF files). */
export type PolishRow = Record<string, number | null>;

const num = (row: PolishRow, attr: string) => {
  const v = row[attr];
  return v === null || v === undefined || !Number.isFinite(v) ? null : v;
};

/**
 * The same canonical ratios from the Polish dataset's attributes (UCI 365 wording). The closest
 * definitions, not identical ones: Attr59 is long-term liabilities / equity (the bulk of financial
 * debt); Attr15 is total liabilities × 365 / (gross profit + depreciation); Attr62 measures
 * short-term liabilities in days of sales, standing in for supplier credit.
 */
export function ratiosFromPolish(row: PolishRow): CanonicalRatios {
  const a = (n: number) => num(row, `Attr${n}`);
  const liabilities = a(2);
  const sales = a(9);
  const cashFlowToLiabilities = a(26);
  const a15 = a(15);
  return {
    equityRatio: a(10),
    currentRatio: a(4),
    debtToEquity: a(59),
    repaymentYears: a15 === null ? null : a15 / 365,
    ebitdaMargin: a(49),
    ebitMargin: a(42),
    netMargin: a(23),
    preTaxMargin: a(19),
    cashFlowMargin: cashFlowToLiabilities === null || liabilities === null || !sales ? null : (cashFlowToLiabilities * liabilities) / sales,
    receivableDays: a(44),
    payableDays: a(62),
    inventoryDays: a(20),
    interestCover: null,
  };
}

/** Altman Z'' (private, non-manufacturing firms) from the Polish attributes; null when one is missing. */
export function altmanZ2(row: PolishRow): number | null {
  const [x1, x2, x3, x4] = [num(row, 'Attr3'), num(row, 'Attr6'), num(row, 'Attr7'), num(row, 'Attr8')];
  if (x1 === null || x2 === null || x3 === null || x4 === null) return null;
  return 6.56 * x1 + 3.26 * x2 + 6.72 * x3 + 1.05 * x4;
}

/**
 * Equity in euros, when the published ratios allow it: financial debt = repayment years × CAF,
 * CAF = CAF margin × turnover, equity = financial debt / debt-to-equity. The dataset does not
 * publish the balance sheet total, so without debt there is no way to size equity.
 */
export function derivedEquity(ratios: CanonicalRatios, revenue: number | null): number | null {
  const { repaymentYears, cashFlowMargin, debtToEquity } = ratios;
  if (!revenue || !repaymentYears || !cashFlowMargin || !debtToEquity) return null;
  if (repaymentYears <= 0 || cashFlowMargin <= 0 || debtToEquity <= 0) return null;
  return Math.round((repaymentYears * cashFlowMargin * revenue) / debtToEquity);
}
