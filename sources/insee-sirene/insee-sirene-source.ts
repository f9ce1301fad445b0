import { HttpSourceClient, type HttpSourceOptions } from '../http-client.js';
import type { CompanyIdentity, Source } from '../source.js';
import { mapEtablissement, mapEtablissements, mapInformations, mapUniteLegale } from './insee-sirene-mapper.js';

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

  /** Every établissement of a company (GET /siret?q=siren:…). */
  async establishments(siren: string) {
    const { data } = await this.http.getJson('/siret', { q: `siren:${siren}`, nombre: 100 });
    return data === null ? null : mapEtablissements(data);
  }

  /** Legal units matching a multi-criteria query (POST /siren, form field q). */
  async searchUnits(q: string): Promise<CompanyIdentity[]> {
    const { data } = await this.http.postFormJson<{ unitesLegales?: unknown[] }>('/siren', { q });
    return (data?.unitesLegales ?? []).map((u) => mapUniteLegale({ uniteLegale: u }));
  }

  /** Whether the service is up, and when each collection was last refreshed. */
  async informations() {
    const { data } = await this.http.getJson('/informations');
    return data === null ? null : mapInformations(data);
  }
}
