import { sql, type Kysely } from 'kysely';

/**
 * Collections: customers' contacts, dunning plans and their state per invoice, the actions taken
 * (e-mails, letters, calls, internal tasks), the e-mail outbox, stored documents, promises to pay,
 * payment plans, disputes, pauses, and the French late-payment rules as data (L441-10 rates by
 * half-year, the D441-5 indemnity) with their sources; the rows shipped with Vigie
 * (src/collections/data/late-payment-law.json) are added at start when absent, so an admin's edits stay.
 *
 * Collections can block orders: credit_accounts.collections_block is set by the collections
 * service and read by the credit rules (vigie_credit_reasons gains the `collections` reason).
 */
const ALERT_TYPES = "'legal_event', 'grade_downgrade', 'grade_upgrade', 'limit_exceeded', 'overdue', 'auto_blocked', 'auto_unblocked', 'limit_review_due', 'source_stale', 'sanction_published'";
const COLLECTION_ALERTS = "'promise_broken', 'installment_late', 'formal_notice_due', 'dispute_opened', 'email_failed'";
/** The alert types in force after this migration (the next migration that adds some starts from it). */
export const ALERT_TYPES_AFTER = `${ALERT_TYPES}, ${COLLECTION_ALERTS}`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE credit_accounts ADD COLUMN collections_block jsonb`.execute(db);
  // Collections alerts.
  await sql`ALTER TABLE alerts DROP CONSTRAINT alerts_type_check`.execute(db);
  await sql.raw(`ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN (${ALERT_TYPES}, ${COLLECTION_ALERTS}))`).execute(db);
  // A new role: the collector (accounts-receivable clerk).
  await sql`ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check`.execute(db);
  await sql`ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('sales', 'credit_manager', 'collector', 'order_system', 'admin'))`.execute(db);

  await sql`
    CREATE TABLE collection_profiles (
      customer_id uuid PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
      language text NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
      contacts jsonb NOT NULL DEFAULT '[]',
      postal_address jsonb,
      owner jsonb,
      escalation_contact jsonb,
      collector text,
      dunning_plan_id text,
      contract_penalty_rate_bp integer,
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL
    )`.execute(db);

  await sql`
    CREATE TABLE dunning_plans (
      id text NOT NULL,
      version integer NOT NULL,
      name text NOT NULL,
      steps jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      reason text NOT NULL,
      PRIMARY KEY (id, version)
    )`.execute(db);

  await sql`
    CREATE TABLE collections_policies (
      version integer PRIMARY KEY,
      policy jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      reason text NOT NULL
    )`.execute(db);

  // Where each invoice stands in its plan: the last step executed, when, and from when the next one counts.
  await sql`
    CREATE TABLE dunning_states (
      invoice_id uuid PRIMARY KEY REFERENCES invoices (id) ON DELETE CASCADE,
      customer_id uuid NOT NULL,
      plan_id text NOT NULL,
      plan_version integer NOT NULL,
      step_index integer NOT NULL,
      step_key text NOT NULL,
      last_step_on date NOT NULL,
      anchor_on date NOT NULL,
      open_at_step bigint NOT NULL,
      updated_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX dunning_states_customer_idx ON dunning_states (customer_id)`.execute(db);

  await sql`
    CREATE TABLE collection_documents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
      kind text NOT NULL,
      filename text NOT NULL,
      content_type text NOT NULL,
      content bytea NOT NULL,
      created_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX collection_documents_customer_idx ON collection_documents (customer_id, created_at)`.execute(db);

  await sql`
    CREATE TABLE collection_actions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq bigserial UNIQUE,
      customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
      run_on date NOT NULL,
      kind text NOT NULL CHECK (kind IN ('email', 'letter', 'call', 'internal')),
      step_key text NOT NULL,
      step_index integer NOT NULL,
      plan_id text NOT NULL,
      plan_version integer NOT NULL,
      template text NOT NULL,
      subject text NOT NULL,
      body text NOT NULL,
      formal_notice boolean NOT NULL DEFAULT false,
      idempotency_key text NOT NULL UNIQUE,
      invoices jsonb NOT NULL,
      total bigint NOT NULL,
      currency text NOT NULL,
      status text NOT NULL,
      assignee text,
      due_on date NOT NULL,
      deadline_on date,
      document_id uuid,
      outcome text,
      notes text,
      sent_on date,
      registered_number text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      completed_at timestamptz,
      completed_by text
    )`.execute(db);
  await sql`CREATE INDEX collection_actions_customer_idx ON collection_actions (customer_id, created_at)`.execute(db);
  await sql`CREATE INDEX collection_actions_todo_idx ON collection_actions (due_on) WHERE status IN ('open', 'to_send')`.execute(db);

  await sql`
    CREATE TABLE email_messages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq bigserial UNIQUE,
      customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
      action_id uuid REFERENCES collection_actions (id) ON DELETE CASCADE,
      to_addresses text[] NOT NULL,
      cc_addresses text[] NOT NULL DEFAULT '{}',
      from_address text NOT NULL,
      reply_to text,
      subject text NOT NULL,
      text_body text NOT NULL,
      html_body text NOT NULL,
      message_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'not_sent')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      last_error text,
      sent_at timestamptz,
      created_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX email_messages_due_idx ON email_messages (next_attempt_at) WHERE status IN ('pending', 'sending')`.execute(db);
  await sql`CREATE INDEX email_messages_customer_idx ON email_messages (customer_id, created_at)`.execute(db);

  await sql`
    CREATE TABLE payment_promises (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
      invoice_ids uuid[] NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      currency text NOT NULL,
      promised_on date NOT NULL,
      promised_by text NOT NULL,
      channel text NOT NULL,
      open_at_creation bigint NOT NULL,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'kept', 'broken', 'cancelled')),
      note text,
      created_at timestamptz NOT NULL,
      created_by text NOT NULL,
      resolved_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX payment_promises_customer_idx ON payment_promises (customer_id)`.execute(db);
  await sql`CREATE INDEX payment_promises_open_idx ON payment_promises (promised_on) WHERE status = 'open'`.execute(db);

  await sql`
    CREATE TABLE payment_plans (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
      invoice_ids uuid[] NOT NULL,
      total bigint NOT NULL,
      currency text NOT NULL,
      open_at_start bigint NOT NULL,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'defaulted', 'cancelled')),
      note text,
      document_id uuid,
      created_at timestamptz NOT NULL,
      created_by text NOT NULL,
      resolved_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX payment_plans_customer_idx ON payment_plans (customer_id)`.execute(db);
  await sql`CREATE INDEX payment_plans_active_idx ON payment_plans (created_at) WHERE status = 'active'`.execute(db);
  await sql`
    CREATE TABLE payment_plan_installments (
      plan_id uuid NOT NULL REFERENCES payment_plans (id) ON DELETE CASCADE,
      seq integer NOT NULL,
      due_on date NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'late')),
      paid_on date,
      PRIMARY KEY (plan_id, seq)
    )`.execute(db);

  await sql`
    CREATE TABLE disputes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
      invoice_id uuid NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
      category text NOT NULL,
      comment text,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
      resolution text,
      opened_at timestamptz NOT NULL,
      opened_by text NOT NULL,
      resolved_at timestamptz,
      resolved_by text
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX disputes_open_idx ON disputes (invoice_id) WHERE status = 'open'`.execute(db);
  await sql`CREATE INDEX disputes_customer_idx ON disputes (customer_id)`.execute(db);

  await sql`
    CREATE TABLE collection_pauses (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
      invoice_id uuid REFERENCES invoices (id) ON DELETE CASCADE,
      until date NOT NULL,
      reason text NOT NULL,
      created_at timestamptz NOT NULL,
      created_by text NOT NULL,
      ended_at timestamptz,
      ended_by text
    )`.execute(db);
  await sql`CREATE INDEX collection_pauses_customer_idx ON collection_pauses (customer_id, until)`.execute(db);

  await sql`
    CREATE TABLE late_payment_rates (
      period_start date PRIMARY KEY CHECK (extract(day FROM period_start) = 1 AND extract(month FROM period_start) IN (1, 7)),
      ecb_refi_rate_bp integer NOT NULL CHECK (ecb_refi_rate_bp BETWEEN -1000 AND 5000),
      legal_rate_professional_bp integer NOT NULL CHECK (legal_rate_professional_bp BETWEEN 0 AND 5000),
      sources text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE recovery_indemnities (
      valid_from date NOT NULL,
      currency text NOT NULL,
      amount bigint NOT NULL CHECK (amount >= 0),
      source text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NOT NULL,
      PRIMARY KEY (valid_from, currency)
    )`.execute(db);
  await sql`
    CREATE TABLE penalty_waivers (
      invoice_id uuid PRIMARY KEY REFERENCES invoices (id) ON DELETE CASCADE,
      penalties boolean NOT NULL,
      indemnity boolean NOT NULL,
      reason text NOT NULL,
      waived_at timestamptz NOT NULL,
      waived_by text NOT NULL
    )`.execute(db);

  // The credit rules learn the `collections` reason (blocked), after the manual block.
  await sql`DROP FUNCTION vigie_credit_reasons(text, boolean, bigint, bigint, bigint, bigint, text)`.execute(db);
  await createReasons(db, true);
  await createDecision(db, true);
  await replaceOrderDecision(db, true);
}

async function createReasons(db: Kysely<unknown>, withCollections: boolean): Promise<void> {
  if (withCollections) {
    await sql`
      CREATE FUNCTION vigie_credit_reasons(p_risk_grade text, p_manual_block boolean, p_collections_block boolean, p_overdue bigint, p_total bigint,
                                           p_amount bigint, p_limit bigint, p_limit_source text)
      RETURNS text[] LANGUAGE sql IMMUTABLE AS $fn$
        SELECT array_remove(ARRAY[
          CASE WHEN p_risk_grade = 'X' THEN 'legal_proceedings' END,
          CASE WHEN p_manual_block THEN 'manual_block' END,
          CASE WHEN p_collections_block THEN 'collections' END,
          CASE WHEN p_overdue > 0 THEN 'overdue_invoices' END,
          CASE WHEN NOT (p_limit_source = 'policy_default' AND p_limit = 0) AND p_total + p_amount > p_limit THEN 'over_limit' END,
          CASE WHEN p_risk_grade = 'E' AND p_limit_source <> 'explicit' THEN 'risk_grade' END,
          CASE WHEN p_limit_source = 'policy_default' AND p_limit = 0 THEN 'no_limit' END
        ], NULL)
      $fn$`.execute(db);
  } else {
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
  }
}

async function createDecision(db: Kysely<unknown>, withCollections: boolean): Promise<void> {
  const blocking = withCollections
    ? sql`ARRAY['legal_proceedings', 'manual_block', 'collections', 'overdue_invoices', 'over_limit']`
    : sql`ARRAY['legal_proceedings', 'manual_block', 'overdue_invoices', 'over_limit']`;
  await sql`
    CREATE OR REPLACE FUNCTION vigie_credit_decision(p_reasons text[]) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
      SELECT CASE WHEN p_reasons && ${blocking} THEN 'blocked'
                  WHEN cardinality(p_reasons) > 0 THEN 'review' ELSE 'approved' END
    $fn$`.execute(db);
}

export async function replaceOrderDecision(db: Kysely<unknown>, withCollections: boolean): Promise<void> {
  const reasons = withCollections
    ? sql`vigie_credit_reasons(acct.risk_grade, acct.manual_block, acct.collections_block IS NOT NULL, pos.overdue, pos.total, p_amount, pos.limit_amount, pos.limit_source)`
    : sql`vigie_credit_reasons(acct.risk_grade, acct.manual_block, pos.overdue, pos.total, p_amount, pos.limit_amount, pos.limit_source)`;
  const block = withCollections ? sql`'collectionsBlock', acct.collections_block,` : sql``;
  await sql`
    CREATE OR REPLACE FUNCTION vigie_order_decision(acct credit_accounts, p_amount bigint, p_today date, p_grace_days integer,
                                         p_default_limit bigint, p_now timestamptz, p_policy_version integer)
    RETURNS jsonb LANGUAGE plpgsql AS $fn$
    DECLARE
      pos record;
      v_reasons text[];
    BEGIN
      SELECT * INTO pos FROM vigie_credit_position(acct.customer_id, acct.credit_limit, p_default_limit, p_today - p_grace_days, p_now);
      v_reasons := ${reasons};
      RETURN jsonb_build_object('decision', vigie_credit_decision(v_reasons), 'facts', jsonb_build_object(
        'reasons', to_jsonb(v_reasons),
        'exposure', jsonb_build_object('openReceivables', pos.open_current, 'overdueReceivables', pos.overdue,
                                       'activeHolds', pos.held, 'unappliedCredits', -pos.unapplied, 'total', pos.total),
        'creditLimit', pos.limit_amount, 'creditLimitSource', pos.limit_source, 'available', pos.available,
        'limitSetAt', acct.limit_set_at, 'limitSetBy', acct.limit_set_by,
        'oldestOverdueDays', p_today - pos.oldest_overdue, 'graceDays', p_grace_days,
        'manualBlock', CASE WHEN acct.manual_block THEN jsonb_build_object('reason', acct.manual_block_reason, 'by', acct.manual_blocked_by, 'at', acct.manual_blocked_at) END,
        'autoBlock', CASE WHEN acct.auto_block THEN jsonb_build_object('reasons', acct.auto_block_reasons, 'at', acct.auto_blocked_at) END,
        ${block}
        'riskGrade', acct.risk_grade, 'riskGradeAt', acct.risk_grade_at, 'assessmentId', acct.risk_assessment_id,
        'checkedAt', p_now, 'policyVersion', p_policy_version));
    END
    $fn$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION vigie_credit_reasons(text, boolean, boolean, bigint, bigint, bigint, bigint, text)`.execute(db);
  await createReasons(db, false);
  await createDecision(db, false);
  // vigie_order_decision reads a column about to go: it is replaced before the column is dropped.
  await replaceOrderDecision(db, false);
  for (const t of [
    'penalty_waivers',
    'recovery_indemnities',
    'late_payment_rates',
    'collection_pauses',
    'disputes',
    'payment_plan_installments',
    'payment_plans',
    'payment_promises',
    'email_messages',
    'collection_actions',
    'collection_documents',
    'dunning_states',
    'collections_policies',
    'dunning_plans',
    'collection_profiles',
  ]) {
    await sql`DROP TABLE ${sql.table(t)}`.execute(db);
  }
  await sql`ALTER TABLE credit_accounts DROP COLUMN collections_block`.execute(db);
  await sql`DELETE FROM api_keys WHERE role = 'collector'`.execute(db);
  await sql.raw(`DELETE FROM alerts WHERE type IN (${COLLECTION_ALERTS})`).execute(db);
  await sql`ALTER TABLE alerts DROP CONSTRAINT alerts_type_check`.execute(db);
  await sql.raw(`ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN (${ALERT_TYPES}))`).execute(db);
  await sql`ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check`.execute(db);
  await sql`ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('sales', 'credit_manager', 'order_system', 'admin'))`.execute(db);
}
