import type { ScreenKit } from './screen-kit.js';
import type { AssessmentsService } from '../../scoring/assessments-service.js';
import type { CompaniesService } from '../../companies/companies-service.js';
import { DomainError } from '../../errors.js';
import { isValidSiren } from '../../identifiers.js';
import { CONDITIONS_FR, CONFIDENCE_WORDS, PROSPECT, reasonText, SCORERS_FR, STATEMENT_TYPES, STATUS_FR } from '../words.js';

/**
 * The prospect check (sales, credit managers): search the registry by name, or go straight to a
 * SIREN or SIRET; the report — grade, score, probability of default, recommended limit and payment
 * conditions with their reasons in words, BODACC announcements, published accounts, each source's date.
 */
export function prospectsScreen(kit: ScreenKit, deps: { assessments: AssessmentsService; companies: CompaniesService }): void {
  const { router, guards } = kit;
  // The prospect check (sales, credit managers): search the registry, then the assessment report.
  router.get('/prospects', guards.loadSession, guards.signedIn, guards.allow(PROSPECT), async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 200) : '';
    const { t } = kit.speaker(res);
    const digits = q.replace(/\s/g, '');
    if (/^\d{9}$/.test(digits) || /^\d{14}$/.test(digits)) return res.redirect(303, `/prospects/${digits.slice(0, 9)}`);
    if (!q) return kit.render(res, 'prospects', { title: 'Contrôle prospect', q });
    try {
      const found = await deps.companies.search(q, 1);
      kit.render(res, 'prospects', {
        title: 'Contrôle prospect',
        q,
        results: {
          total: found.total,
          more: found.total > found.companies.length,
          rows: found.companies.map((c) => ({ name: c.name ?? c.siren, siren: c.siren, address: c.headOffice?.address ?? '', status: t(STATUS_FR[c.status] ?? c.status) })),
        },
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      kit.render(res, 'prospects', { title: 'Contrôle prospect', q, error: t('Recherche impossible : {why}', { why: err.message }) }, err.kind === 'upstream_unavailable' ? 503 : 400);
    }
  });
  router.get('/prospects/:siren', guards.loadSession, guards.signedIn, guards.allow(PROSPECT), async (req, res) => {
    const siren = String(req.params.siren);
    const speaking = kit.speaker(res);
    const { t, money: eur, date: frDate, percent } = speaking;
    if (!/^\d{9}$/.test(siren)) return void res.status(404).type('text').send(t('SIREN invalide.'));
    if (!isValidSiren(siren)) return kit.render(res, 'prospects', { title: 'Contrôle prospect', q: siren, error: t('SIREN invalide : sa clé de contrôle ne correspond pas.') }, 400);
    try {
      const [report, company] = await Promise.all([deps.assessments.assessCompany(siren), deps.companies.company(siren)]);
      const pct = percent;
      kit.render(res, 'prospect', {
        title: t('Prospect {name}', { name: report.company.name ?? siren }),
        company: { name: report.company.name ?? siren, status: t(STATUS_FR[report.company.status ?? ''] ?? report.company.status ?? '') },
        report: {
          siren,
          asOf: frDate(report.asOf),
          grade: report.grade,
          score: report.score,
          pd: pct(report.probabilityOfDefault12m * 100),
          confidence: t(CONFIDENCE_WORDS[report.confidence.level] ?? report.confidence.level),
          limit: eur(report.recommendedLimit.amount),
          limitReason: reasonText(speaking, { ...report.recommendedLimit.reason, scorer: 'limit', points: 0 }),
          basis: report.recommendedLimit.basis.map((b) => ({ ...b, ...reasonText(speaking, { ...b, scorer: 'limit', points: 0 }) })),
          condition: t(CONDITIONS_FR[report.paymentConditions.condition] ?? report.paymentConditions.condition),
          conditionDetail: reasonText(speaking, { ...report.paymentConditions, scorer: 'conditions', points: 0 }),
          reasons: report.reasons.filter((r) => r.points !== 0 || r.scorer === 'data').map((r) => ({ scorer: t(SCORERS_FR[r.scorer] ?? r.scorer), ...reasonText(speaking, r), points: r.points })),
        },
        events: [...company.legalEvents.items].sort((a, b) => (a.publishedOn < b.publishedOn ? 1 : -1)).slice(0, 20).map((e) => ({ date: frDate(e.publishedOn), kind: e.kind.replace(/_/g, ' '), court: e.court ?? '' })),
        statements: company.financialStatements.items.map((f) => ({
          date: frDate(f.closingDate),
          type: t(STATEMENT_TYPES[f.type] ?? f.type),
          revenue: f.revenue === null ? '–' : eur(f.revenue * 100),
          netIncome: f.netIncome === null ? '–' : eur(f.netIncome * 100),
          debt: pct(f.ratios.debtRatio),
          equity: pct(f.ratios.equityRatio),
          margin: pct(f.ratios.ebitdaMargin),
        })),
        freshness: report.freshness.map((f) => ({
          source: f.source,
          date: f.fetchedAt ? frDate(f.fetchedAt) : '–',
          state: !f.available ? `${t('indisponible')}${f.error ? ` (${f.error})` : ''}` : t(f.stale ? 'ancienne (la source n’a pas répondu)' : 'à jour'),
        })),
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      kit.render(res, 'prospects', { title: 'Contrôle prospect', q: siren, error: err.message }, err.kind === 'not_found' ? 404 : err.kind === 'upstream_unavailable' ? 503 : 400);
    }
  });

}
