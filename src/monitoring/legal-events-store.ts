import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { LegalEvent } from '../../sources/source.js';

/** Announcements the daily BODACC walk matched to the portfolio: stored once each, by announcement and SIREN. */
export class LegalEventsStore {
  constructor(private readonly db: Kysely<DB>) {}

  /** Stores the events not seen before and returns them (a re-run stores and returns nothing). */
  async insertNew(events: readonly LegalEvent[], at: Date, trx: Kysely<DB> | Transaction<DB> = this.db): Promise<LegalEvent[]> {
    if (events.length === 0) return [];
    const fresh: LegalEvent[] = [];
    for (let i = 0; i < events.length; i += 1000) {
      const chunk = events.slice(i, i + 1000);
      const { rows } = await sql<{ event: LegalEvent }>`
        INSERT INTO legal_events (id, siren, kind, published_on, event, received_at)
        SELECT e.event->>'id', e.event->>'siren', e.event->>'kind', (e.event->>'publishedOn')::date, e.event, ${at}::timestamptz
          FROM jsonb_array_elements(${JSON.stringify(chunk)}::jsonb) AS e(event)
        ON CONFLICT (siren, id) DO NOTHING
        RETURNING event`.execute(trx);
      fresh.push(...rows.map((r) => r.event));
    }
    return fresh;
  }

  async bySirens(sirens: readonly string[]): Promise<Map<string, LegalEvent[]>> {
    const out = new Map<string, LegalEvent[]>();
    if (sirens.length === 0) return out;
    const rows = await this.db
      .selectFrom('legal_events')
      .select(['siren', 'event'])
      .where('siren', '=', (eb) => eb.fn.any(eb.val([...sirens])))
      .orderBy('published_on')
      .execute();
    for (const r of rows) {
      const list = out.get(r.siren) ?? [];
      list.push(r.event as LegalEvent);
      out.set(r.siren, list);
    }
    return out;
  }
}
