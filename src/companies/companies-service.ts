import { DomainError, NotFound, UpstreamUnavailable } from '../errors.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { CompanyIdentity, FinancialStatement, LegalEvent, Sanction, SourceName } from '../../sources/source.js';
import type { RechercheEntreprisesSource } from '../../sources/recherche-entreprises/recherche-entreprises-source.js';
import type { BodaccSource } from '../../sources/bodacc/bodacc-source.js';
import type { RatiosInpiBceSource } from '../../sources/ratios-inpi-bce/ratios-inpi-bce-source.js';
import type { DgccrfSource } from '../../sources/dgccrf/dgccrf-source.js';
import type { InseeSireneSource } from '../../sources/insee-sirene/insee-sirene-source.js';
import { latestComplete } from '../../sources/ratios-inpi-bce/ratios-inpi-bce-mapper.js';
import type { CompaniesStore, StoredResult } from './companies-store.js';

export interface Freshness {
  source: SourceName;
  fetchedAt: string | null;
  ageSeconds: number | null;
  /** True when the source failed and this is the last good answer, older than its TTL. */
  stale: boolean;
  /** False when the source failed and nothing was ever fetched. */
  available: boolean;
  error: string | null;
}

type Part<T> = { data: T | null; freshness: Freshness };

export interface CompanyView {
  siren: string;
  /** Null fields when no source knows the company (only from stored(), which never throws). */
  identity: CompanyIdentity & { freshness: Freshness[] };
  legalEvents: { items: LegalEvent[]; freshness: Freshness };
  financialStatements: { items: FinancialStatement[]; latestComplete: FinancialStatement | null; freshness: Freshness };
  sanctions: { items: Sanction[]; freshness: Freshness };
}

const UNKNOWN_IDENTITY: Omit<CompanyIdentity, 'siren'> = {
  name: null,
  legalFormCode: null,
  entrepreneurIndividuel: false,
  activityCode: null,
  createdOn: null,
  status: 'unknown',
  ceasedOn: null,
  radiatedOn: null,
  headcountBand: null,
  headOffice: null,
  directors: [],
  finances: [],
};

/** One company's view from each source's part. `identity.siren` is empty when no source knows it. */
function compose(
  siren: string,
  p: { identity: Part<CompanyIdentity | null>; insee: Part<CompanyIdentity | null> | undefined; events: Part<LegalEvent[]>; statements: Part<FinancialStatement[]>; sanctions: Part<Sanction[]> },
): CompanyView {
  const known = p.identity.data ?? p.insee?.data ?? null;
  const items = p.statements.data ?? [];
  return {
    siren,
    identity: {
      ...(known ?? { ...UNKNOWN_IDENTITY, siren: '' }),
      freshness: p.insee && p.insee.data ? [p.identity.freshness, p.insee.freshness] : [p.identity.freshness],
    },
    legalEvents: { items: p.events.data ?? [], freshness: p.events.freshness },
    financialStatements: { items, latestComplete: latestComplete(items), freshness: p.statements.freshness },
    sanctions: { items: (p.sanctions.data ?? []).filter((x) => x.siren === siren), freshness: p.sanctions.freshness },
  };
}

export interface Sources {
  registry: RechercheEntreprisesSource;
  insee?: InseeSireneSource;
  bodacc: BodaccSource;
  ratios: RatiosInpiBceSource;
  dgccrf: DgccrfSource;
}

export interface Ttls {
  registryMs: number;
  bodaccMs: number;
  financialsMs: number;
  sanctionsMs: number;
}

/**
 * A company as the public sources describe it. Each source's answer is stored with its fetch time;
 * within its TTL it is served without calling out; when a source fails, the last good answer is
 * served flagged stale with its age, never silently.
 */
