/** One reason a score moved: every point gained or lost is named, with the data behind it. */
export interface ScoreReason {
  code: string;
  /** Log-odds of default added (positive = riskier); 0 for a reason that only informs. */
  logOdds: number;
  detail: string;
  /** Where to check it: a BODACC announcement id, a statement date, a sanction date. */
  evidence?: { source: string; id?: string; date?: string; url?: string | null };
}

export interface SubScore {
  name: 'financial' | 'legal' | 'firmographics' | 'payment_behaviour';
  logOdds: number;
  reasons: ScoreReason[];
}

/** What the scorers read about a company (the shapes the source adapters produce). */
export interface CompanyFacts {
  identity: {
    status: 'active' | 'ceased' | 'unknown';
    ceasedOn: string | null;
    radiatedOn: string | null;
    createdOn: string | null;
    legalFormCode: string | null;
    entrepreneurIndividuel: boolean;
    activityCode: string | null;
    headcountBand: string | null;
  } | null;
  legalEvents: Array<{
    id: string;
    kind: string;
    publishedOn: string;
    judgment: { nature: string | null; date: string | null } | null;
    accountsClosingDate: string | null;
    correction: { type: 'rectificatif' | 'annulation' } | null;
    url: string | null;
  }>;
  sanctions: Array<{ date: string; amount: number; name: string }>;
  latestStatementClosing: string | null;
}

export const sum = (reasons: readonly ScoreReason[]) => Math.round(reasons.reduce((s, r) => s + r.logOdds, 0) * 1e4) / 1e4;

/** Whole months from `from` to `to` (YYYY-MM-DD), rounded down. */
export function monthsBetween(from: string, to: string): number {
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  return (ty - fy) * 12 + (tm - fm) - (td < fd ? 1 : 0);
}
