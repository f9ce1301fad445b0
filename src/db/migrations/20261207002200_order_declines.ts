import { sql, type Kysely } from 'kysely';

/**
 * A credit manager declines an order waiting in review or blocked: it leaves the queue for good
 * (order_checks.declined: who, when, why). The re-check leaves a declined order as it stands, as it
 * does an approved one — the one condition of vigie_order_recheck() that changes, edited in the
 * function's own definition here so the rest of it keeps its one home (20261203001000_credit_rules).
 */
const RECHECK = 'vigie_order_recheck(text, date, integer, bigint, integer, timestamptz, integer, text)';
const BEFORE = "IF existing.decision = 'approved' THEN";
const AFTER = "IF existing.decision = 'approved' OR existing.declined IS NOT NULL THEN";

async function editRecheck(db: Kysely<unknown>, from: string, to: string): Promise<void> {
  const { rows } = await sql<{ def: string }>`SELECT pg_get_functiondef(${RECHECK}::regprocedure) AS def`.execute(db);
  const def = rows[0]!.def;
  if (def.split(from).length !== 2) throw new Error(`vigie_order_recheck(): expected "${from}" once in its definition`);
  await sql.raw(def.replace(from, to)).execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE order_checks ADD COLUMN declined jsonb`.execute(db);
  await sql`DROP INDEX order_checks_waiting_idx`.execute(db);
  await sql`CREATE INDEX order_checks_waiting_idx ON order_checks (customer_id, created_at) WHERE decision <> 'approved' AND declined IS NULL`.execute(db);
  await editRecheck(db, BEFORE, AFTER);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await editRecheck(db, AFTER, BEFORE);
  await sql`DROP INDEX order_checks_waiting_idx`.execute(db);
  await sql`CREATE INDEX order_checks_waiting_idx ON order_checks (customer_id, created_at) WHERE decision <> 'approved'`.execute(db);
  await sql`ALTER TABLE order_checks DROP COLUMN declined`.execute(db);
}
