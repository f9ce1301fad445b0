import { sql, type Kysely } from 'kysely';
import * as previous from './20261123000300_order_check_function.js';

/**
 * One home for the rules that decide money, used by every path that needs them:
 *
 * - vigie_credit_position(): the exposure by component (open, overdue beyond the grace days,
 *   active holds, unapplied credits), its total, the limit in force (the explicit limit, else the
 *   policy default) and what is available. The order check, the customer view
 *   (CreditStore.position) and the exposure watch (MonitoringStore.watchRows) all read it.
 * - vigie_credit_reasons(): every rule that fails for an order of an amount, in the documented
 *   order; vigie_credit_decision(): blocked, review or approved from those reasons. The order
 *   check decides with them; the customer view shows what they say of a new order today; the watch
 *   blocks on the ones it owns. TypeScript only words the reasons (src/orders/order-rules.ts).
 *
 * The position is a set-returning SQL function so that PostgreSQL inlines it into the statement
 * that calls it: the order check keeps the same index plans as when the SQL was written inline.
 */
const CHECK = 'vigie_order_check(text, uuid, text, bigint, text, date, integer, bigint, integer, timestamptz, integer, text)';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE credit_accounts ADD COLUMN risk_assessment_id uuid`.execute(db);
  await createCreditPosition(db);
  // A policy default of 0 is "no limit set": every order goes to review (no_limit), never "over the limit".
  await sql`
    CREATE FUNCTION vigie_credit_reasons(p_risk_grade text, p_manual_block boolean, p_overdue bigint, p_total bigint, p_amount bigint,
                                         p_limit bigint, p_limit_source text)
    RETURNS text[] LANGUAGE sql IMMUTABLE AS $fn$
      SELECT array_remove(ARRAY[
        CASE WHEN p_risk_grade = 'X' THEN 'legal_proceedings' END,
        CASE WHEN p_manual_block THEN 'manual_block' END,
        CASE WHEN p_overdue > 0 THEN 'overdue_invoices' END,
        CASE WHEN NOT (p_limit_source = 'policy_default' AND p_limit = 0) AND p_total + p_amount > p_limit THEN 'over_limit' END,
        CASE WHEN p_risk_grade = 'E' AND p_limit_source <> 'explicit' THEN 'risk_grade' END,
        CASE WHEN p_limit_source = 'policy_default' AND p_limit = 0 THEN 'no_limit' END
      ], NULL)
    $fn$`.execute(db);
  await sql`
    CREATE FUNCTION vigie_credit_decision(p_reasons text[]) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
      SELECT CASE WHEN p_reasons && ARRAY['legal_proceedings', 'manual_block', 'overdue_invoices', 'over_limit'] THEN 'blocked'
                  WHEN cardinality(p_reasons) > 0 THEN 'review' ELSE 'approved' END
    $fn$`.execute(db);

  // Checks recorded before kept the figures but not the reasons: state them by the same rule.
  await sql`
    UPDATE order_checks SET facts = facts || jsonb_build_object('reasons', to_jsonb(vigie_credit_reasons(
             facts->>'riskGrade', jsonb_typeof(facts->'manualBlock') = 'object', (facts->'exposure'->>'overdueReceivables')::bigint,
             (facts->'exposure'->>'total')::bigint, amount, (facts->>'creditLimit')::bigint, facts->>'creditLimitSource')))
     WHERE NOT facts ? 'reasons'`.execute(db);

  // What an order check decides for an amount against an account (locked by the caller), and the
  // snapshot it decided on: the reasons, the exposure by component, the limit and its source, the
  // grade with its assessment and date, the blocks, the policy version. Shared by the check and the
  // re-check, so both decide and record alike.
  await sql`
    CREATE FUNCTION vigie_order_decision(acct credit_accounts, p_amount bigint, p_today date, p_grace_days integer,
                                         p_default_limit bigint, p_now timestamptz, p_policy_version integer)
    RETURNS jsonb LANGUAGE plpgsql AS $fn$
    DECLARE
      pos record;
      v_reasons text[];
    BEGIN
      SELECT * INTO pos FROM vigie_credit_position(acct.customer_id, acct.credit_limit, p_default_limit, p_today - p_grace_days, p_now);
      v_reasons := vigie_credit_reasons(acct.risk_grade, acct.manual_block, pos.overdue, pos.total, p_amount, pos.limit_amount, pos.limit_source);
      RETURN jsonb_build_object('decision', vigie_credit_decision(v_reasons), 'facts', jsonb_build_object(
        'reasons', to_jsonb(v_reasons),
        'exposure', jsonb_build_object('openReceivables', pos.open_current, 'overdueReceivables', pos.overdue,
                                       'activeHolds', pos.held, 'unappliedCredits', -pos.unapplied, 'total', pos.total),
        'creditLimit', pos.limit_amount, 'creditLimitSource', pos.limit_source, 'available', pos.available,
        'limitSetAt', acct.limit_set_at, 'limitSetBy', acct.limit_set_by,
        'oldestOverdueDays', p_today - pos.oldest_overdue, 'graceDays', p_grace_days,
        'manualBlock', CASE WHEN acct.manual_block THEN jsonb_build_object('reason', acct.manual_block_reason, 'by', acct.manual_blocked_by, 'at', acct.manual_blocked_at) END,
        'autoBlock', CASE WHEN acct.auto_block THEN jsonb_build_object('reasons', acct.auto_block_reasons, 'at', acct.auto_blocked_at) END,
        'riskGrade', acct.risk_grade, 'riskGradeAt', acct.risk_grade_at, 'assessmentId', acct.risk_assessment_id,
        'checkedAt', p_now, 'policyVersion', p_policy_version));
    END
    $fn$`.execute(db);

  await sql`
    CREATE OR REPLACE FUNCTION vigie_order_check(
      p_order_id text, p_customer_id uuid, p_external_id text, p_amount bigint, p_currency text,
      p_today date, p_grace_days integer, p_default_limit bigint, p_hold_ttl_hours integer,
      p_now timestamptz, p_policy_version integer, p_actor text
    ) RETURNS jsonb LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
    DECLARE
      acct credit_accounts%ROWTYPE;
      existing order_checks%ROWTYPE;
      created order_checks%ROWTYPE;
      d jsonb;
      v_decision text; v_hold uuid; v_expires timestamptz;
    BEGIN
      IF p_customer_id IS NOT NULL THEN
        SELECT ca.* INTO acct FROM credit_accounts ca WHERE ca.customer_id = p_customer_id FOR UPDATE;
      ELSE
        SELECT ca.* INTO acct FROM customers c JOIN credit_accounts ca ON ca.customer_id = c.id
         WHERE c.external_id = p_external_id FOR UPDATE OF ca;
      END IF;
      IF NOT FOUND THEN
        RETURN jsonb_build_object('outcome', 'unknown_customer');
      END IF;

      SELECT * INTO existing FROM order_checks WHERE order_id = p_order_id;
      IF FOUND THEN
        RETURN jsonb_build_object('outcome', 'existing', 'row', to_jsonb(existing), 'customerId', acct.customer_id);
      END IF;
      IF acct.currency <> p_currency THEN
        RETURN jsonb_build_object('outcome', 'currency_mismatch', 'currency', acct.currency);
      END IF;

      d := vigie_order_decision(acct, p_amount, p_today, p_grace_days, p_default_limit, p_now, p_policy_version);
      v_decision := d->>'decision';
      IF v_decision = 'approved' THEN
        v_hold := gen_random_uuid();
        v_expires := p_now + make_interval(hours => p_hold_ttl_hours);
      END IF;

      INSERT INTO order_checks (order_id, customer_id, amount, currency, decision, facts, hold_id, hold_status,
                                hold_amount, expires_at, checked_by, created_at, updated_at)
      VALUES (p_order_id, acct.customer_id, p_amount, p_currency, v_decision, d->'facts',
              v_hold, CASE WHEN v_hold IS NULL THEN 'none' ELSE 'active' END,
              CASE WHEN v_hold IS NULL THEN 0 ELSE p_amount END, v_expires, p_actor, p_now, p_now)
      ON CONFLICT (order_id) DO NOTHING
      RETURNING * INTO created;
      IF NOT FOUND THEN
        -- The same order id was checked at the same moment for another customer; that check won.
        SELECT * INTO existing FROM order_checks WHERE order_id = p_order_id;
        RETURN jsonb_build_object('outcome', 'existing', 'row', to_jsonb(existing), 'customerId', acct.customer_id);
      END IF;
      RETURN jsonb_build_object('outcome', 'created', 'row', to_jsonb(created));
    END
    $fn$`.execute(db);

  // A blocked or review order decided again against today's position (same order id, same
  // amount); approved now, its hold is placed. The earlier answers stay in facts.rechecks. An
  // order already approved (or overridden) is left as it is, so a retried re-check answers the same.
  await sql`
    CREATE FUNCTION vigie_order_recheck(p_order_id text, p_today date, p_grace_days integer, p_default_limit bigint,
                                        p_hold_ttl_hours integer, p_now timestamptz, p_policy_version integer, p_actor text)
    RETURNS jsonb LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
    DECLARE
      acct credit_accounts%ROWTYPE;
      existing order_checks%ROWTYPE;
      updated order_checks%ROWTYPE;
      d jsonb;
      v_decision text;
    BEGIN
      SELECT * INTO existing FROM order_checks WHERE order_id = p_order_id;
      IF NOT FOUND THEN
        RETURN jsonb_build_object('outcome', 'not_found');
      END IF;
      -- The account first, as every money transaction takes it, then the check itself.
      SELECT * INTO acct FROM credit_accounts WHERE customer_id = existing.customer_id FOR UPDATE;
      SELECT * INTO existing FROM order_checks WHERE order_id = p_order_id FOR UPDATE;
      IF existing.decision = 'approved' THEN
        RETURN jsonb_build_object('outcome', 'unchanged', 'row', to_jsonb(existing));
      END IF;
      d := vigie_order_decision(acct, existing.amount, p_today, p_grace_days, p_default_limit, p_now, p_policy_version);
      v_decision := d->>'decision';
      UPDATE order_checks
         SET decision = v_decision,
             facts = (d->'facts') || jsonb_build_object('rechecks', coalesce(existing.facts->'rechecks', '[]'::jsonb) || jsonb_build_array(
                       jsonb_build_object('at', p_now, 'by', p_actor, 'previousDecision', existing.decision,
                                          'previousReasons', existing.facts->'reasons', 'decision', v_decision, 'reasons', d->'facts'->'reasons'))),
             hold_id = CASE WHEN v_decision = 'approved' THEN gen_random_uuid() END,
             hold_status = CASE WHEN v_decision = 'approved' THEN 'active' ELSE 'none' END,
             hold_amount = CASE WHEN v_decision = 'approved' THEN existing.amount ELSE 0 END,
             expires_at = CASE WHEN v_decision = 'approved' THEN p_now + make_interval(hours => p_hold_ttl_hours) END,
             updated_at = p_now
       WHERE order_id = p_order_id
       RETURNING * INTO updated;
      RETURN jsonb_build_object('outcome', 'rechecked', 'row', to_jsonb(updated), 'previousDecision', existing.decision);
    END
    $fn$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP FUNCTION ${CHECK}`).execute(db);
  await previous.up(db);
  await sql.raw(`ALTER FUNCTION ${CHECK} SET enable_seqscan = off`).execute(db);
  await sql`DROP FUNCTION vigie_order_recheck(text, date, integer, bigint, integer, timestamptz, integer, text)`.execute(db);
  await sql`DROP FUNCTION vigie_order_decision(credit_accounts, bigint, date, integer, bigint, timestamptz, integer)`.execute(db);
  await sql`DROP FUNCTION vigie_credit_decision(text[])`.execute(db);
  await sql`DROP FUNCTION vigie_credit_reasons(text, boolean, bigint, bigint, bigint, bigint, text)`.execute(db);
  await sql`DROP FUNCTION vigie_credit_position(uuid, bigint, bigint, date, timestamptz)`.execute(db);
  await sql`ALTER TABLE credit_accounts DROP COLUMN risk_assessment_id`.execute(db);
}

/** vigie_credit_position() as this migration defines it (a later migration's down restores it). */
export async function createCreditPosition(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION vigie_credit_position(p_customer_id uuid, p_credit_limit bigint, p_default_limit bigint, p_overdue_before date, p_now timestamptz)
    RETURNS TABLE (open_current bigint, overdue bigint, oldest_overdue date, unapplied bigint, held bigint, total bigint,
                   limit_amount bigint, limit_source text, available bigint)
    LANGUAGE sql STABLE AS $fn$
      SELECT i.open_current, i.overdue, i.oldest_overdue, c.unapplied, h.held,
             i.open_current + i.overdue + h.held - c.unapplied,
             coalesce(p_credit_limit, p_default_limit),
             CASE WHEN p_credit_limit IS NULL THEN 'policy_default' ELSE 'explicit' END,
             coalesce(p_credit_limit, p_default_limit) - (i.open_current + i.overdue + h.held - c.unapplied)
        FROM (SELECT coalesce(sum(open_amount) FILTER (WHERE due_date >= p_overdue_before), 0)::bigint AS open_current,
                     coalesce(sum(open_amount) FILTER (WHERE due_date < p_overdue_before), 0)::bigint AS overdue,
                     min(due_date) FILTER (WHERE due_date < p_overdue_before) AS oldest_overdue
                FROM invoices WHERE customer_id = p_customer_id AND open_amount > 0) i,
             (SELECT coalesce(sum(unapplied), 0)::bigint AS unapplied FROM credits WHERE customer_id = p_customer_id AND unapplied > 0) c,
             (SELECT coalesce(sum(hold_amount), 0)::bigint AS held FROM order_checks
               WHERE customer_id = p_customer_id AND hold_status = 'active' AND expires_at > p_now) h
    $fn$`.execute(db);
}
