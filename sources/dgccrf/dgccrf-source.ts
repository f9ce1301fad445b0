import { HttpSourceClient, type HttpSourceOptions } from '../http-client.js';
import type { Sanction, Source } from '../source.js';
import { parseSanctionPage } from './dgccrf-parser.js';

/** DGCCRF "Sanctions - Délais de paiement": a paginated HTML page, scraped politely. */
export class DgccrfSource implements Source {
  readonly name = 'dgccrf' as const;
  private readonly http: HttpSourceClient;

  constructor(options: { baseURL: string; path?: string } & Partial<HttpSourceOptions>) {
    this.http = new HttpSourceClient({ source: this.name, rate: { requests: 1, perMs: 1000 }, ...options });
    this.path = options.path ?? '/dgccrf/sanctions-delais-paiement';
  }

  private readonly path: string;

  /** Every sanction on every page, following the pager until it ends (at most `maxPages`). */
  async all(maxPages = 50): Promise<Sanction[]> {
    const out: Sanction[] = [];
    for (let page = 0; page < maxPages; page++) {
      const { data } = await this.http.getText(this.path, page === 0 ? undefined : { page });
      if (data === null) break;
      const parsed = parseSanctionPage(data);
      out.push(...parsed.sanctions);
      if (!parsed.nextHref || parsed.sanctions.length === 0) break;
    }
    return out;
  }
}
