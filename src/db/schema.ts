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
  siren: string | null;
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

export interface CreditAccountsTable {
  customer_id: string;
  currency: string;
  credit_limit: number | null;
  limit_review_date: string | null;
  limit_set_at: Timestamp | null;
  limit_set_by: string | null;
  manual_block: ColumnType<boolean, boolean | undefined, boolean>;
  manual_block_reason: string | null;
  manual_blocked_at: Timestamp | null;
  manual_blocked_by: string | null;
  risk_grade: 'A' | 'B' | 'C' | 'D' | 'E' | 'X' | null;
  risk_grade_at: Timestamp | null;
  /** The assessment that set risk_grade. */
  risk_assessment_id: string | null;
  auto_block: ColumnType<boolean, boolean | undefined, boolean>;
  auto_block_reasons: ColumnType<string[], string | undefined, string>;
  auto_blocked_at: Timestamp | null;
  /** Set by collections when the customer reached the blocking step: { step, since, invoices }. */
  collections_block: ColumnType<unknown, string | null | undefined, string | null>;
  /** Set when a collective proceeding opens: { since, reason, caseId }; lifted by a credit manager. */
  prepayment_only: ColumnType<unknown, string | null | undefined, string | null>;
  /** The credit-insurance cover the rules use (credit_insurance_covers keeps the rest): null when uninsured; 0 when withdrawn. */
  insured_limit: number | null;
  insured_coverage_bp: number | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface InvoicesTable {
  id: Generated<string>;
  number: string;
  customer_id: string;
  issue_date: string;
  due_date: string;
  amount: number;
  currency: string;
  order_id: string | null;
  open_amount: number;
  settled_on: string | null;
  due_date_estimated: ColumnType<boolean, boolean | undefined, boolean>;
  /** Assigned to a factor (who collects it): its name, the date, and whether with recourse (null: not factored). */
  factor: string | null;
  factored_on: string | null;
  factor_recourse: boolean | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface CreditsTable {
  id: Generated<string>;
  kind: 'payment' | 'credit_note';
  reference: string;
  customer_id: string;
  date: string;
  amount: number;
  currency: string;
  unapplied: number;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface AllocationsTable {
  credit_id: string;
  invoice_id: string;
  amount: number;
  automatic: boolean;
}

export interface OrderChecksTable {
  order_id: string;
  customer_id: string;
  amount: number;
  currency: string;
  decision: 'approved' | 'review' | 'blocked';
  facts: ColumnType<unknown, string, string>;
  hold_id: string | null;
  hold_status: 'none' | 'active' | 'consumed' | 'released' | 'expired';
  hold_amount: ColumnType<number, number | undefined, number>;
  expires_at: Timestamp | null;
  checked_by: string;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** A waiting order a credit manager declined: { by, at, reason }. */
  declined: ColumnType<{ by: string; at: string; reason: string } | null, string | null | undefined, string | null>;
}

export interface CreditPoliciesTable {
  version: number;
  default_credit_limit: number;
  overdue_grace_days: number;
  hold_ttl_hours: number;
  auto_recheck_orders: ColumnType<boolean, boolean | undefined, boolean>;
  exposure_basis: ColumnType<'gross' | 'net', 'gross' | 'net' | undefined, 'gross' | 'net'>;
  limit_follows_cover: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  created_by: string;
  reason: string;
}

export interface SourceResultsTable {
  source: string;
  key: string;
  data: ColumnType<unknown, string, string>;
  fetched_at: ColumnType<Date, Date, Date>;
  last_error: string | null;
  last_error_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface ScoringPoliciesTable {
  version: number;
  policy: ColumnType<unknown, string, string>;
  created_at: CreatedAt;
  created_by: string;
  reason: string;
}

export interface AssessmentsTable {
  id: Generated<string>;
  seq: ColumnType<number, never, never>;
  customer_id: string | null;
  siren: string;
  assessed_at: ColumnType<Date, Date, never>;
  as_of: string;
  score: number;
  grade: 'A' | 'B' | 'C' | 'D' | 'E' | 'X';
  probability_of_default: number;
  recommended_limit: number;
  currency: string;
  payment_condition: string;
  confidence: string;
  policy_version: number;
  model_version: string | null;
  inputs_hash: string;
  report: ColumnType<unknown, string, never>;
  created_by: string;
}

export interface LegalEventsTable {
  id: string;
  siren: string;
  kind: string;
  published_on: string;
  event: ColumnType<unknown, string, string>;
  received_at: ColumnType<Date, Date, Date>;
}

export interface MonitoringCheckpointsTable {
  name: string;
  value: string;
  updated_at: ColumnType<Date, Date, Date>;
}

export type AlertType =
  | 'legal_event'
  | 'grade_downgrade'
  | 'grade_upgrade'
  | 'limit_exceeded'
  | 'overdue'
  | 'auto_blocked'
  | 'auto_unblocked'
  | 'limit_review_due'
  | 'source_stale'
  | 'sanction_published'
  | 'promise_broken'
  | 'installment_late'
  | 'formal_notice_due'
  | 'dispute_opened'
  | 'email_failed'
  | 'insolvency_opened'
  | 'claim_deadline'
  | 'cover_reduced'
  | 'insurer_claim_due'
  | 'legal_case_deadline'
  | 'company_identity_incomplete'
  | 'late_payment_rate_missing';
export type Severity = 'low' | 'medium' | 'high' | 'critical';

export interface AlertsTable {
  id: Generated<string>;
  seq: ColumnType<number, never, never>;
  type: AlertType;
  severity: Severity;
  status: ColumnType<'open' | 'acknowledged' | 'resolved', 'open' | 'acknowledged' | 'resolved' | undefined>;
  customer_id: string | null;
  dedupe_key: string;
  message: string;
  data: ColumnType<unknown, string, string>;
  evidence: ColumnType<unknown, string | null, string | null>;
  occurrences: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Date, Date, never>;
  last_seen_at: ColumnType<Date, Date, Date>;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
  resolved_at: Timestamp | null;
  resolved_by: string | null;
  comment: string | null;
}

export interface WebhooksTable {
  id: Generated<string>;
  url: string;
  description: string | null;
  secret: string;
  alert_types: ColumnType<string[], string[] | undefined, string[]>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  created_by: string;
}

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  seq: ColumnType<number, never, never>;
  webhook_id: string;
  alert_id: string | null;
  event_type: string;
  body: string;
  status: ColumnType<'pending' | 'delivered' | 'failed', 'pending' | 'delivered' | 'failed' | undefined>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date, Date>;
  last_attempt_at: Timestamp | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Timestamp | null;
  created_at: ColumnType<Date, Date, never>;
}

type Json = ColumnType<unknown, string, string>;
type Day = ColumnType<string, string, string>;

export interface CollectionProfilesTable {
  customer_id: string;
  language: 'fr' | 'en';
  contacts: Json;
  postal_address: ColumnType<unknown, string | null, string | null>;
  owner: ColumnType<unknown, string | null, string | null>;
  escalation_contact: ColumnType<unknown, string | null, string | null>;
  collector: string | null;
  dunning_plan_id: string | null;
  contract_penalty_rate_bp: number | null;
  updated_at: Timestamp;
  updated_by: string;
}

export interface DunningPlansTable {
  id: string;
  version: number;
  name: string;
  steps: Json;
  created_at: CreatedAt;
  created_by: string;
  reason: string;
}

export interface CompanySettingsTable {
  version: number;
  identity: Json;
  created_at: CreatedAt;
  created_by: string;
  reason: string;
}

export interface CompanyFilesTable {
  sha256: string;
  content_type: 'image/png' | 'image/jpeg' | 'application/pdf';
  bytes: number;
  content: Buffer;
  created_at: CreatedAt;
}

export interface InvoiceFilesTable {
  invoice_id: string;
  filename: string;
  bytes: number;
  sha256: string;
  content: Buffer;
  created_at: Date;
  created_by: string;
}

export interface CollectionsPoliciesTable {
  version: number;
  policy: Json;
  created_at: CreatedAt;
  created_by: string;
  reason: string;
}

export interface DunningStatesTable {
  invoice_id: string;
  customer_id: string;
  plan_id: string;
  plan_version: number;
  step_index: number;
  step_key: string;
  last_step_on: Day;
  anchor_on: Day;
  open_at_step: number;
  updated_at: Timestamp;
}

export interface CollectionDocumentsTable {
  id: Generated<string>;
  customer_id: string;
  kind: string;
  filename: string;
  content_type: string;
  content: Buffer;
  created_at: Timestamp;
}

export interface CollectionActionsTable {
  id: Generated<string>;
  seq: ColumnType<number, never, never>;
  customer_id: string;
  run_on: Day;
  kind: 'email' | 'letter' | 'call' | 'internal';
  step_key: string;
  step_index: number;
  plan_id: string;
  plan_version: number;
  template: string;
  subject: string;
  body: string;
  formal_notice: ColumnType<boolean, boolean | undefined, boolean>;
  idempotency_key: string;
  invoices: Json;
  total: number;
  currency: string;
  status: string;
  assignee: string | null;
  due_on: Day;
  deadline_on: Day | null;
  document_id: string | null;
  outcome: string | null;
  notes: string | null;
  sent_on: Day | null;
  registered_number: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
  completed_by: string | null;
}

export type EmailStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'not_sent' | 'cancelled';
export interface EmailMessagesTable {
  id: Generated<string>;
  seq: ColumnType<number, never, never>;
  customer_id: string;
  action_id: string | null;
  to_addresses: string[];
  cc_addresses: ColumnType<string[], string[] | undefined, string[]>;
  from_address: string;
  reply_to: string | null;
  subject: string;
  text_body: string;
  html_body: string;
  message_id: string;
  status: EmailStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  sent_at: Timestamp | null;
  created_at: Timestamp;
}

export interface PaymentPromisesTable {
  id: Generated<string>;
  customer_id: string;
  invoice_ids: string[];
  amount: number;
  currency: string;
  promised_on: Day;
  promised_by: string;
  channel: string;
  open_at_creation: number;
  status: ColumnType<'open' | 'kept' | 'broken' | 'cancelled', 'open' | undefined, 'open' | 'kept' | 'broken' | 'cancelled'>;
  note: string | null;
  created_at: Timestamp;
  created_by: string;
  resolved_at: Timestamp | null;
}

export interface PaymentPlansTable {
  id: Generated<string>;
  customer_id: string;
  invoice_ids: string[];
  total: number;
  currency: string;
  open_at_start: number;
  status: ColumnType<'active' | 'completed' | 'defaulted' | 'cancelled', 'active' | undefined, 'active' | 'completed' | 'defaulted' | 'cancelled'>;
  note: string | null;
  document_id: string | null;
  created_at: Timestamp;
  created_by: string;
  resolved_at: Timestamp | null;
}

export interface PaymentPlanInstallmentsTable {
  plan_id: string;
  seq: number;
  due_on: Day;
  amount: number;
  status: ColumnType<'pending' | 'paid' | 'late', 'pending' | undefined, 'pending' | 'paid' | 'late'>;
  paid_on: Day | null;
}

export interface DisputesTable {
  id: Generated<string>;
  customer_id: string;
  invoice_id: string;
  category: string;
  comment: string | null;
  status: ColumnType<'open' | 'resolved', 'open' | undefined, 'open' | 'resolved'>;
  resolution: string | null;
  opened_at: Timestamp;
  opened_by: string;
  resolved_at: Timestamp | null;
  resolved_by: string | null;
}

export interface CollectionPausesTable {
  id: Generated<string>;
  customer_id: string;
  invoice_id: string | null;
  until: Day;
  reason: string;
  created_at: Timestamp;
  created_by: string;
  ended_at: Timestamp | null;
  ended_by: string | null;
}

export interface InsolvencyCasesTable {
  id: Generated<string>;
  customer_id: string;
  proceeding: 'sauvegarde' | 'redressement_judiciaire' | 'liquidation_judiciaire';
  announcement_id: string;
  judgment_nature: string | null;
  judgment_date: Day;
  published_on: Day;
  court: string | null;
  mandataire: string | null;
  creditor_abroad: ColumnType<boolean, boolean | undefined, boolean>;
  deadline: Day;
  status: ColumnType<'to_declare' | 'declared' | 'closed', 'to_declare' | 'declared' | 'closed' | undefined, 'to_declare' | 'declared' | 'closed'>;
  retention_of_title: ColumnType<string[], string[] | undefined, string[]>;
  history: ColumnType<unknown, string | undefined, string>;
  document_id: string | null;
  task_id: string | null;
  declared_on: Day | null;
  declared_amount: number | null;
  declaration_reference: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Each customer's ledger exposure (no holds) and oldest open due date, kept by triggers from vigie_credit_position() for sorting the portfolio. */
export interface PortfolioPositionsTable {
  customer_id: string;
  ledger_exposure: number;
  oldest_open_due: Day | null;
  refreshed_at: Timestamp;
}

export interface CreditInsuranceCoversTable {
  customer_id: string;
  insurer: string;
  policy_number: string | null;
  coverage_bp: number;
  insured_limit: number;
  currency: string;
  status: 'agreed' | 'reduced' | 'withdrawn';
  decided_on: Day;
  claim_deadline_days: number;
  claim_notice_days: number;
  history: ColumnType<unknown, string | undefined, string>;
  updated_at: Timestamp;
  updated_by: string;
}

export type LegalCaseStatus = 'prepared' | 'filed' | 'order_issued' | 'served' | 'opposed' | 'enforceable' | 'paid' | 'closed';

export interface LegalCasesTable {
  id: Generated<string>;
  customer_id: string;
  kind: ColumnType<'injonction_de_payer', 'injonction_de_payer' | undefined, never>;
  invoice_ids: string[];
  tribunal: string;
  tribunal_source: string;
  status: LegalCaseStatus;
  claim: ColumnType<unknown, string, string>;
  fees: ColumnType<unknown, string, string>;
  steps: ColumnType<unknown, string | undefined, string>;
  document_id: string;
  /** The numbered supporting documents the dossier lists, in order; the bundle holds each (see LegalCasesService.bundle). */
  pieces: ColumnType<unknown, string | undefined, string>;
  filed_on: Day | null;
  order_issued_on: Day | null;
  order_reference: string | null;
  service_deadline: Day | null;
  served_on: Day | null;
  opposition_deadline: Day | null;
  closed_on: Day | null;
  created_at: Timestamp;
  created_by: string;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  role: 'sales' | 'collector' | 'credit_manager' | 'admin';
  password_hash: string;
  created_at: Timestamp;
  created_by: string;
  disabled_at: Timestamp | null;
  password_changed_at: Timestamp;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface SignInFailuresTable {
  id: Generated<string>;
  email: string;
  ip: string;
  at: Timestamp;
}

export interface LatePaymentRatesTable {
  period_start: Day;
  ecb_refi_rate_bp: number;
  legal_rate_professional_bp: number;
  sources: string;
  updated_at: Timestamp;
  updated_by: string;
}

export interface RecoveryIndemnitiesTable {
  valid_from: Day;
  currency: string;
  amount: number;
  source: string;
  updated_at: Timestamp;
  updated_by: string;
}

export interface PenaltyWaiversTable {
  invoice_id: string;
  penalties: boolean;
  indemnity: boolean;
  reason: string;
  waived_at: Timestamp;
  waived_by: string;
}

export interface FecAccountMappingsTable {
  account: string;
  customer_id: string;
  created_at: CreatedAt;
  created_by: string;
}

export interface DB {
  fec_account_mappings: FecAccountMappingsTable;
  collection_profiles: CollectionProfilesTable;
  dunning_plans: DunningPlansTable;
  collections_policies: CollectionsPoliciesTable;
  company_settings: CompanySettingsTable;
  company_files: CompanyFilesTable;
  invoice_files: InvoiceFilesTable;
  dunning_states: DunningStatesTable;
  collection_documents: CollectionDocumentsTable;
  collection_actions: CollectionActionsTable;
  email_messages: EmailMessagesTable;
  payment_promises: PaymentPromisesTable;
  payment_plans: PaymentPlansTable;
  payment_plan_installments: PaymentPlanInstallmentsTable;
  disputes: DisputesTable;
  collection_pauses: CollectionPausesTable;
  insolvency_cases: InsolvencyCasesTable;
  credit_insurance_covers: CreditInsuranceCoversTable;
  portfolio_positions: PortfolioPositionsTable;
  legal_cases: LegalCasesTable;
  users: UsersTable;
  sessions: SessionsTable;
  sign_in_failures: SignInFailuresTable;
  late_payment_rates: LatePaymentRatesTable;
  recovery_indemnities: RecoveryIndemnitiesTable;
  penalty_waivers: PenaltyWaiversTable;
  legal_events: LegalEventsTable;
  monitoring_checkpoints: MonitoringCheckpointsTable;
  alerts: AlertsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  scoring_policies: ScoringPoliciesTable;
  assessments: AssessmentsTable;
  source_results: SourceResultsTable;
  credit_accounts: CreditAccountsTable;
  invoices: InvoicesTable;
  credits: CreditsTable;
  allocations: AllocationsTable;
  order_checks: OrderChecksTable;
  credit_policies: CreditPoliciesTable;
  job_runs: JobRunsTable;
  api_keys: ApiKeysTable;
  customers: CustomersTable;
  audit_entries: AuditEntriesTable;
}

export type CustomerRow = Selectable<CustomersTable>;
export type NewCustomerRow = Insertable<CustomersTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
