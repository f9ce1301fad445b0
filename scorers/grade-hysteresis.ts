import type { Grade, ScoringPolicy } from './scoring-policy.js';

const ORDER: readonly Grade[] = ['A', 'B', 'C', 'D', 'E'];

/** Points a score must pass a grade boundary by before the grade in force moves (when the policy does not say). */
export const DEFAULT_GRADE_HYSTERESIS_POINTS = 3;

/**
 * The grade in force after a new assessment. A score wobbling across a boundary must not move the
 * grade (and alert) at every re-score: the previous grade holds while the score stays within
 * `gradeHysteresisPoints` of its band. A score that leaves the band by more moves the grade at
 * once to what the score says; so does grade X (proceedings, ceased), and a first grade.
 */
export function gradeInForce(previous: Grade | null, score: number, computed: Grade, policy: Pick<ScoringPolicy, 'gradeFloors' | 'gradeHysteresisPoints'>): Grade {
  if (previous === null || previous === 'X' || computed === 'X' || previous === computed) return computed;
  const margin = policy.gradeHysteresisPoints ?? DEFAULT_GRADE_HYSTERESIS_POINTS;
  const floor = (g: Grade) => (g === 'E' ? -Infinity : policy.gradeFloors[g as 'A' | 'B' | 'C' | 'D']);
  const i = ORDER.indexOf(previous);
  const lower = floor(previous) - margin;
  const upper = i === 0 ? Infinity : floor(ORDER[i - 1]!) + margin;
  return score >= lower && score < upper ? previous : computed;
}
