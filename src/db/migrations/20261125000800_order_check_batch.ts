import { sql, type Kysely } from 'kysely';

/**
 * Several order checks in one round trip and one commit, each decided exactly as
 * vigie_order_check() decides it alone, in the order given.
 *
 * Every account the batch touches is locked first, in customer id order — the order ledger writes
 * lock accounts in — so two batches (or a batch and a ledger write) never wait on each other in a
 * cycle. Each check's statements still see what committed before its account was locked and what
 * the checks before it in the batch wrote, so a customer's holds are counted as if the checks had
 * come one by one.
 *
 * Both functions also turn sequential scans off for their own statements. Every statement in them
 * reads or locks a few rows by key, but PL/pgSQL keeps a connection's plan for each statement: a
 * plan made while order_checks was nearly empty (a new installation, or a freshly seeded
 * benchmark) read the whole table, and each check then grew slower with every hold placed until
 * the next ANALYZE — 10–50 ms per check after a few thousand checks, seen with auto_explain.
 */
const CHECK = 'vigie_order_check(text, uuid, text, bigint, text, date, integer, bigint, integer, timestamptz, integer, text)';
const CHECKS = 'vigie_order_checks(text[], uuid[], text[], bigint[], text[], date[], integer[], bigint[], integer[], timestamptz[], integer[], text[])';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION vigie_order_checks(
      p_order_ids text[], p_customer_ids uuid[], p_external_ids text[], p_amounts bigint[], p_currencies text[],
      p_today date[], p_grace_days integer[], p_default_limits bigint[], p_hold_ttl_hours integer[],
      p_now timestamptz[], p_policy_versions integer[], p_actors text[]
    ) RETURNS SETOF jsonb LANGUAGE plpgsql AS $fn$
    DECLARE
      v_ids uuid[];
    BEGIN
      SELECT array_agg(id) INTO v_ids FROM (
        SELECT unnest(p_customer_ids) AS id
        UNION
        SELECT c.id FROM customers c WHERE c.external_id = ANY(p_external_ids)
      ) s WHERE id IS NOT NULL;
      PERFORM 1 FROM credit_accounts WHERE customer_id = ANY(v_ids) ORDER BY customer_id FOR UPDATE;
      FOR i IN 1 .. coalesce(array_length(p_order_ids, 1), 0) LOOP
        RETURN NEXT vigie_order_check(
          p_order_ids[i], p_customer_ids[i], p_external_ids[i], p_amounts[i], p_currencies[i], p_today[i],
          p_grace_days[i], p_default_limits[i], p_hold_ttl_hours[i], p_now[i], p_policy_versions[i], p_actors[i]);
      END LOOP;
    END
    $fn$`.execute(db);
  await sql.raw(`ALTER FUNCTION ${CHECK} SET enable_seqscan = off`).execute(db);
  await sql.raw(`ALTER FUNCTION ${CHECKS} SET enable_seqscan = off`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP FUNCTION IF EXISTS ${CHECKS}`).execute(db);
  await sql.raw(`ALTER FUNCTION ${CHECK} RESET enable_seqscan`).execute(db);
}
