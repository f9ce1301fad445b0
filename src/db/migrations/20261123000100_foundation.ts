import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE api_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      role text NOT NULL CHECK (role IN ('sales', 'credit_manager', 'order_system', 'admin')),
      prefix text NOT NULL,
      secret_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      last_used_at timestamptz,
      revoked_at timestamptz,
      revoked_by text
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX api_keys_active_name_idx ON api_keys (name) WHERE revoked_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE customers (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      -- Creation order, for stable cursor pagination.
      seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 100),
      siren text NOT NULL CHECK (siren ~ '^[0-9]{9}$'),
      siret text CHECK (siret ~ '^[0-9]{14}$' AND left(siret, 9) = siren),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      payment_terms_days integer NOT NULL CHECK (payment_terms_days >= 0),
      payment_terms_basis text NOT NULL CHECK (payment_terms_basis IN ('invoice_date', 'end_of_month')),
      -- L441-10 Code de commerce: at most 60 days from the invoice date, or 45 days end of month.
      CHECK ((payment_terms_basis = 'invoice_date' AND payment_terms_days <= 60)
          OR (payment_terms_basis = 'end_of_month' AND payment_terms_days <= 45)),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX customers_external_id_idx ON customers (external_id)`.execute(db);
  await sql`CREATE INDEX customers_siren_idx ON customers (siren)`.execute(db);

  await sql`
    CREATE TABLE audit_entries (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor text NOT NULL,
      actor_key_id uuid,
      action text NOT NULL,
      entity_type text NOT NULL,
      entity_id text NOT NULL,
      customer_id uuid REFERENCES customers (id),
      old_value jsonb,
      new_value jsonb,
      reason text
    )`.execute(db);
  await sql`CREATE INDEX audit_entries_customer_idx ON audit_entries (customer_id, id)`.execute(db);
  await sql`CREATE INDEX audit_entries_entity_idx ON audit_entries (entity_type, entity_id, id)`.execute(db);
  // The audit log is append-only for everyone, the application included.
  await sql`
    CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_entries is append-only';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()`.execute(db);

  await sql`
    CREATE TABLE job_runs (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      job_name text NOT NULL,
      worker text NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
      counts jsonb NOT NULL DEFAULT '{}'::jsonb,
      error text
    )`.execute(db);
  await sql`CREATE INDEX job_runs_name_idx ON job_runs (job_name, id DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS job_runs`.execute(db);
  await sql`DROP TABLE IF EXISTS audit_entries`.execute(db);
  await sql`DROP FUNCTION IF EXISTS audit_entries_append_only()`.execute(db);
  await sql`DROP TABLE IF EXISTS customers`.execute(db);
  await sql`DROP TABLE IF EXISTS api_keys`.execute(db);
}
