import { sql, type Kysely } from 'kysely';
import { ALERT_TYPES_AFTER as PREVIOUS_ALERT_TYPES } from './20261207001600_insolvency.js';
import { createCreditPosition } from './20261203001000_credit_rules.js';
import { replaceOrderDecision } from './20261203001300_collections.js';

/**
 * Credit insurance and factoring, in the one home of the credit rules.
 *
 * - A customer's credit-insurance cover (insurer, coverage, insured limit agreed / reduced /
 *   withdrawn, decision date, claim deadline) in credit_insurance_covers; the figures the rules need
 *   (insured limit, coverage) on the credit account, which every order check already locks.
 * - Invoices assigned to a factor (invoices.factor_recourse: true with recourse, false without).
 * - vigie_credit_position() shows factored invoices apart: with recourse they stay in the exposure
 *   as their own component (the risk comes back to us); without recourse they leave it. It adds the
 *   insured share (coverage × the exposure up to the insured limit, rounded down) and the net
 *   exposure; vigie_net_exposure() is the one formula.
 * - The credit policy says whether orders are checked against the gross or the net exposure
 *   (exposure_basis), and whether a cover reduced or withdrawn lowers the limit (limit_follows_cover).
 */
const BEFORE = PREVIOUS_ALERT_TYPES;
const ADDED = "'cover_reduced', 'insurer_claim_due'";
/** The alert types in force after this migration (the next migration that adds some starts from it). */
export const ALERT_TYPES_AFTER = `${BEFORE}, ${ADDED}`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE alerts DROP CONSTRAINT alerts_type_check`.execute(db);
  await sql.raw(`ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN (${BEFORE}, ${ADDED}))`).execute(db);
  await sql`ALTER TABLE credit_policies ADD COLUMN exposure_basis text NOT NULL DEFAULT 'gross' CHECK (exposure_basis IN ('gross', 'net'))`.execute(db);
  await sql`ALTER TABLE credit_policies ADD COLUMN limit_follows_cover boolean NOT NULL DEFAULT false`.execute(db);
  await sql`ALTER TABLE credit_accounts ADD COLUMN insured_limit bigint CHECK (insured_limit >= 0), ADD COLUMN insured_coverage_bp integer CHECK (insured_coverage_bp BETWEEN 0 AND 10000)`.execute(db);
  await sql`ALTER TABLE invoices ADD COLUMN factor text, ADD COLUMN factored_on date, ADD COLUMN factor_recourse boolean`.execute(db);
  // The open-invoice index carries whether an invoice is factored: the position stays an index-only read.
  await sql`CREATE INDEX invoices_open_factored_idx ON invoices (customer_id, due_date) INCLUDE (open_amount, factor_recourse) WHERE open_amount > 0`.execute(db);
  await sql`DROP INDEX invoices_open_idx`.execute(db);
  await sql`ALTER INDEX invoices_open_factored_idx RENAME TO invoices_open_idx`.execute(db);

  await sql`
    CREATE TABLE credit_insurance_covers (
      customer_id uuid PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
      insurer text NOT NULL,
      policy_number text,
      coverage_bp integer NOT NULL CHECK (coverage_bp BETWEEN 0 AND 10000),
      insured_limit bigint NOT NULL CHECK (insured_limit >= 0),
      currency text NOT NULL,
      status text NOT NULL CHECK (status IN ('agreed', 'reduced', 'withdrawn')),
      decided_on date NOT NULL,
      claim_deadline_days integer NOT NULL,
      claim_notice_days integer NOT NULL,
      history jsonb NOT NULL DEFAULT '[]',
      updated_at timestamptz NOT NULL,
      updated_by text NOT NULL
    )`.execute(db);

  await sql`
    CREATE FUNCTION vigie_net_exposure(p_gross bigint, p_insured_limit bigint, p_coverage_bp integer) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $fn$
      SELECT p_gross - CASE WHEN p_insured_limit IS NULL OR p_insured_limit <= 0 OR p_gross <= 0 OR p_coverage_bp IS NULL THEN 0
                            ELSE LEAST(p_gross, p_insured_limit) * p_coverage_bp / 10000 END
    $fn$`.execute(db);
  await sql`DROP FUNCTION vigie_credit_position(uuid, bigint, bigint, date, timestamptz)`.execute(db);
  await sql`
    CREATE FUNCTION vigie_credit_position(p_customer_id uuid, p_credit_limit bigint, p_default_limit bigint, p_overdue_before date, p_now timestamptz,
                                          p_insured_limit bigint, p_coverage_bp integer)
    RETURNS TABLE (open_current bigint, overdue bigint, oldest_overdue date, factored bigint, factored_without_recourse bigint,
                   unapplied bigint, held bigint, total bigint, insured bigint, net_total bigint,
                   limit_amount bigint, limit_source text, available bigint, available_net bigint)
    LANGUAGE sql STABLE AS $fn$
      SELECT i.open_current, i.overdue, i.oldest_overdue, i.factored, i.transferred, c.unapplied, h.held, t.total,
             t.total - vigie_net_exposure(t.total, p_insured_limit, p_coverage_bp),
             vigie_net_exposure(t.total, p_insured_limit, p_coverage_bp),
             coalesce(p_credit_limit, p_default_limit),
             CASE WHEN p_credit_limit IS NULL THEN 'policy_default' ELSE 'explicit' END,
             coalesce(p_credit_limit, p_default_limit) - t.total,
             coalesce(p_credit_limit, p_default_limit) - vigie_net_exposure(t.total, p_insured_limit, p_coverage_bp)
        FROM (SELECT coalesce(sum(open_amount) FILTER (WHERE factor_recourse IS NULL AND due_date >= p_overdue_before), 0)::bigint AS open_current,
                     coalesce(sum(open_amount) FILTER (WHERE factor_recourse IS NULL AND due_date < p_overdue_before), 0)::bigint AS overdue,
                     min(due_date) FILTER (WHERE factor_recourse IS NULL AND due_date < p_overdue_before) AS oldest_overdue,
                     coalesce(sum(open_amount) FILTER (WHERE factor_recourse), 0)::bigint AS factored,
                     coalesce(sum(open_amount) FILTER (WHERE NOT factor_recourse), 0)::bigint AS transferred
                FROM invoices WHERE customer_id = p_customer_id AND open_amount > 0) i,
             (SELECT coalesce(sum(unapplied), 0)::bigint AS unapplied FROM credits WHERE customer_id = p_customer_id AND unapplied > 0) c,
             (SELECT coalesce(sum(hold_amount), 0)::bigint AS held FROM order_checks
               WHERE customer_id = p_customer_id AND hold_status = 'active' AND expires_at > p_now) h,
             LATERAL (SELECT i.open_current + i.overdue + i.factored + h.held - c.unapplied AS total) t
    $fn$`.execute(db);

  // The order decision: the position with the account's cover; against the net exposure when the
  // policy version it decides under says so (read only for an insured customer).
  await sql`
    CREATE OR REPLACE FUNCTION vigie_order_decision(acct credit_accounts, p_amount bigint, p_today date, p_grace_days integer,
                                         p_default_limit bigint, p_now timestamptz, p_policy_version integer)
    RETURNS jsonb LANGUAGE plpgsql AS $fn$
    DECLARE
      pos record;
      v_reasons text[];
      v_basis text := 'gross';
      v_total bigint;
    BEGIN
      SELECT * INTO pos FROM vigie_credit_position(acct.customer_id, acct.credit_limit, p_default_limit, p_today - p_grace_days, p_now,
                                                   acct.insured_limit, acct.insured_coverage_bp);
      v_total := pos.total;
      IF acct.insured_limit IS NOT NULL THEN
        SELECT coalesce(max(exposure_basis), 'gross') INTO v_basis FROM credit_policies WHERE version = p_policy_version;
        -- Net basis: the exposure after this order, less its insured share, against the limit.
        IF v_basis = 'net' THEN
          v_total := vigie_net_exposure(pos.total + p_amount, acct.insured_limit, acct.insured_coverage_bp) - p_amount;
        END IF;
      END IF;
      v_reasons := vigie_credit_reasons(acct.risk_grade, acct.manual_block, acct.collections_block IS NOT NULL, pos.overdue, v_total, p_amount,
                                        pos.limit_amount, pos.limit_source);
      RETURN jsonb_build_object('decision', vigie_credit_decision(v_reasons), 'facts', jsonb_build_object(
        'reasons', to_jsonb(v_reasons),
        'exposure', jsonb_build_object('openReceivables', pos.open_current, 'overdueReceivables', pos.overdue, 'factoredReceivables', pos.factored,
                                       'activeHolds', pos.held, 'unappliedCredits', -pos.unapplied, 'total', pos.total),
        'insurance', CASE WHEN acct.insured_limit IS NOT NULL THEN jsonb_build_object(
                       'insuredLimit', acct.insured_limit, 'coveragePercent', acct.insured_coverage_bp / 100.0, 'insuredShare', pos.insured,
                       'netExposure', pos.net_total, 'basis', v_basis) END,
        'creditLimit', pos.limit_amount, 'creditLimitSource', pos.limit_source,
        'available', CASE WHEN v_basis = 'net' THEN pos.available_net ELSE pos.available END,
        'limitSetAt', acct.limit_set_at, 'limitSetBy', acct.limit_set_by,
        'oldestOverdueDays', p_today - pos.oldest_overdue, 'graceDays', p_grace_days,
        'manualBlock', CASE WHEN acct.manual_block THEN jsonb_build_object('reason', acct.manual_block_reason, 'by', acct.manual_blocked_by, 'at', acct.manual_blocked_at) END,
        'autoBlock', CASE WHEN acct.auto_block THEN jsonb_build_object('reasons', acct.auto_block_reasons, 'at', acct.auto_blocked_at) END,
        'collectionsBlock', acct.collections_block,
        'riskGrade', acct.risk_grade, 'riskGradeAt', acct.risk_grade_at, 'assessmentId', acct.risk_assessment_id,
        'checkedAt', p_now, 'policyVersion', p_policy_version));
    END
    $fn$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // The decision reads columns about to go: it is replaced first.
  await replaceOrderDecision(db, true);
  await sql`DROP FUNCTION vigie_credit_position(uuid, bigint, bigint, date, timestamptz, bigint, integer)`.execute(db);
  await createCreditPosition(db);
  await sql`DROP FUNCTION vigie_net_exposure(bigint, bigint, integer)`.execute(db);
  await sql`DROP TABLE credit_insurance_covers`.execute(db);
  await sql`CREATE INDEX invoices_open_plain_idx ON invoices (customer_id, due_date) INCLUDE (open_amount) WHERE open_amount > 0`.execute(db);
  await sql`DROP INDEX invoices_open_idx`.execute(db);
  await sql`ALTER INDEX invoices_open_plain_idx RENAME TO invoices_open_idx`.execute(db);
  await sql`ALTER TABLE invoices DROP COLUMN factor, DROP COLUMN factored_on, DROP COLUMN factor_recourse`.execute(db);
  await sql`ALTER TABLE credit_accounts DROP COLUMN insured_limit, DROP COLUMN insured_coverage_bp`.execute(db);
  await sql`ALTER TABLE credit_policies DROP COLUMN exposure_basis, DROP COLUMN limit_follows_cover`.execute(db);
  await sql.raw(`DELETE FROM alerts WHERE type IN (${ADDED})`).execute(db);
  await sql`ALTER TABLE alerts DROP CONSTRAINT alerts_type_check`.execute(db);
  await sql.raw(`ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN (${BEFORE}))`).execute(db);
}
