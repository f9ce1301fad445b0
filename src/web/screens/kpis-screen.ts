import type { ScreenKit } from './screen-kit.js';
import type { CreditService } from '../../credit/credit-service.js';
import type { KpisService } from '../../kpis/kpis-service.js';
import { DomainError } from '../../errors.js';
import { addDays } from '../../clock.js';
import { COLLECT } from '../words.js';

/**
 * The KPIs (collectors, credit managers): DSO (count-back) and the overdue, unpaid and recovery rates
 * by month, as charts and a table, with the CSV export.
 */
export function kpisScreen(kit: ScreenKit, deps: { credit: CreditService; kpis: KpisService }): void {
  const { router, guards } = kit;
  router.get('/kpis', guards.loadSession, guards.signedIn, guards.allow(COLLECT), async (req, res) => {
    const today = (await deps.credit.rule()).today;
    const { t, money: eur, percent, number } = kit.speaker(res);
    const valid = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null);
    const to = valid(req.query.to) ?? today;
    const from = valid(req.query.from) ?? `${addDays(to, -335).slice(0, 7)}-01`;
    try {
      const { buckets } = await deps.kpis.kpis({ from, to, groupBy: 'month', currency: 'EUR' });
      const months = buckets.map((b) => b.group);
      const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
      const fmtPct = (v: number | null) => percent(pct(v));
      const dso = buckets.map((b) => b.dso.countBack);
      const series = [
        { label: t('Échu / encours'), values: buckets.map((b) => pct(b.overdueRate)) },
        { label: t('Impayés'), values: buckets.map((b) => pct(b.unpaidRate)) },
        { label: t('Recouvrement'), values: buckets.map((b) => pct(b.recoveryRate)) },
      ];
      kit.render(res, 'kpis', {
        title: 'Indicateurs',
        charts: true,
        from,
        to,
        dso: { spec: JSON.stringify({ kind: 'line', label: 'DSO', labels: months, values: dso }), summary: months.map((m, i) => `${m} ${dso[i] === null || dso[i] === undefined ? '–' : number(dso[i])} ${t('j')}`).join(', ') },
        rates: { spec: JSON.stringify({ kind: 'line', labels: months, datasets: series }), summary: series.map((x) => `${x.label} : ${x.values.map((v) => percent(v)).join(', ')}`).join(' ; ') },
        rows: buckets.map((b) => ({
          month: b.group,
          sales: eur(b.sales),
          receivables: eur(b.receivables),
          dso: b.dso.countBack === null ? '–' : number(b.dso.countBack),
          overdue: fmtPct(b.overdueRate),
          unpaid: fmtPct(b.unpaidRate),
          recovery: fmtPct(b.recoveryRate),
          over90: fmtPct(b.shareOver90Days),
        })),
      });
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind !== 'invalid_input') throw err;
      kit.render(res, 'kpis', { title: 'Indicateurs', from, to, error: err.message, dso: { spec: '{}' }, rates: { spec: '{}' }, rows: [] }, 400);
    }
  });

}
