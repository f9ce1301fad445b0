import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per customer: the limit, the blocks, and the row every money-moving transaction
  // locks (SELECT … FOR UPDATE) so checks and ledger writes for a customer are serialised.
  await sql`
    CREATE TABLE credit_accounts (
      customer_id uuid PRIMARY KEY REFERENCES customers (id),
      currency text NOT NULL,
      credit_limit bigint CHECK (credit_limit >= 0),
      limit_review_date date,
      limit_set_at timestamptz,
      limit_set_by text,
      manual_block boolean NOT NULL DEFAULT false,
      manual_block_reason text,
      manual_blocked_at timestamptz,
      manual_blocked_by text,
      -- Written by the scoring engine: A–E, or X (ceased / collective proceedings).
      risk_grade text CHECK (risk_grade IN ('A', 'B', 'C', 'D', 'E', 'X')),
      risk_grade_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX credit_accounts_review_idx ON credit_accounts (limit_review_date) WHERE limit_review_date IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE invoices (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      number text NOT NULL CHECK (length(number) BETWEEN 1 AND 100),
      customer_id uuid NOT NULL REFERENCES customers (id),
      issue_date date NOT NULL,
      due_date date NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      currency text NOT NULL,
      order_id text,
      -- amount less what payments and credit notes have settled
      open_amount bigint NOT NULL,
      settled_on date,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (due_date >= issue_date),
      CHECK (open_amount >= 0 AND open_amount <= amount)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX invoices_number_idx ON invoices (number)`.execute(db);
  // The order check and exposure read only open invoices, by customer and due date.
  await sql`CREATE INDEX invoices_open_idx ON invoices (customer_id, due_date) INCLUDE (open_amount) WHERE open_amount > 0`.execute(db);
  await sql`CREATE INDEX invoices_order_idx ON invoices (order_id) WHERE order_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX invoices_settled_idx ON invoices (customer_id, settled_on) WHERE settled_on IS NOT NULL`.execute(db);

  // Payments and credit notes: money that settles invoices, by allocation.
  await sql`
    CREATE TABLE credits (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL CHECK (kind IN ('payment', 'credit_note')),
      reference text NOT NULL CHECK (length(reference) BETWEEN 1 AND 100),
      customer_id uuid NOT NULL REFERENCES customers (id),
      date date NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      currency text NOT NULL,
      unapplied bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (unapplied >= 0 AND unapplied <= amount),
      UNIQUE (kind, reference)
    )`.execute(db);
  await sql`CREATE INDEX credits_unapplied_idx ON credits (customer_id) INCLUDE (unapplied) WHERE unapplied > 0`.execute(db);
  await sql`CREATE INDEX credits_customer_idx ON credits (customer_id, date)`.execute(db);

  await sql`
    CREATE TABLE allocations (
      credit_id uuid NOT NULL REFERENCES credits (id),
      invoice_id uuid NOT NULL REFERENCES invoices (id),
      amount bigint NOT NULL CHECK (amount > 0),
      automatic boolean NOT NULL,
      PRIMARY KEY (credit_id, invoice_id)
    )`.execute(db);
  await sql`CREATE INDEX allocations_invoice_idx ON allocations (invoice_id)`.execute(db);

  // One row per order id: the first decision (replayed on retries) and the hold it placed.
  await sql`
    CREATE TABLE order_checks (
      order_id text PRIMARY KEY CHECK (length(order_id) BETWEEN 1 AND 200),
      customer_id uuid NOT NULL REFERENCES customers (id),
      amount bigint NOT NULL CHECK (amount > 0),
      currency text NOT NULL,
      decision text NOT NULL CHECK (decision IN ('approved', 'review', 'blocked')),
      -- what the decision was made on (exposure, limit, blocks, grade): the answer is rebuilt from it on a retry
      facts jsonb NOT NULL,
      hold_id uuid UNIQUE,
      hold_status text NOT NULL CHECK (hold_status IN ('none', 'active', 'consumed', 'released', 'expired')),
      -- what the hold still counts against the limit (order amount less what has been invoiced)
      hold_amount bigint NOT NULL DEFAULT 0 CHECK (hold_amount >= 0),
      expires_at timestamptz,
      checked_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((hold_status = 'none') = (hold_id IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX order_checks_active_idx ON order_checks (customer_id) INCLUDE (hold_amount, expires_at) WHERE hold_status = 'active'`.execute(db);
  await sql`CREATE INDEX order_checks_expiry_idx ON order_checks (expires_at) WHERE hold_status = 'active'`.execute(db);

  // Versioned credit policy; the highest version is in force.
  await sql`
    CREATE TABLE credit_policies (
      version integer PRIMARY KEY,
      default_credit_limit bigint NOT NULL CHECK (default_credit_limit >= 0),
      overdue_grace_days integer NOT NULL CHECK (overdue_grace_days BETWEEN 0 AND 365),
      hold_ttl_hours integer NOT NULL CHECK (hold_ttl_hours BETWEEN 1 AND 8760),
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      reason text NOT NULL
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['credit_policies', 'order_checks', 'allocations', 'credits', 'invoices', 'credit_accounts']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
