import { describe, expect, it } from 'vitest';
import { scoreFirmographics } from './firmographics-scorer.js';
import { DEFAULT_SCORING_POLICY as P } from './scoring-policy.js';
import { identity } from './test-fixtures.js';

const TODAY = '2026-11-23';

describe('scoreFirmographics', () => {
  it.each([
    { name: 'created 2025', id: identity({ createdOn: '2025-01-15' }), expected: ['young_company'] },
    { name: 'created 1990', id: identity({ createdOn: '1990-01-15' }), expected: ['established_company'] },
    { name: 'middle-aged, 3–5 employees, SAS in IT services', id: identity(), expected: [] },
    { name: 'no employee', id: identity({ headcountBand: 'NN' }), expected: ['no_employee'] },
    { name: '50–99 employees', id: identity({ headcountBand: '21' }), expected: ['ten_or_more_employees'] },
    { name: 'entrepreneur individuel', id: identity({ legalFormCode: '1000', entrepreneurIndividuel: true }), expected: ['entrepreneur_individuel'] },
    { name: 'building works', id: identity({ activityCode: '43.21A' }), expected: ['sector_higher_risk'] },
    { name: 'restaurant', id: identity({ activityCode: '56.10A' }), expected: ['sector_higher_risk'] },
  ])('$name → $expected', ({ id, expected }) => {
    expect(scoreFirmographics(id, P, TODAY).reasons.map((r) => r.code)).toEqual(expected);
  });

  it('unknown facts add nothing and are listed', () => {
    const s = scoreFirmographics(identity({ createdOn: null, headcountBand: null, legalFormCode: null, activityCode: null }), P, TODAY);
    expect(s).toMatchObject({ logOdds: 0, reasons: [], missing: ['creation date', 'headcount band', 'legal form', 'activity code'] });
    expect(scoreFirmographics(null, P, TODAY)).toMatchObject({ logOdds: 0, missing: ['identity'] });
  });

  it('points follow the policy and its weight', () => {
    const young = identity({ createdOn: '2025-01-15' });
    expect(scoreFirmographics(young, P, TODAY).logOdds).toBe(P.firmographics.young);
    expect(scoreFirmographics(young, { ...P, weights: { ...P.weights, firmographics: 0.5 } }, TODAY).logOdds).toBe(P.firmographics.young / 2);
  });
});
