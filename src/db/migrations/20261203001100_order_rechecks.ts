import { sql, type Kysely } from 'kysely';

/**
 * Orders waiting (review or blocked) can be re-checked by themselves when a limit is raised or a payment
 * lands (a policy choice, off by default), and the order system is told by a webhook event
 * `order_check.approved` — an event that is not an alert, hence deliveries without one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE credit_policies ADD COLUMN auto_recheck_orders boolean NOT NULL DEFAULT false`.execute(db);
  await sql`ALTER TABLE webhook_deliveries ALTER COLUMN alert_id DROP NOT NULL`.execute(db);
  await sql`CREATE INDEX order_checks_waiting_idx ON order_checks (customer_id, created_at) WHERE decision <> 'approved'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX order_checks_waiting_idx`.execute(db);
  await sql`DELETE FROM webhook_deliveries WHERE alert_id IS NULL`.execute(db);
  await sql`ALTER TABLE webhook_deliveries ALTER COLUMN alert_id SET NOT NULL`.execute(db);
  await sql`ALTER TABLE credit_policies DROP COLUMN auto_recheck_orders`.execute(db);
}
