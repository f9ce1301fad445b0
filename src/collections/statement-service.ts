import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { addDays, daysBetween } from '../clock.js';
import { InvalidInput, NotFound } from '../errors.js';
import type { LatePaymentLaw } from './late-payment-law.js';
import type { ProfilesService } from './profiles.js';
import { claimFor, loadReductions, type InvoiceClaim } from './claims.js';
import { renderStatement } from './documents.js';
import type { Letterhead } from './pdf.js';
import { L441_10 } from './penalties.js';

export const waiverBody = z.strictObject({
  waive: z.enum(['penalties', 'indemnity', 'both']),
  reason: z.string().trim().min(1, 'say why').max(500),
});

/** Claims older than this are time-barred for commercial debts (Code de commerce L110-4: 5 years). */
const LOOKBACK_DAYS = 5 * 366;

export interface StatementInvoice {
  number: string;
  issueDate: string;
  dueDate: string;
  amount: number;
  paid: number;
  open: number;
  settledOn: string | null;
  daysLate: number;
  penalty: InvoiceClaim['penalty'] & { periods: Array<InvoiceClaim['penalty']['periods'][number] & { ratePercent: number }> };
  indemnity: InvoiceClaim['indemnity'];
}

/**
 * The account statement (décompte) at a date: every invoice open at that date, and every invoice
 * paid late whose penalties or indemnity were not waived (they are never lost when the principal is
 * paid), with days late, the penalty by period (rate, days, base), the indemnity, the payments and
 * credit notes, and the totals. JSON or PDF.
 */
export class StatementService {
  constructor(
    private readonly o: {
      db: Kysely<DB>;
      law: LatePaymentLaw;
      profiles: ProfilesService;
      audit: AuditService;
      /** The creditor's letterhead; refused (409) while the company identity is incomplete. */
      letterhead: () => Promise<Letterhead>;
      today: () => string;
    },
  ) {}

  async statement(customerId: string, asOf = this.o.today()) {
    const customer = await this.o.db.selectFrom('customers').select(['id', 'name', 'siren', 'external_id', 'currency']).where('id', '=', customerId).executeTakeFirst();
    if (!customer) throw new NotFound(`No customer ${customerId}`, 'customer_not_found');
    if (asOf > addDays(this.o.today(), 366)) throw InvalidInput.field('query.asOf', 'at most a year ahead');
    const since = addDays(asOf, -LOOKBACK_DAYS);
    // Open at asOf: amount less what was allocated by then; or settled after its due date (within the lookback).
    const { rows: invoices } = await sql<{ id: string; number: string; issue_date: string; due_date: string; amount: number; currency: string; paid: number; last_paid_on: string | null }>`
      SELECT i.id, i.number, i.issue_date, i.due_date, i.amount, i.currency, coalesce(r.paid, 0)::bigint AS paid, r.last_paid_on
        FROM invoices i
        LEFT JOIN LATERAL (SELECT sum(a.amount) AS paid, max(c.date) AS last_paid_on FROM allocations a JOIN credits c ON c.id = a.credit_id
                            WHERE a.invoice_id = i.id AND c.date <= ${asOf}::date) r ON true
       WHERE i.customer_id = ${customerId} AND i.issue_date <= ${asOf}::date
         AND (i.amount > coalesce(r.paid, 0) OR (r.last_paid_on > i.due_date AND r.last_paid_on >= ${since}::date))
       ORDER BY i.due_date, i.number`.execute(this.o.db);
    const [tables, profile, { reductions, waivers }, credits] = await Promise.all([
      this.o.law.tables(),
      this.o.profiles.get(customerId),
      loadReductions(this.o.db, invoices.map((i) => i.id), asOf),
      sql<{ kind: string; reference: string; date: string; amount: number; applied: number }>`
        SELECT c.kind, c.reference, c.date, c.amount, (c.amount - c.unapplied)::bigint AS applied FROM credits c
         WHERE c.customer_id = ${customerId} AND c.date <= ${asOf}::date AND c.date >= ${since}::date
         ORDER BY c.date, c.reference`.execute(this.o.db),
    ]);
    const contractBp = profile.contractPenaltyRatePercent === null ? null : Math.round(profile.contractPenaltyRatePercent * 100);
    const warnings = new Set<string>();
    const items: StatementInvoice[] = [];
    for (const i of invoices) {
      const open = Number(i.amount) - Number(i.paid);
      const settledOn = open <= 0 ? i.last_paid_on : null;
      const claim = claimFor({ id: i.id, amount: Number(i.amount), dueDate: i.due_date, currency: i.currency, settledOn }, asOf, tables, contractBp, reductions.get(i.id) ?? [], waivers.get(i.id));
      // A late-paid invoice whose claims were all waived has nothing left to show.
      if (open <= 0 && claim.penalty.total === 0 && claim.indemnity.amount === 0) continue;
      if (claim.penalty.missingRates) warnings.add("Some half-years have no rate in the late-payment table: the nearest known half-year's rates were used for them (periods marked rateAssumed). Enter the half-year's published rates in the late-payment rates.");
      if (claim.penalty.periods.some((p) => p.basis === 'contract_floored')) warnings.add(`The contract rate is below 3 × the legal interest rate in some half-years: the floor was applied there (article L441-10).`);
      items.push({
        number: i.number,
        issueDate: i.issue_date,
        dueDate: i.due_date,
        amount: Number(i.amount),
        paid: Number(i.paid),
        open: Math.max(0, open),
        settledOn,
        daysLate: Math.max(0, daysBetween(i.due_date, settledOn ?? asOf)),
        penalty: { ...claim.penalty, periods: claim.penalty.periods.map((p) => ({ ...p, ratePercent: p.rateBp / 100 })) },
        indemnity: claim.indemnity,
      });
    }
    const sum = (f: (i: StatementInvoice) => number) => items.reduce((s, i) => s + f(i), 0);
    const totals = { principal: sum((i) => i.open), penalties: sum((i) => i.penalty.total), indemnities: sum((i) => i.indemnity.amount), total: 0 };
    totals.total = totals.principal + totals.penalties + totals.indemnities;
    const usedRates = [...new Set(items.flatMap((i) => i.penalty.periods.map((p) => p.halfYear)))].sort();
    return {
      customer: { id: customer.id, name: customer.name, siren: customer.siren, externalId: customer.external_id, address: profile.letterAddress.lines },
      asOf,
      currency: customer.currency,
      rateBasis: contractBp === null ? { kind: 'legal_default', rule: `ECB main refinancing rate of the half-year + ${L441_10.marginBp / 100} points (L441-10)` } : { kind: 'contract', contractRatePercent: contractBp / 100, floor: `${L441_10.contractFloorMultiple} × the legal interest rate of the half-year (L441-10)` },
      invoices: items,
      credits: credits.rows.map((c) => ({ kind: c.kind, reference: c.reference, date: c.date, amount: Number(c.amount), applied: Number(c.applied) })),
      totals,
      rates: tables.rates.filter((r) => usedRates.includes(r.periodStart)).map((r) => ({ periodStart: r.periodStart, ecbRefiRatePercent: r.ecbRefiRateBp / 100, legalRateProfessionalPercent: r.legalRateProfessionalBp / 100, sources: r.sources })),
      warnings: [...warnings],
      language: profile.language,
    };
  }

