import type { CanonicalRatios } from './financial-ratios.js';
import type { CompanyFacts } from './scorer-types.js';

/** Building blocks for the scorers' table-driven tests. */
export const NO_RATIOS: CanonicalRatios = {
  equityRatio: null,
  currentRatio: null,
  debtToEquity: null,
  repaymentYears: null,
  ebitdaMargin: null,
  ebitMargin: null,
  netMargin: null,
  preTaxMargin: null,
  cashFlowMargin: null,
  receivableDays: null,
  payableDays: null,
  inventoryDays: null,
  interestCover: null,
};

export const SOUND_RATIOS: CanonicalRatios = {
  ...NO_RATIOS,
  equityRatio: 0.45,
  currentRatio: 1.8,
  debtToEquity: 0.3,
  repaymentYears: 1.5,
  ebitdaMargin: 0.12,
  ebitMargin: 0.08,
  netMargin: 0.05,
  preTaxMargin: 0.07,
  cashFlowMargin: 0.08,
  receivableDays: 50,
  payableDays: 45,
  inventoryDays: 20,
};

export const identity = (extra: Partial<NonNullable<CompanyFacts['identity']>> = {}): NonNullable<CompanyFacts['identity']> => ({
  status: 'active',
  ceasedOn: null,
  radiatedOn: null,
  createdOn: '2020-03-01',
  legalFormCode: '5710',
  entrepreneurIndividuel: false,
  activityCode: '62.02A',
  headcountBand: '03',
  ...extra,
});

export const facts = (extra: Partial<CompanyFacts> = {}): CompanyFacts => ({
  identity: identity(),
  legalEvents: [],
  sanctions: [],
  latestStatementClosing: '2025-12-31',
  ...extra,
});

type Event = CompanyFacts['legalEvents'][number];
export const event = (kind: string, date: string, extra: Partial<Event> = {}): Event => ({
  id: `A${date.replace(/-/g, '')}${kind.length}`,
  kind,
  publishedOn: date,
  judgment: ['sauvegarde', 'redressement_judiciaire', 'liquidation_judiciaire', 'plan', 'cloture'].includes(kind) ? { nature: `Jugement (${kind})`, date } : null,
  accountsClosingDate: null,
  correction: null,
  url: null,
  ...extra,
});
