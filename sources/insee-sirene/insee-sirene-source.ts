import { HttpSourceClient, type HttpSourceOptions } from '../http-client.js';
import type { CompanyIdentity, Source } from '../source.js';
import { mapEtablissement, mapUniteLegale } from './insee-sirene-mapper.js';

/** INSEE API Sirene 3.11 (key in X-INSEE-Api-Key-Integration; 30 requests per minute). */
export class InseeSireneSource implements Source {
  readonly name = 'insee-sirene' as const;
  private readonly http: HttpSourceClient;

  constructor(options: { baseURL: string; apiKey: string } & Partial<HttpSourceOptions>) {
    const { apiKey, ...rest } = options;
    this.http = new HttpSourceClient({
      source: this.name,
      rate: { requests: 30, perMs: 60_000 },
      headers: { 'X-INSEE-Api-Key-Integration': apiKey },
      ...rest,
    });
  }

  async company(siren: string): Promise<CompanyIdentity | null> {
    const { data } = await this.http.getJson(`/siren/${siren}`);
    return data === null ? null : mapUniteLegale(data);
  }

  async establishment(siret: string) {
    const { data } = await this.http.getJson(`/siret/${siret}`);
    return data === null ? null : mapEtablissement(data);
  }
}
