import type { ScoringPolicy } from './scoring-policy.js';
import { monthsBetween, sum, type CompanyFacts, type ScoreReason, type SubScore } from './scorer-types.js';

export type ProceedingKind = 'sauvegarde' | 'redressement_judiciaire' | 'liquidation_judiciaire';

export interface LegalScore extends SubScore {
  name: 'legal';
  /** Open collective proceedings (grade X), with the announcement that opened them. */
  proceedings: { kind: ProceedingKind; since: string; announcementId: string; nature: string | null } | null;
  /** Ceased or struck off the register (grade X). */
  ceased: { on: string | null; radiatedOn: string | null } | null;
}

const EUROS = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 });
const OPENING: ReadonlySet<string> = new Set(['sauvegarde', 'redressement_judiciaire', 'liquidation_judiciaire']);

/**
 * Pure: what legal announcements and sanctions say. Collective proceedings are followed in
 * judgment order: an opening (or a conversion into liquidation) puts the company in proceedings;
 * a plan lets it trade under the plan; a clôture ends them, except after a liquidation, which
 * ends the company. An announcement that is itself an annulation is not read as an event.
 */
export function scoreLegal(facts: CompanyFacts, policy: ScoringPolicy, today: string): LegalScore {
  const p = policy.legal;
  const w = policy.weights.legal;
  const reasons: ScoreReason[] = [];
  const events = facts.legalEvents.filter((e) => e.correction?.type !== 'annulation');
  const when = (e: (typeof events)[number]) => e.judgment?.date ?? e.publishedOn;
  const collective = events
    .filter((e) => OPENING.has(e.kind) || e.kind === 'plan' || e.kind === 'cloture')
    .sort((a, b) => when(a).localeCompare(when(b)) || a.publishedOn.localeCompare(b.publishedOn));

  let open: LegalScore['proceedings'] = null;
  let plan: (typeof events)[number] | null = null;
  let liquidated: (typeof events)[number] | null = null;
  for (const e of collective) {
    if (OPENING.has(e.kind)) {
      open = { kind: e.kind as ProceedingKind, since: when(e), announcementId: e.id, nature: e.judgment?.nature ?? null };
      plan = null;
      if (e.kind === 'liquidation_judiciaire') liquidated = e;
    } else if (e.kind === 'plan') {
      if (open && open.kind !== 'liquidation_judiciaire') {
        plan = e;
        open = null;
      }
    } else {
      open = null;
      plan = null;
    }
  }
  if (!open && liquidated && collective.at(-1)?.kind === 'cloture') {
    // A liquidation closed: the company is gone, which the proceeding says before the register does.
    open = { kind: 'liquidation_judiciaire', since: when(liquidated), announcementId: liquidated.id, nature: liquidated.judgment?.nature ?? null };
  }
  if (open) {
    const e = collective.find((x) => x.id === open!.announcementId)!;
    reasons.push({
      code: 'collective_proceedings',
      logOdds: 0,
      detail: `${open.kind.replace(/_/g, ' ')} since ${open.since}${open.nature ? `: ${open.nature}` : ''} (BODACC ${open.announcementId})`,
      evidence: { source: 'bodacc', id: e.id, date: e.publishedOn, url: e.url },
    });
  }
  if (plan) {
    reasons.push({
      code: 'under_plan',
      logOdds: p.underPlan * w,
      detail: `trading under a plan since ${when(plan)}${plan.judgment?.nature ? `: ${plan.judgment.nature}` : ''} (BODACC ${plan.id})`,
      evidence: { source: 'bodacc', id: plan.id, date: plan.publishedOn, url: plan.url },
    });
  }

  const id = facts.identity;
  let ceased: LegalScore['ceased'] = null;
  if (id && (id.status === 'ceased' || id.radiatedOn)) {
    ceased = { on: id.ceasedOn, radiatedOn: id.radiatedOn };
    reasons.push({
      code: 'company_ceased',
      logOdds: 0,
      detail: `the registry shows the company ${id.radiatedOn ? `struck off on ${id.radiatedOn}` : `ceased${id.ceasedOn ? ` on ${id.ceasedOn}` : ''}`}`,
      evidence: { source: 'registry', date: id.radiatedOn ?? id.ceasedOn ?? undefined },
    });
  } else {
    const radiation = events
      .filter((e) => e.kind === 'radiation' && monthsBetween(e.publishedOn, today) < p.recentRadiationMonths)
      .sort((a, b) => b.publishedOn.localeCompare(a.publishedOn))[0];
    if (radiation) {
      reasons.push({
        code: 'recent_radiation',
        logOdds: p.recentRadiation * w,
        detail: `a radiation was published on ${radiation.publishedOn} although the registry still shows the company active (BODACC ${radiation.id})`,
        evidence: { source: 'bodacc', id: radiation.id, date: radiation.publishedOn, url: radiation.url },
      });
    }
  }

  // French companies file their accounts within 7 months of the year end; a year later another is due.
  const closings = [facts.latestStatementClosing, ...events.filter((e) => e.kind === 'depot_des_comptes').map((e) => e.accountsClosingDate)].filter(
    (d): d is string => !!d,
  );
  const lastClosing = closings.sort().at(-1);
  if (!ceased && !open && lastClosing && monthsBetween(lastClosing, today) >= p.accountsLateAfterMonths) {
    reasons.push({
      code: 'accounts_filed_late',
      logOdds: p.accountsLate * w,
      detail: `the latest accounts known close on ${lastClosing}, ${monthsBetween(lastClosing, today)} months ago: a later year is overdue`,
      evidence: { source: 'bodacc', date: lastClosing },
    });
  }

  const sanction = facts.sanctions
    .filter((s) => monthsBetween(s.date, today) < p.sanctionMonths)
    .sort((a, b) => b.date.localeCompare(a.date))[0];
  if (sanction) {
    reasons.push({
      code: 'late_payment_sanction',
      logOdds: p.latePaymentSanction * w,
      detail: `fined ${EUROS.format(sanction.amount / 100)} € by the DGCCRF on ${sanction.date} for paying its suppliers late`,
      evidence: { source: 'dgccrf', date: sanction.date },
    });
  }
  return { name: 'legal', logOdds: sum(reasons), reasons, proceedings: open, ceased };
}