export class CompaniesService {
  constructor(
    private readonly store: CompaniesStore,
    private readonly sources: Sources,
    private readonly ttl: Ttls,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  search(q: string, page: number) {
    return this.sources.registry.search(q, page);
  }

  async company(siren: string, refresh = false): Promise<CompanyView> {
    const s = this.sources;
    const [identity, insee, events, statements, sanctions] = await Promise.all([
      this.cached<CompanyIdentity | null>('recherche-entreprises', siren, this.ttl.registryMs, refresh, () => s.registry.company(siren)),
      s.insee ? this.cached<CompanyIdentity | null>('insee-sirene', siren, this.ttl.registryMs, refresh, () => s.insee!.company(siren)) : undefined,
      this.cached<LegalEvent[]>('bodacc', siren, this.ttl.bodaccMs, refresh, () => s.bodacc.bySiren(siren)),
      this.cached<FinancialStatement[]>('ratios-inpi-bce', siren, this.ttl.financialsMs, refresh, () => s.ratios.statements(siren)),
      this.sanctionList(refresh),
    ]);
    const view = compose(siren, { identity, insee, events, statements, sanctions });
    if (!view.identity.siren) {
      if (!identity.freshness.available && (!insee || !insee.freshness.available)) {
        throw new UpstreamUnavailable('recherche-entreprises', `The registry cannot be reached and nothing is stored for ${siren}: ${identity.freshness.error}`);
      }
      throw new NotFound(`No company with SIREN ${siren} in the registry`, 'company_not_found');
    }
    return view;
  }

  /** The DGCCRF list of late-payment sanctions (one list for every company). */
  sanctionList(refresh = false) {
    return this.cached<Sanction[]>('dgccrf', 'all', this.ttl.sanctionsMs, refresh, () => this.sources.dgccrf.all());
  }

  /**
   * Monitoring's refresh of one company: the registry and the financial statements when past their
   * TTL, and its BODACC history once, when none is stored (from then on the portfolio-wide daily
   * walk keeps it current, instead of one request per company).
   */
  async refreshForMonitoring(siren: string) {
    const s = this.sources;
    const [identity, statements, events] = await Promise.all([
      this.cached<CompanyIdentity | null>('recherche-entreprises', siren, this.ttl.registryMs, false, () => s.registry.company(siren)),
      this.cached<FinancialStatement[]>('ratios-inpi-bce', siren, this.ttl.financialsMs, false, () => s.ratios.statements(siren)),
      this.cached<LegalEvent[]>('bodacc', siren, Number.POSITIVE_INFINITY, false, () => s.bodacc.bySiren(siren)),
    ]);
    return { identity, statements, events };
  }

  /**
   * What is stored for many companies, without calling any source: for re-scoring a portfolio.
   * A part whose last fetch failed is flagged stale; one never fetched is unavailable.
   */
  async stored(sirens: readonly string[]): Promise<Map<string, CompanyView>> {
    const sources = ['recherche-entreprises', 'insee-sirene', 'bodacc', 'ratios-inpi-bce'];
    const [bySource, all] = await Promise.all([this.store.getMany(sources, sirens), this.store.getMany(['dgccrf'], ['all'])]);
    const now = this.clock.now();
    const part = <T>(source: SourceName, hit: (StoredResult & { lastError: string | null }) | undefined): { data: T | null; freshness: Freshness } =>
      hit
        ? {
            data: hit.data as T,
            freshness: {
              source,
              fetchedAt: hit.fetchedAt.toISOString(),
              ageSeconds: Math.round((now.getTime() - hit.fetchedAt.getTime()) / 1000),
              stale: hit.lastError !== null,
              available: true,
              error: hit.lastError,
            },
          }
        : { data: null, freshness: { source, fetchedAt: null, ageSeconds: null, stale: false, available: false, error: 'not fetched yet' } };
    const sanctions = part<Sanction[]>('dgccrf', all.get('dgccrf')!.get('all'));
    const out = new Map<string, CompanyView>();
    for (const siren of sirens) {
      const insee = bySource.get('insee-sirene')!.get(siren);
      out.set(
        siren,
        compose(siren, {
          identity: part<CompanyIdentity | null>('recherche-entreprises', bySource.get('recherche-entreprises')!.get(siren)),
          insee: insee ? part<CompanyIdentity | null>('insee-sirene', insee) : undefined,
          events: part<LegalEvent[]>('bodacc', bySource.get('bodacc')!.get(siren)),
          statements: part<FinancialStatement[]>('ratios-inpi-bce', bySource.get('ratios-inpi-bce')!.get(siren)),
          sanctions,
        }),
      );
    }
    return out;
  }

  private async cached<T>(source: SourceName, key: string, ttlMs: number, refresh: boolean, fetch: () => Promise<T>): Promise<{ data: T | null; freshness: Freshness }> {
    const now = this.clock.now();
    const stored = await this.store.get(source, key);
    const age = stored ? Math.round((now.getTime() - stored.fetchedAt.getTime()) / 1000) : null;
    const fresh = (fetchedAt: Date, stale = false, error: string | null = null): Freshness => ({
      source,
      fetchedAt: fetchedAt.toISOString(),
      ageSeconds: Math.round((now.getTime() - fetchedAt.getTime()) / 1000),
      stale,
      available: true,
      error,
    });
    if (stored && !refresh && now.getTime() - stored.fetchedAt.getTime() < ttlMs) {
      return { data: stored.data as T, freshness: fresh(stored.fetchedAt) };
    }
    try {
      const data = await fetch();
      await this.store.put(source, key, data, now);
      return { data, freshness: fresh(now) };
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      this.logger.warn({ source, key, err: err.message }, 'source failed');
      if (stored) {
        await this.store.recordError(source, key, err.message, now);
        return { data: stored.data as T, freshness: fresh(stored.fetchedAt, true, err.message) };
      }
      return { data: null, freshness: { source, fetchedAt: null, ageSeconds: age, stale: false, available: false, error: err.message } };
    }
  }
}
