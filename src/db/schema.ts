import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface ApiKeysTable {
  id: Generated<string>;
  name: string;
  role: string;
  prefix: string;
  secret_hash: string;
  created_at: CreatedAt;
  created_by: string;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
}

export interface CustomersTable {
  id: Generated<string>;
  seq: ColumnType<number, never, never>;
  external_id: string;
  siren: string;
  siret: string | null;
  name: string;
  currency: string;
  payment_terms_days: number;
  payment_terms_basis: 'invoice_date' | 'end_of_month';
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface AuditEntriesTable {
  id: Generated<number>;
  at: CreatedAt;
  actor: string;
  actor_key_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  customer_id: string | null;
  old_value: unknown;
  new_value: unknown;
  reason: string | null;
}

export interface JobRunsTable {
  id: Generated<number>;
  job_name: string;
  worker: string;
  started_at: CreatedAt;
  finished_at: Timestamp | null;
  status: ColumnType<'running' | 'succeeded' | 'failed', 'running' | 'succeeded' | 'failed' | undefined>;
  counts: ColumnType<Record<string, number>, string | undefined, string>;
  error: string | null;
}

export interface DB {
  job_runs: JobRunsTable;
  api_keys: ApiKeysTable;
  customers: CustomersTable;
  audit_entries: AuditEntriesTable;
}

export type CustomerRow = Selectable<CustomersTable>;
export type NewCustomerRow = Insertable<CustomersTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
