import { describe, expect, it } from 'vitest';
import { auc, gini, logit, sigmoid } from './metrics.js';

describe('auc', () => {
  it.each([
    { risk: [1, 2, 3, 4], labels: [false, false, true, true], expected: 1 },
    { risk: [4, 3, 2, 1], labels: [false, false, true, true], expected: 0 },
    { risk: [1, 1, 1, 1], labels: [false, true, false, true], expected: 0.5 },
    // one tie between a default and a survivor counts half
    { risk: [1, 2, 2, 3], labels: [false, false, true, true], expected: 0.875 },
  ])('$risk / $labels → $expected', ({ risk, labels, expected }) => {
    expect(auc(risk, labels)).toBeCloseTo(expected, 10);
  });

  it('is undefined with only one class', () => {
    expect(auc([1, 2], [true, true])).toBeNaN();
  });

  it('gini = 2·AUC − 1; logit and sigmoid are inverse', () => {
    expect(gini(0.75)).toBe(0.5);
    expect(sigmoid(logit(0.047))).toBeCloseTo(0.047, 12);
  });
});
