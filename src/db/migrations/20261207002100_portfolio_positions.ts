import { sql, type Kysely } from 'kysely';

/**
 * The portfolio sorts 100,000 customers by exposure, or by their oldest overdue invoice, without
 * computing 100,000 positions per page. portfolio_positions keeps, per customer, the exposure of
 * the ledger (invoices, factored with recourse, less unapplied payments and credit notes: the
 * position without its order holds) and the due date of the oldest open invoice, each with an index.
 *
 * The figures are not a second formula: vigie_refresh_portfolio_positions() takes them from
 * vigie_credit_position() itself, called with "now" at infinity (so no hold counts) and "overdue
 * before" at infinity (so its oldest overdue date is the oldest open due date). Nothing in them
 * moves with the clock. Statement-level triggers on invoices and credits, and on new customers,
 * note the customers a statement touched in portfolio_positions_stale (a write pays one row per
 * customer, not a position: imports stay fast); the portfolio page refreshes the noted customers'
 * keys, in one set-based call, before it reads them. Order checks (the hot path)
 * write nothing here: the page adds the holds back by computing, with the same function, the
 * position of every customer holding an order besides the top of the ledger index (see the
 * portfolio query in src/web/web-app.ts). The whole-portfolio exposure watch re-aligns every key (a
 * write raced by another transaction on the same customer can leave one behind until then).
 */
const LEDGER = ['invoices', 'credits'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE portfolio_positions (
      customer_id uuid PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
      ledger_exposure bigint NOT NULL,
      oldest_open_due date,
      refreshed_at timestamptz NOT NULL
    )`.execute(db);
  // PL/pgSQL, not SQL: its statement's plan is prepared once per connection, not at every call.
  await sql`
    CREATE FUNCTION vigie_refresh_portfolio_positions(p_customers uuid[]) RETURNS integer LANGUAGE plpgsql AS $fn$
    DECLARE
      n integer;
    BEGIN
      INSERT INTO portfolio_positions AS pp (customer_id, ledger_exposure, oldest_open_due, refreshed_at)
      SELECT c.id, p.total, p.oldest_overdue, now()
        FROM customers c
       CROSS JOIN LATERAL vigie_credit_position(c.id, NULL, 0, 'infinity'::date, 'infinity'::timestamptz, NULL, NULL) p
       WHERE c.id = ANY (p_customers)
       ORDER BY c.id
      ON CONFLICT (customer_id) DO UPDATE
        SET ledger_exposure = EXCLUDED.ledger_exposure, oldest_open_due = EXCLUDED.oldest_open_due, refreshed_at = EXCLUDED.refreshed_at
        WHERE (pp.ledger_exposure, pp.oldest_open_due) IS DISTINCT FROM (EXCLUDED.ledger_exposure, EXCLUDED.oldest_open_due);
      GET DIAGNOSTICS n = ROW_COUNT;
      RETURN n;
    END $fn$`.execute(db);
  // The customers a write touched wait here until a portfolio page (or the exposure watch)
  // refreshes their keys: a write pays for one row per customer, not for a position.
  await sql`CREATE TABLE portfolio_positions_stale (customer_id uuid PRIMARY KEY)`.execute(db);
  await sql`
    CREATE FUNCTION vigie_refresh_stale_portfolio_positions() RETURNS integer LANGUAGE plpgsql AS $fn$
    DECLARE
      ids uuid[];
    BEGIN
      WITH taken AS (DELETE FROM portfolio_positions_stale RETURNING customer_id)
      SELECT array_agg(customer_id) INTO ids FROM taken;
      IF ids IS NULL THEN
        RETURN 0;
      END IF;
      RETURN vigie_refresh_portfolio_positions(ids);
    END $fn$`.execute(db);
  // One trigger function for every table and event: it reads the transition table its trigger has
  // (PostgreSQL gives a trigger with transition tables one event only, so each event has its trigger).
  await sql`
    CREATE FUNCTION vigie_portfolio_note_written() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO portfolio_positions_stale SELECT id FROM customers ORDER BY 1 ON CONFLICT DO NOTHING;
      ELSIF TG_TABLE_NAME = 'customers' THEN
        INSERT INTO portfolio_positions_stale SELECT id FROM new_rows ORDER BY 1 ON CONFLICT DO NOTHING;
      ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO portfolio_positions_stale SELECT DISTINCT customer_id FROM new_rows ORDER BY 1 ON CONFLICT DO NOTHING;
      ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO portfolio_positions_stale SELECT DISTINCT customer_id FROM old_rows ORDER BY 1 ON CONFLICT DO NOTHING;
      ELSE
        INSERT INTO portfolio_positions_stale SELECT customer_id FROM new_rows UNION SELECT customer_id FROM old_rows ORDER BY 1 ON CONFLICT DO NOTHING;
      END IF;
      RETURN NULL;
    END $fn$`.execute(db);
  for (const table of LEDGER) {
    await sql.raw(`
      CREATE TRIGGER ${table}_portfolio_ins AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION vigie_portfolio_note_written();
      CREATE TRIGGER ${table}_portfolio_upd AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION vigie_portfolio_note_written();
      CREATE TRIGGER ${table}_portfolio_del AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION vigie_portfolio_note_written();
      CREATE TRIGGER ${table}_portfolio_trunc AFTER TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION vigie_portfolio_note_written();`).execute(db);
  }
  await sql`
    CREATE TRIGGER customers_portfolio_ins AFTER INSERT ON customers REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION vigie_portfolio_note_written()`.execute(db);
  await sql`SELECT vigie_refresh_portfolio_positions(ARRAY(SELECT id FROM customers))`.execute(db);
  await sql`CREATE INDEX portfolio_positions_exposure_idx ON portfolio_positions (ledger_exposure DESC, customer_id)`.execute(db);
  await sql`CREATE INDEX portfolio_positions_oldest_idx ON portfolio_positions (oldest_open_due, customer_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER customers_portfolio_ins ON customers`.execute(db);
  for (const table of LEDGER) {
    for (const kind of ['ins', 'upd', 'del', 'trunc']) await sql.raw(`DROP TRIGGER ${table}_portfolio_${kind} ON ${table}`).execute(db);
  }
  await sql`DROP FUNCTION vigie_portfolio_note_written()`.execute(db);
  await sql`DROP FUNCTION vigie_refresh_stale_portfolio_positions()`.execute(db);
  await sql`DROP TABLE portfolio_positions_stale`.execute(db);
  await sql`DROP FUNCTION vigie_refresh_portfolio_positions(uuid[])`.execute(db);
  await sql`DROP TABLE portfolio_positions`.execute(db);
}
