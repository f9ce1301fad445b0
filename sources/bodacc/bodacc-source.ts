import { HttpSourceClient, type HttpSourceOptions } from '../http-client.js';
import type { LegalEvent, Source } from '../source.js';
import { mapPage } from './bodacc-mapper.js';

const RECORDS = '/api/explore/v2.1/catalog/datasets/annonces-commerciales/records';
const PAGE = 100;
/** Opendatasoft refuses offset + limit beyond 10,000. */
export const OFFSET_CEILING = 10_000;

/** BODACC annonces commerciales (DILA, Opendatasoft). */
export class BodaccSource implements Source {
  readonly name = 'bodacc' as const;
  private readonly http: HttpSourceClient;

  constructor(options: { baseURL: string } & Partial<HttpSourceOptions>) {
    this.http = new HttpSourceClient({ source: this.name, rate: { requests: 5, perMs: 1000 }, ...options });
  }

  /** Every announcement naming this SIREN, newest first. */
  async bySiren(siren: string): Promise<LegalEvent[]> {
    const events: LegalEvent[] = [];
    for (let offset = 0; offset + PAGE <= OFFSET_CEILING; offset += PAGE) {
      const { data } = await this.http.getJson(RECORDS, { where: `registre="${siren}"`, order_by: 'dateparution desc', limit: PAGE, offset });
      if (!data) break;
      const page = mapPage(data);
      events.push(...page.events.filter((e) => e.siren === siren));
      if (page.records < PAGE || offset + PAGE >= page.total) break;
    }
    return events;
  }

  /**
   * Every announcement published on each day from `from` to `to` (inclusive), one day at a time,
   * for the whole portfolio at once. Each yielded day is complete: a caller that stores the events
   * (idempotently, by id) and then the day as its checkpoint resumes after a failure without
   * missing or double-counting. A day with more than 10,000 announcements is split by edition.
   */
  async *publishedByDay(from: string, to: string): AsyncGenerator<{ day: string; events: LegalEvent[]; requests: number }> {
    for (let day = from; day <= to; day = nextDay(day)) {
      let requests = 0;
      const events: LegalEvent[] = [];
      const fetchAll = async (where: string): Promise<number> => {
        let total = 0;
        for (let offset = 0; ; offset += PAGE) {
          const { data } = await this.http.getJson(RECORDS, { where, order_by: 'id', limit: PAGE, offset });
          requests++;
          if (!data) return 0;
          const page = mapPage(data);
          total = page.total;
          if (total > OFFSET_CEILING) return total;
          events.push(...page.events);
          if (page.records < PAGE || offset + PAGE >= total) return total;
        }
      };
      const total = await fetchAll(`dateparution=date'${day}'`);
      if (total > OFFSET_CEILING) {
        events.length = 0;
        for (const edition of ['A', 'B', 'C']) await fetchAll(`dateparution=date'${day}' AND publicationavis="${edition}"`);
      }
      yield { day, events, requests };
    }
  }
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