  async pdf(customerId: string, asOf?: string): Promise<{ filename: string; content: Buffer }> {
    const s = await this.statement(customerId, asOf);
    const content = await renderStatement(await this.o.letterhead(), { ...s, customer: { name: s.customer.name, siren: s.customer.siren, address: s.customer.address } }, s.language);
    return { filename: `statement-${s.customer.externalId}-${s.asOf}.pdf`.replace(/[^A-Za-z0-9._-]/g, '_'), content };
  }

  /** Waives an invoice's penalties, indemnity or both, with a reason (audited); the computed figure stays visible. */
  async waive(invoiceNumber: string, input: z.output<typeof waiverBody>, actor: AuthContext) {
    const inv = await this.o.db.selectFrom('invoices').select(['id', 'customer_id']).where('number', '=', invoiceNumber).executeTakeFirst();
    if (!inv) throw new NotFound(`No invoice ${invoiceNumber}`, 'invoice_not_found');
    const values = { penalties: input.waive !== 'indemnity', indemnity: input.waive !== 'penalties', reason: input.reason, waived_at: new Date(), waived_by: actor.name };
    await this.o.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('penalty_waivers').selectAll().where('invoice_id', '=', inv.id).forUpdate().executeTakeFirst();
      await trx
        .insertInto('penalty_waivers')
        .values({ invoice_id: inv.id, ...values })
        .onConflict((oc) => oc.column('invoice_id').doUpdateSet(values))
        .execute();
      await this.o.audit.record(
        {
          actor,
          action: 'late_payment_claim.waived',
          entityType: 'invoice',
          entityId: invoiceNumber,
          customerId: inv.customer_id,
          oldValue: before ? { penalties: before.penalties, indemnity: before.indemnity, reason: before.reason } : null,
          newValue: { penalties: values.penalties, indemnity: values.indemnity },
          reason: input.reason,
        },
        trx,
      );
    });
    return { invoiceNumber, penaltiesWaived: values.penalties, indemnityWaived: values.indemnity, reason: input.reason, by: actor.name };
  }
}
