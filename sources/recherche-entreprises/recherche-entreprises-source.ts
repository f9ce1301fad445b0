import { HttpSourceClient, type HttpSourceOptions } from '../http-client.js';
import type { CompanyIdentity, Source } from '../source.js';
import { mapLastModified, mapSearch, type SearchPage } from './recherche-entreprises-mapper.js';

/** API Recherche d'entreprises (no key; 7 requests per second per IP). */
export class RechercheEntreprisesSource implements Source {
  readonly name = 'recherche-entreprises' as const;
  private readonly http: HttpSourceClient;

  constructor(options: { baseURL: string } & Partial<HttpSourceOptions>) {
    this.http = new HttpSourceClient({ source: this.name, rate: { requests: 7, perMs: 1000 }, ...options });
  }

  async search(q: string, page = 1): Promise<SearchPage> {
    const { data } = await this.http.getJson('/search', { q, page, per_page: 10 });
    return mapSearch(data ?? { results: [], total_results: 0 });
  }

  /** The company with this SIREN, or null when the registry does not know it. */
  async company(siren: string): Promise<CompanyIdentity | null> {
    const page = await this.search(siren);
    return page.companies.find((c) => c.siren === siren) ?? null;
  }

  /** When each upstream dataset (sirene, rne, bilan_financier…) was last loaded. */
  async lastModified(): Promise<Record<string, string>> {
    const { data } = await this.http.getJson('/sources/last_modified');
    return data === null ? {} : mapLastModified(data);
  }
}
