import { addDays, type Clock } from '../clock.js';
import type { AlertInput, AlertsService } from '../alerts/alerts-service.js';
import type { Severity } from '../db/schema.js';
import type { CreditService } from '../credit/credit-service.js';
import type { BodaccSource } from '../../sources/bodacc/bodacc-source.js';
import type { LegalEvent } from '../../sources/source.js';
import type { LegalEventsStore } from './legal-events-store.js';
import type { MonitoringStore } from './monitoring-store.js';
import type { Counts, Rescorer } from './monitoring-common.js';

const CHECKPOINT = 'bodacc-delta';

const EVENT_SEVERITY: Record<string, Severity> = {
  liquidation_judiciaire: 'critical',
  redressement_judiciaire: 'high',
  sauvegarde: 'high',
  radiation: 'high',
  plan: 'medium',
  cloture: 'medium',
  vente_cession: 'medium',
  other: 'low',
};

/** The job bodacc-delta: the portfolio's announcements on BODACC, day by day, alerted and re-scored. */
export class BodaccDeltaService {
  constructor(
    private readonly deps: {
      store: MonitoringStore;
      legalEvents: LegalEventsStore;
      bodacc: BodaccSource;
      alerts: AlertsService;
      credit: CreditService;
      rescore: Rescorer;
      clock: Clock;
      /** On the first run, how many days back to start. */
      firstDays: number;
      /** Announcements just stored, with the customers of each SIREN (the insolvency playbook opens its cases). */
      onAnnouncements?: (events: LegalEvent[], customersBySiren: Map<string, string[]>) => Promise<number>;
    },
  ) {}

  /**
   * Every announcement published since the last complete day, for the whole portfolio at once (by
   * publication date, paginated), matched to customers' SIRENs. Each day is checkpointed once
   * complete; today is read again by the next run (its announcements are stored once by id).
   */
  async run(): Promise<Counts> {
    const today = this.deps.credit.today();
    const last = await this.deps.store.checkpoint(CHECKPOINT);
    const from = last ? addDays(last, 1) : addDays(today, -this.deps.firstDays);
    const sirens = await this.deps.store.portfolioSirens();
    const counts = { days: 0, requests: 0, announcements: 0, matched: 0, newEvents: 0, alerts: 0, rescored: 0, gradeChanges: 0, insolvencyCases: 0 };
    for await (const day of this.deps.bodacc.publishedByDay(from, today)) {
      counts.days++;
      counts.requests += day.requests;
      counts.announcements += new Set(day.events.map((e) => e.id)).size;
      const matched = day.events.filter((e) => sirens.has(e.siren));
      counts.matched += matched.length;
      // An announcement is stored with its alerts, or neither: a re-run then raises them.
      const { fresh, owners, raised } = await this.deps.store.transaction(async (trx) => {
        const stored = await this.deps.legalEvents.insertNew(matched, this.deps.clock.now(), trx);
        const bySiren = await this.deps.store.customersBySiren([...new Set(stored.map((e) => e.siren))], trx);
        const alerts = stored.filter((e) => e.kind !== 'depot_des_comptes').flatMap((e) => (bySiren.get(e.siren) ?? []).map((customerId) => legalEventAlert(customerId, e)));
        return { fresh: stored, owners: bySiren, raised: (await this.deps.alerts.raise(alerts, trx)).length };
      });
      counts.newEvents += fresh.length;
      counts.alerts += raised;
      if (fresh.length > 0) {
        const r = await this.deps.rescore.rescoreCustomers([...new Set(fresh.flatMap((e) => owners.get(e.siren) ?? []))]);
        counts.rescored += r.assessed;
        counts.gradeChanges += r.gradeChanges;
        if (this.deps.onAnnouncements) counts.insolvencyCases += await this.deps.onAnnouncements(fresh, owners);
      }
      if (day.day < today) await this.deps.store.setCheckpoint(CHECKPOINT, day.day, this.deps.clock.now());
    }
    return counts;
  }
}

function legalEventAlert(customerId: string, e: LegalEvent): AlertInput {
  const nature = e.judgment?.nature ? `: ${e.judgment.nature}` : '';
  return {
    type: 'legal_event',
    severity: EVENT_SEVERITY[e.kind] ?? 'low',
    customerId,
    dedupeKey: `legal_event:${customerId}:${e.id}`,
    message: `BODACC ${e.kind.replace(/_/g, ' ')} published on ${e.publishedOn}${nature} (${e.id})`,
    data: { kind: e.kind, publishedOn: e.publishedOn, judgment: e.judgment, court: e.court, correction: e.correction },
    evidence: { source: 'bodacc', id: e.id, date: e.publishedOn, url: e.url },
    once: true,
  };
}
