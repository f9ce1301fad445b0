import type { Clock } from '../clock.js';
import type { AlertsService } from '../alerts/alerts-service.js';
import type { CompaniesService } from '../companies/companies-service.js';
import type { SourceName } from '../../sources/source.js';
import type { MonitoringStore } from './monitoring-store.js';
import type { Counts, Rescorer } from './monitoring-common.js';

/** The job refresh-sources: registry and financial data past their TTL, and the DGCCRF list. */
export class SourceRefreshService {
  constructor(
    private readonly deps: {
      store: MonitoringStore;
      companies: CompaniesService;
      alerts: AlertsService;
      rescore: Rescorer;
      clock: Clock;
      /** Companies refreshed per run (spread over the day by its schedule). */
      batch: number;
      registryTtlMs: number;
      financialsTtlMs: number;
    },
  ) {}

  /**
   * Re-fetches the registry and financial statements past their TTL, largest exposure first, a
   * batch per run (each source's limiter keeps within its published rate), and a new customer's
   * BODACC history once; the DGCCRF list too. A company whose status, latest statement or
   * announcements changed is re-scored at once.
   */
  async run(): Promise<Counts> {
    const now = this.deps.clock.now();
    const sirens = await this.deps.store.staleSirens(new Date(now.getTime() - this.deps.registryTtlMs), new Date(now.getTime() - this.deps.financialsTtlMs), this.deps.batch);
    const before = await this.deps.companies.stored(sirens);
    const failures = new Map<SourceName, number>();
    const successes = new Set<SourceName>();
    const changed: string[] = [];
    const fail = (s: SourceName) => failures.set(s, (failures.get(s) ?? 0) + 1);
    for (const siren of sirens) {
      const { identity, statements, events } = await this.deps.companies.refreshForMonitoring(siren);
      for (const part of [identity, statements, events]) {
        if (part.freshness.stale || !part.freshness.available) fail(part.freshness.source);
        else successes.add(part.freshness.source);
      }
      const was = before.get(siren)!;
      const latest = (statements.data ?? []).map((s) => s.closingDate).sort().at(-1) ?? null;
      const wasLatest = was.financialStatements.items.map((s) => s.closingDate).sort().at(-1) ?? null;
      if (identity.data && (identity.data.status !== was.identity.status || identity.data.radiatedOn !== was.identity.radiatedOn)) changed.push(siren);
      else if (latest !== wasLatest || (events.data?.length ?? 0) !== was.legalEvents.items.length) changed.push(siren);
    }

    const sanctions = await this.deps.companies.sanctionList(false);
    let sanctionAlerts = 0;
    const sanctioned = new Set<string>();
    if (!sanctions.freshness.available || sanctions.freshness.stale) fail('dgccrf');
    else {
      successes.add('dgccrf');
      const portfolio = await this.deps.store.portfolioSirens();
      const hits = (sanctions.data ?? []).filter((s) => s.siren && portfolio.has(s.siren));
      const owners = await this.deps.store.customersBySiren([...new Set(hits.map((s) => s.siren!))]);
      const created = await this.deps.alerts.raise(
        hits.flatMap((s) =>
          (owners.get(s.siren!) ?? []).map((customerId) => ({
            type: 'sanction_published' as const,
            severity: 'high' as const,
            customerId,
            dedupeKey: `sanction_published:${customerId}:${s.date}`,
            message: `Fined ${(s.amount / 100).toLocaleString('fr-FR')} € by the DGCCRF on ${s.date} for paying its suppliers late`,
            data: { date: s.date, amount: s.amount, currency: 'EUR', name: s.name, siret: s.siret },
            evidence: { source: 'dgccrf', date: s.date },
            once: true,
          })),
        ),
      );
      sanctionAlerts = created.length;
      for (const a of created) if (a.customerId) sanctioned.add(a.customerId);
    }

    await this.deps.alerts.raise(
      [...failures.entries()].map(([source, n]) => ({
        type: 'source_stale' as const,
        severity: 'medium' as const,
        customerId: null,
        dedupeKey: `source_stale:${source}`,
        message: `${source} could not be reached for ${n} compan${n === 1 ? 'y' : 'ies'}: their last good data is used, flagged stale`,
        data: { source, failures: n },
        evidence: { source },
      })),
    );
    await this.deps.alerts.resolveSituations(
      [...successes].filter((s) => !failures.has(s)).map((s) => `source_stale:${s}`),
      'the source answers again',
    );

    const owners = await this.deps.store.customersBySiren([...new Set(changed)]);
    const r = await this.deps.rescore.rescoreCustomers([...new Set([...[...owners.values()].flat(), ...sanctioned])]);
    return { refreshed: sirens.length, changed: new Set(changed).size, failures: [...failures.values()].reduce((a, b) => a + b, 0), sanctionAlerts, rescored: r.assessed };
  }
}
