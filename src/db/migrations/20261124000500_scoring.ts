import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Versioned scoring policy: the highest version is in force; the document is validated by the API.
  await sql`
    CREATE TABLE scoring_policies (
      version integer PRIMARY KEY,
      policy jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      reason text NOT NULL
    )`.execute(db);

  // Every assessment recorded, for a customer or a prospect: the history that explains a grade change.
  await sql`
    CREATE TABLE assessments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      -- insertion order: orders two assessments made at the same instant
      seq bigint GENERATED ALWAYS AS IDENTITY,
      customer_id uuid REFERENCES customers (id),
      siren text NOT NULL CHECK (siren ~ '^[0-9]{9}$'),
      assessed_at timestamptz NOT NULL,
      as_of date NOT NULL,
      score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
      grade text NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D', 'E', 'X')),
      -- a probability, not money
      probability_of_default double precision NOT NULL CHECK (probability_of_default BETWEEN 0 AND 1),
      recommended_limit bigint NOT NULL CHECK (recommended_limit >= 0),
      currency text NOT NULL,
      payment_condition text NOT NULL,
      confidence text NOT NULL,
      policy_version integer NOT NULL,
      model_version text,
      -- a digest of everything the assessment read: unchanged inputs need no new assessment
      inputs_hash text NOT NULL,
      report jsonb NOT NULL,
      created_by text NOT NULL
    )`.execute(db);
  // lz4 writes a nightly re-score's reports faster than the default pglz, where the server has it
  // (PostgreSQL 14+ built with lz4); elsewhere the default stays.
  await sql`
    DO $$ BEGIN
      ALTER TABLE assessments ALTER COLUMN report SET COMPRESSION lz4;
    EXCEPTION WHEN OTHERS THEN NULL;
    END $$`.execute(db);
  await sql`CREATE INDEX assessments_customer_idx ON assessments (customer_id, assessed_at DESC, seq DESC) WHERE customer_id IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS assessments`.execute(db);
  await sql`DROP TABLE IF EXISTS scoring_policies`.execute(db);
}
