import type { Role } from '../api-keys/roles.js';
import { REASON_CODES_FR } from '../../scorers/index.js';
import type { Speaker } from './i18n.js';
/** Words the pages share: roles, and a refused field's reasons. */

/** Each role in French (the pages translate). */
export const ROLE_LABELS: Record<string, string> = { sales: 'commercial', collector: 'recouvrement', credit_manager: 'credit manager', admin: 'administrateur' };

/** A schema's refusals as one line: each field by its label (when given), then why. */
export function issuesText(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>, labels: Record<string, string> = {}): string {
  return issues.map((i) => `${labels[String(i.path[0])] ?? i.path.map(String).join('.')} — ${i.message}`).join(' ; ');
}

/** Who sees which pages: the same roles as the API routes behind them (admin sees everything). */
export const MANAGE: readonly Role[] = ['credit_manager', 'admin'];
export const PROSPECT: readonly Role[] = ['sales', 'credit_manager', 'admin'];
export const COLLECT: readonly Role[] = ['collector', 'credit_manager', 'admin'];
export const ADMIN: readonly Role[] = ['admin'];
/** The order rules' reasons (src/orders/order-rules.ts), in French words. */
export const REASONS_FR: Record<string, string> = {
  legal_proceedings: 'procédure collective ou cessation (note X)',
  manual_block: 'bloqué par un credit manager',
  collections: 'recouvrement au stade bloquant',
  overdue_invoices: 'factures échues impayées',
  over_limit: 'limite dépassée',
  risk_grade: 'note E sans limite fixée',
  no_limit: 'aucune limite fixée',
};


export const SEVERITIES = [
  { value: 'critical', label: 'critique', tone: 'bad' },
  { value: 'high', label: 'haute', tone: 'bad' },
  { value: 'medium', label: 'moyenne', tone: 'warn' },
  { value: 'low', label: 'basse', tone: 'ok' },
];
export const STATUSES = [
  { value: 'open', label: 'Ouvertes' },
  { value: 'acknowledged', label: 'Prises en compte' },
  { value: 'resolved', label: 'Résolues' },
];
export const DECISIONS: Record<string, { label: string; tone: string }> = { review: { label: 'à examiner', tone: 'warn' }, blocked: { label: 'bloquée', tone: 'bad' } };
export const TASKS: Record<string, string> = {
  call: 'Appel',
  letter_to_send: 'Courrier à envoyer',
  formal_notice_to_send: 'Mise en demeure à envoyer',
  escalation: 'Escalade',
  claim_declaration: 'Déclaration de créance',
  declare_to_insurer: 'Déclaration à l’assureur',
  promise_due: 'Promesse à échéance',
  installment_due: 'Échéance d’un plan',
};
/** Each alert type in French words. */
/** An alert's status on its row (the filter says the plural). */
export const ALERT_STATUS_WORDS: Record<string, string> = { open: 'ouverte', acknowledged: 'prise en compte', resolved: 'résolue' };
export const ALERT_TYPE_LABELS: Record<string, string> = {
  legal_event: 'annonce légale (BODACC)',
  grade_downgrade: 'note dégradée',
  grade_upgrade: 'note améliorée',
  limit_exceeded: 'limite dépassée',
  overdue: 'factures échues',
  auto_blocked: 'bloqué automatiquement',
  auto_unblocked: 'débloqué automatiquement',
  limit_review_due: 'révision de limite à faire',
  source_stale: 'source injoignable',
  sanction_published: 'sanction DGCCRF publiée',
  promise_broken: 'promesse non tenue',
  installment_late: 'échéance de plan en retard',
  formal_notice_due: 'mise en demeure à envoyer',
  dispute_opened: 'litige ouvert',
  email_failed: 'e-mail non remis',
  insolvency_opened: 'procédure collective ouverte',
  claim_deadline: 'délai de déclaration de créance',
  cover_reduced: 'couverture d’assurance réduite',
  insurer_claim_due: 'déclaration à l’assureur à faire',
  legal_case_deadline: 'échéance d’une injonction de payer',
  company_identity_incomplete: 'identité de la société incomplète',
  late_payment_rate_missing: 'taux de pénalités du semestre à saisir',
};
/** The state of a reminder, letter, call, promise, plan or dispute, in words. */
export const TIMELINE_STATUS: Record<string, string> = {
  held: 'retenu : identité de la société à compléter',
  queued: 'en file d’envoi',
  pending: 'en file d’envoi',
  sending: 'en cours d’envoi',
  sent: 'envoyé',
  not_sent: 'non envoyé (pas de serveur d’e-mail)',
  failed: 'échec d’envoi',
  to_send: 'à envoyer',
  open: 'à faire',
  done: 'fait',
  cancelled: 'annulé',
  kept: 'tenue',
  broken: 'non tenue',
  active: 'en cours',
  completed: 'soldé',
  defaulted: 'défaillant',
  resolved: 'résolu',
};
/** Words of a decision and of a confidence level. */
export const DECISION_WORDS: Record<string, string> = { approved: 'acceptée', review: 'à examiner', blocked: 'bloquée' };
export const CONFIDENCE_WORDS: Record<string, string> = { high: 'élevée', medium: 'moyenne', low: 'faible' };


export const STATUS_FR: Record<string, string> = { active: 'active', ceased: 'cessée', unknown: 'situation inconnue' };

export const CONDITIONS_FR: Record<string, string> = { standard_terms: 'délais habituels', shorter_terms: 'délais raccourcis', deposit: 'acompte', prepayment: 'paiement d’avance' };

export const STATEMENT_TYPES: Record<string, string> = { C: 'complets', S: 'simplifiés', K: 'consolidés' };

/** A scorer's reason, as the assessments carry it. */
export interface Reason {
  code: string;
  scorer: string;
  detail: string;
  points: number;
}
/** The scorers' domains, in French words. */
export const SCORERS_FR: Record<string, string> = {
  financial: 'finances',
  legal: 'annonces légales',
  firmographics: 'profil de l’entreprise',
  payment_behaviour: 'paiements',
  data: 'données',
  limit: 'limite',
  conditions: 'conditions',
};

/**
 * A scorer's reason in plain words: in French, the meaning of its code (REASON_CODES_FR), with the
 * scorer's own figures after it; in English, the scorer's text.
 */
export function reasonText(s: Speaker, r: Reason): { text: string; figures: string | null } {
  if (s.lang === 'en') return { text: r.detail, figures: null };
  return { text: REASON_CODES_FR[r.code] ?? r.detail, figures: REASON_CODES_FR[r.code] ? r.detail : null };
}
