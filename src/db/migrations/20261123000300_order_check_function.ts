import { sql, type Kysely } from 'kysely';

/**
 * The order check in one round trip: lock the customer's account, read its exposure with a fresh
 * snapshot (each statement of a volatile PL/pgSQL function sees what committed before it, so the
 * holds of checks that held the lock just before are counted), decide, and place the hold.
 *
 * The rules are those of decideOrder() in src/orders/order-rules.ts, which explains them; the
 * service rebuilds the reasons from the facts stored here and reports any disagreement.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION vigie_order_check(
      p_order_id text, p_customer_id uuid, p_external_id text, p_amount bigint, p_currency text,
      p_today date, p_grace_days integer, p_default_limit bigint, p_hold_ttl_hours integer,
      p_now timestamptz, p_policy_version integer, p_actor text
    ) RETURNS jsonb LANGUAGE plpgsql AS $fn$
    DECLARE
      acct credit_accounts%ROWTYPE;
      existing order_checks%ROWTYPE;
      created order_checks%ROWTYPE;
      v_overdue_before date := p_today - p_grace_days;
      v_open bigint; v_overdue bigint; v_oldest date; v_unapplied bigint; v_held bigint;
      v_limit bigint; v_source text; v_total bigint;
      v_blocked boolean := false; v_review boolean := false; v_no_limit boolean;
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

      SELECT coalesce(sum(open_amount) FILTER (WHERE due_date >= v_overdue_before), 0),
             coalesce(sum(open_amount) FILTER (WHERE due_date < v_overdue_before), 0),
             min(due_date) FILTER (WHERE due_date < v_overdue_before)
        INTO v_open, v_overdue, v_oldest
        FROM invoices WHERE customer_id = acct.customer_id AND open_amount > 0;
      SELECT coalesce(sum(unapplied), 0) INTO v_unapplied FROM credits WHERE customer_id = acct.customer_id AND unapplied > 0;
      SELECT coalesce(sum(hold_amount), 0) INTO v_held FROM order_checks
       WHERE customer_id = acct.customer_id AND hold_status = 'active' AND expires_at > p_now;

      v_limit := coalesce(acct.credit_limit, p_default_limit);
      v_source := CASE WHEN acct.credit_limit IS NULL THEN 'policy_default' ELSE 'explicit' END;
      v_total := v_open + v_overdue + v_held - v_unapplied;
      v_no_limit := v_source = 'policy_default' AND v_limit = 0;

      IF acct.risk_grade = 'X' THEN v_blocked := true; END IF;                             -- legal_proceedings
      IF acct.manual_block THEN v_blocked := true; END IF;                                 -- manual_block
      IF v_overdue > 0 THEN v_blocked := true; END IF;                                     -- overdue_invoices
      IF NOT v_no_limit AND v_total + p_amount > v_limit THEN v_blocked := true; END IF;   -- over_limit
      IF acct.risk_grade = 'E' AND v_source <> 'explicit' THEN v_review := true; END IF;   -- risk_grade
      IF v_no_limit THEN v_review := true; END IF;                                         -- no_limit
      v_decision := CASE WHEN v_blocked THEN 'blocked' WHEN v_review THEN 'review' ELSE 'approved' END;
      IF v_decision = 'approved' THEN
        v_hold := gen_random_uuid();
        v_expires := p_now + make_interval(hours => p_hold_ttl_hours);
      END IF;

      INSERT INTO order_checks (order_id, customer_id, amount, currency, decision, facts, hold_id, hold_status,
                                hold_amount, expires_at, checked_by, created_at, updated_at)
      VALUES (p_order_id, acct.customer_id, p_amount, p_currency, v_decision,
              jsonb_build_object(
                'exposure', jsonb_build_object('openReceivables', v_open, 'overdueReceivables', v_overdue,
                                               'activeHolds', v_held, 'unappliedCredits', -v_unapplied, 'total', v_total),
                'creditLimit', v_limit, 'creditLimitSource', v_source, 'available', v_limit - v_total,
                'oldestOverdueDays', p_today - v_oldest, 'graceDays', p_grace_days,
                'manualBlock', CASE WHEN acct.manual_block THEN jsonb_build_object('reason', acct.manual_block_reason) END,
                'riskGrade', acct.risk_grade, 'checkedAt', p_now, 'policyVersion', p_policy_version),
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
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS vigie_order_check(text, uuid, text, bigint, text, date, integer, bigint, integer, timestamptz, integer, text)`.execute(db);
}
