import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The automatic block the exposure watch sets and clears; the manual block stays the credit manager's.
  await sql`
    ALTER TABLE credit_accounts
      ADD COLUMN auto_block boolean NOT NULL DEFAULT false,
      ADD COLUMN auto_block_reasons jsonb NOT NULL DEFAULT '[]',
      ADD COLUMN auto_blocked_at timestamptz`.execute(db);

  // Announcements the daily BODACC walk matched to the portfolio, once each (by announcement and SIREN).
  await sql`
    CREATE TABLE legal_events (
      id text NOT NULL,
      siren text NOT NULL,
      kind text NOT NULL,
      published_on date NOT NULL,
      event jsonb NOT NULL,
      received_at timestamptz NOT NULL,
      PRIMARY KEY (siren, id)
    )`.execute(db);

  await sql`
    CREATE TABLE monitoring_checkpoints (
      name text PRIMARY KEY,
      value text NOT NULL,
      updated_at timestamptz NOT NULL
    )`.execute(db);

  await sql`
    CREATE TABLE alerts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      type text NOT NULL CHECK (type IN ('legal_event', 'grade_downgrade', 'grade_upgrade', 'limit_exceeded', 'overdue',
        'auto_blocked', 'auto_unblocked', 'limit_review_due', 'source_stale', 'sanction_published')),
      severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
      customer_id uuid REFERENCES customers (id),
      -- the situation an alert is about: one open alert per situation, however many runs see it
      dedupe_key text NOT NULL,
      message text NOT NULL,
      data jsonb NOT NULL,
      evidence jsonb,
      occurrences integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      acknowledged_at timestamptz,
      acknowledged_by text,
      resolved_at timestamptz,
      resolved_by text,
      comment text
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX alerts_open_situation_idx ON alerts (dedupe_key) WHERE status <> 'resolved'`.execute(db);
  await sql`CREATE INDEX alerts_status_idx ON alerts (status, seq DESC)`.execute(db);
  await sql`CREATE INDEX alerts_customer_idx ON alerts (customer_id, seq DESC)`.execute(db);

  await sql`
    CREATE TABLE webhooks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      url text NOT NULL CHECK (url ~ '^https?://'),
      description text,
      -- the signing key: needed in clear to sign, shown once at creation
      secret text NOT NULL,
      -- empty = every alert type
      alert_types text[] NOT NULL DEFAULT '{}',
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL
    )`.execute(db);

  // The outbox: written in the transaction that raises the alert, so a receiver that is down loses nothing.
  await sql`
    CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
      alert_id uuid NOT NULL REFERENCES alerts (id),
      event_type text NOT NULL,
      body text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      last_attempt_at timestamptz,
      last_status integer,
      last_error text,
      delivered_at timestamptz,
      created_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, seq DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['webhook_deliveries', 'webhooks', 'alerts', 'monitoring_checkpoints', 'legal_events']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
  await sql`ALTER TABLE credit_accounts DROP COLUMN IF EXISTS auto_block, DROP COLUMN IF EXISTS auto_block_reasons, DROP COLUMN IF EXISTS auto_blocked_at`.execute(db);
}
