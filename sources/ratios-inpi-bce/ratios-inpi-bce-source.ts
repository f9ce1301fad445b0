import { HttpSourceClient, type HttpSourceOptions } from '../http-client.js';
import type { FinancialStatement, Source } from '../source.js';
import { mapStatements } from './ratios-inpi-bce-mapper.js';

/** Ratios financiers BCE/INPI on data.economie.gouv.fr (Opendatasoft Explore v2.1). */
export class RatiosInpiBceSource implements Source {
  readonly name = 'ratios-inpi-bce' as const;
  private readonly http: HttpSourceClient;

  constructor(options: { baseURL: string } & Partial<HttpSourceOptions>) {
    this.http = new HttpSourceClient({ source: this.name, rate: { requests: 5, perMs: 1000 }, ...options });
  }

  /** Every published statement of the company, newest first. */
  async statements(siren: string): Promise<FinancialStatement[]> {
    const { data } = await this.http.getJson('/api/explore/v2.1/catalog/datasets/ratios_inpi_bce/records', {
      where: `siren="${siren}"`,
      order_by: 'date_cloture_exercice desc',
      limit: 100,
    });
    return data === null ? [] : mapStatements(data).filter((s) => s.siren === siren);
  }
}
