/**
 * A 1–100 payment index in the Paydex style from amount-weighted days beyond terms (DBT):
 * 100 = pays 30 days early, 80 = pays on terms, 50 = 30 days late, 20 = 120 days late.
 * Linear between those anchors, clamped to 1–100. Undefined when there is nothing to measure.
 */
const ANCHORS: ReadonlyArray<readonly [dbt: number, index: number]> = [
  [-30, 100],
  [0, 80],
  [30, 50],
  [120, 20],
  [180, 1],
];

export function paydexFromDaysBeyondTerms(dbt: number): number {
  const first = ANCHORS[0]!;
  const last = ANCHORS[ANCHORS.length - 1]!;
  if (dbt <= first[0]) return first[1];
  if (dbt >= last[0]) return last[1];
  for (let i = 1; i < ANCHORS.length; i++) {
    const [x1, y1] = ANCHORS[i]!;
    const [x0, y0] = ANCHORS[i - 1]!;
    if (dbt <= x1) return Math.round(y0 + ((dbt - x0) * (y1 - y0)) / (x1 - x0));
  }
  return last[1];
}

export interface PaymentObservation {
  /** Amount the observation weighs (minor units). */
  weight: number;
  /** Days between the due date and the payment (or today, for an invoice still unpaid): negative = early. */
  daysBeyondTerms: number;
}

export interface PaydexIndex {
  daysBeyondTerms: number | null;
  paydex: number | null;
  observations: number;
}

/** Amount-weighted average days beyond terms, and its index. */
export function paydexIndex(observations: readonly PaymentObservation[]): PaydexIndex {
  let weight = 0;
  let weighted = 0;
  for (const o of observations) {
    if (o.weight <= 0) continue;
    weight += o.weight;
    weighted += o.weight * o.daysBeyondTerms;
  }
  if (weight === 0) return { daysBeyondTerms: null, paydex: null, observations: 0 };
  const dbt = Math.round((weighted / weight) * 10) / 10;
  return { daysBeyondTerms: dbt, paydex: paydexFromDaysBeyondTerms(dbt), observations: observations.length };
}
