import { sql, type Kysely } from 'kysely';

/**
 * Several order checks in one round trip and one commit, each decided exactly as
 * vigie_order_check() decides it alone, in the order given.
 *
 * Each check first takes its account without waiting (SKIP LOCKED). A check whose account another
 * transaction holds — a ledger import, a credit manager's change, another batch — is answered
 * `deferred` and sent again on its own by the service, so one busy account never stalls the other
 * checks of its batch, nor the batches behind it; and a batch that never waits for an account can
 * never be part of a lock cycle. Each check's statements see what committed before its account was
 * locked and what the checks before it in the batch wrote, so a customer's holds are counted as if
 * the checks had come one by one.
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
      v_busy boolean;
    BEGIN
      FOR i IN 1 .. coalesce(array_length(p_order_ids, 1), 0) LOOP
        -- Take the account without waiting (a row this transaction already holds is taken again);
        -- busy: the account exists but another transaction holds it.
        v_busy := false;
        IF p_customer_ids[i] IS NOT NULL THEN
          PERFORM 1 FROM credit_accounts WHERE customer_id = p_customer_ids[i] FOR UPDATE SKIP LOCKED;
          IF NOT FOUND THEN
            v_busy := EXISTS (SELECT 1 FROM credit_accounts WHERE customer_id = p_customer_ids[i]);
          END IF;
        ELSE
          PERFORM 1 FROM customers c JOIN credit_accounts ca ON ca.customer_id = c.id
           WHERE c.external_id = p_external_ids[i] FOR UPDATE OF ca SKIP LOCKED;
          IF NOT FOUND THEN
            v_busy := EXISTS (SELECT 1 FROM customers c JOIN credit_accounts ca ON ca.customer_id = c.id
                               WHERE c.external_id = p_external_ids[i]);
          END IF;
        END IF;
        IF v_busy THEN
          RETURN NEXT jsonb_build_object('outcome', 'deferred');
        ELSE
          RETURN NEXT vigie_order_check(
            p_order_ids[i], p_customer_ids[i], p_external_ids[i], p_amounts[i], p_currencies[i], p_today[i],
            p_grace_days[i], p_default_limits[i], p_hold_ttl_hours[i], p_now[i], p_policy_versions[i], p_actors[i]);
        END IF;
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
