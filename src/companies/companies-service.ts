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
import type { CompaniesStore } from './companies-store.js';

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

  async company(siren: string, refresh = false) {
    const s = this.sources;
    const [identity, insee, events, statements, sanctions] = await Promise.all([
      this.cached<CompanyIdentity | null>('recherche-entreprises', siren, this.ttl.registryMs, refresh, () => s.registry.company(siren)),
      s.insee ? this.cached<CompanyIdentity | null>('insee-sirene', siren, this.ttl.registryMs, refresh, () => s.insee!.company(siren)) : undefined,
      this.cached<LegalEvent[]>('bodacc', siren, this.ttl.bodaccMs, refresh, () => s.bodacc.bySiren(siren)),
      this.cached<FinancialStatement[]>('ratios-inpi-bce', siren, this.ttl.financialsMs, refresh, () => s.ratios.statements(siren)),
      this.cached<Sanction[]>('dgccrf', 'all', this.ttl.sanctionsMs, refresh, () => s.dgccrf.all()),
    ]);
    const known = identity.data ?? insee?.data ?? null;
    if (!known) {
      if (!identity.freshness.available && (!insee || !insee.freshness.available)) {
        throw new UpstreamUnavailable('recherche-entreprises', `The registry cannot be reached and nothing is stored for ${siren}: ${identity.freshness.error}`);
      }
      throw new NotFound(`No company with SIREN ${siren} in the registry`, 'company_not_found');
    }
    const items = statements.data ?? [];
    return {
      siren,
      identity: { ...known, freshness: insee && insee.data ? [identity.freshness, insee.freshness] : [identity.freshness] },
      legalEvents: { items: events.data ?? [], freshness: events.freshness },
      financialStatements: { items, latestComplete: latestComplete(items), freshness: statements.freshness },
      sanctions: { items: (sanctions.data ?? []).filter((x) => x.siren === siren), freshness: sanctions.freshness },
    };
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
