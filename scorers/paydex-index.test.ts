import { describe, expect, it } from 'vitest';
import { paydexFromDaysBeyondTerms, paydexIndex } from './paydex-index.js';

describe('Paydex-style payment index', () => {
  it.each([
    [-60, 100],
    [-30, 100],
    [-15, 90],
    [0, 80],
    [15, 65],
    [30, 50],
    [75, 35],
    [120, 20],
    [150, 11],
    [400, 1],
  ])('%d days beyond terms → %d', (dbt, index) => {
    expect(paydexFromDaysBeyondTerms(dbt)).toBe(index);
  });

  it('weights days beyond terms by amount', () => {
    const r = paydexIndex([
      { weight: 300, daysBeyondTerms: 0 },
      { weight: 100, daysBeyondTerms: 40 },
    ]);
    expect(r).toEqual({ daysBeyondTerms: 10, paydex: 70, observations: 2 });
  });

  it('says nothing rather than inventing a score when there is no history', () => {
    expect(paydexIndex([])).toEqual({ daysBeyondTerms: null, paydex: null, observations: 0 });
  });
});
