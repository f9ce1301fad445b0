import { describe, expect, it } from 'vitest';
import { gradeInForce } from './grade-hysteresis.js';
import { DEFAULT_SCORING_POLICY, type Grade } from './scoring-policy.js';

const policy = DEFAULT_SCORING_POLICY; // floors A 75, B 60, C 45, D 30; margin 3
const gradeOf = (score: number): Grade => (score >= 75 ? 'A' : score >= 60 ? 'B' : score >= 45 ? 'C' : score >= 30 ? 'D' : 'E');

describe('gradeInForce', () => {
  it.each<[Grade | null, number, Grade, Grade]>([
    [null, 59, 'C', 'C'], // a first grade is taken as computed
    ['B', 59, 'C', 'B'], // one point under B's floor: within the margin, B holds
    ['B', 57, 'C', 'B'], // exactly the margin under: B holds
    ['B', 56, 'C', 'C'], // beyond the margin: down at once
    ['B', 40, 'D', 'D'], // a real drop of two grades: at once
    ['C', 61, 'B', 'C'], // just over B's floor: not yet an upgrade
    ['C', 63, 'B', 'B'], // over by the margin: upgraded
    ['B', 12, 'X', 'X'], // proceedings: at once whatever the score
    ['X', 70, 'B', 'B'], // out of X: as computed
    ['E', 31, 'D', 'E'], // D's floor is 30: 31 is within the margin
    ['A', 99, 'A', 'A'],
  ])('previous %s, score %d (computed %s) → %s', (previous, score, computed, expected) => {
    expect(gradeInForce(previous, score, computed, policy)).toBe(expected);
  });

  it('a score wobbling across a boundary moves the grade once, not at every re-score; a real drop at once', () => {
    let grade: Grade | null = 'B';
    let moves = 0;
    for (const score of [61, 59, 62, 58, 60, 59, 61, 58, 59, 60]) {
      const next = gradeInForce(grade, score, gradeOf(score), policy);
      if (next !== grade) moves++;
      grade = next;
    }
    expect([grade, moves]).toEqual(['B', 0]);
    grade = gradeInForce(grade, 50, gradeOf(50), policy);
    expect(grade).toBe('C');
  });

  it('a policy with a margin of 0 follows the score exactly', () => {
    expect(gradeInForce('B', 59, 'C', { ...policy, gradeHysteresisPoints: 0 })).toBe('C');
  });
});
