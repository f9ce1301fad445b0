import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { isoDay as day } from '../clock.js';
import { currencySchema, isoDateSchema } from '../identifiers.js';
import { cachedValue } from '../policy/cached-value.js';
import { L441_10, type HalfYearRates, type Indemnity } from './penalties.js';

interface Shipped {
  rates: Array<{ periodStart: string; ecbRefiRatePercent: string; legalRateProfessionalPercent: string; sources: string }>;
  indemnities: Indemnity[];
}
const shipped = (): Shipped => JSON.parse(readFileSync(new URL('./data/late-payment-law.json', import.meta.url), 'utf8')) as Shipped;
const bp = (percent: string | number) => Math.round(Number(percent) * 100);

/** The half-year rates shipped with Vigie, as the service reads them from its table. */
export function shippedRates(): HalfYearRates[] {
  return shipped().rates.map((r) => ({ periodStart: r.periodStart, ecbRefiRateBp: bp(r.ecbRefiRatePercent), legalRateProfessionalBp: bp(r.legalRateProfessionalPercent), sources: r.sources }));
}

const percent = z.number().min(-10).max(50).multipleOf(0.01, 'at most two decimals');
export const putRateBody = z.strictObject({
  ecbRefiRatePercent: percent.describe('ECB main refinancing rate in force on the first day of the half-year, in percent'),
  legalRateProfessionalPercent: percent.min(0).describe('Legal interest rate for professional creditors for the half-year, in percent'),
  sources: z.string().trim().min(1, 'name the source of the figures').max(1000),
});
export const periodStartParams = z.strictObject({
  periodStart: isoDateSchema.refine((d) => /-(01|07)-01$/.test(d), 'a half-year starts on 1 January or 1 July (YYYY-01-01 or YYYY-07-01)'),
});
export const putIndemnityBody = z.strictObject({
  amount: z.number().int().min(0).describe('Minor units'),
  source: z.string().trim().min(1).max(1000),
});
export const indemnityParams = z.strictObject({ validFrom: isoDateSchema, currency: currencySchema });

export interface RateView {
  periodStart: string;
  ecbRefiRatePercent: number;
  legalRateProfessionalPercent: number;
  defaultPenaltyRatePercent: number;
  contractRateFloorPercent: number;
  sources: string;
  updatedAt: string;
  updatedBy: string;
}

/**
 * The late-payment law as data: penalty rates by half-year (L441-10) and the recovery indemnity
 * (D441-5), with their sources. Rows shipped with Vigie are added at start when absent; an admin
 * adds or corrects a row (audited).
 */
export class LatePaymentLaw {
  private readonly cache = cachedValue(5_000, () => this.load());

  constructor(
    private readonly db: Kysely<DB>,
    private readonly audit: AuditService,
  ) {}

  async ensureShipped(): Promise<void> {
    const data = shipped();
    if (data.rates.length) {
      await this.db
        .insertInto('late_payment_rates')
        .values(data.rates.map((r) => ({ period_start: r.periodStart, ecb_refi_rate_bp: bp(r.ecbRefiRatePercent), legal_rate_professional_bp: bp(r.legalRateProfessionalPercent), sources: r.sources, updated_by: 'Vigie (shipped data)' })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    if (data.indemnities.length) {
      await this.db
        .insertInto('recovery_indemnities')
        .values(data.indemnities.map((i) => ({ valid_from: i.validFrom, currency: i.currency, amount: i.amount, source: i.source, updated_by: 'Vigie (shipped data)' })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }

  tables(): Promise<{ rates: HalfYearRates[]; indemnities: Indemnity[] }> {
    return this.cache.get();
  }

  private async load() {
    const [rates, indemnities] = await Promise.all([
      this.db.selectFrom('late_payment_rates').selectAll().orderBy('period_start').execute(),
      this.db.selectFrom('recovery_indemnities').selectAll().orderBy('valid_from').execute(),
    ]);
    return {
      rates: rates.map((r) => ({ periodStart: day(r.period_start), ecbRefiRateBp: r.ecb_refi_rate_bp, legalRateProfessionalBp: r.legal_rate_professional_bp, sources: r.sources })),
      indemnities: indemnities.map((i) => ({ validFrom: day(i.valid_from), currency: i.currency, amount: Number(i.amount), source: i.source })),
    };
  }

  async rateViews(): Promise<RateView[]> {
    const rows = await this.db.selectFrom('late_payment_rates').selectAll().orderBy('period_start', 'desc').execute();
    return rows.map(rateView);
  }

  async indemnityViews() {
    const rows = await this.db.selectFrom('recovery_indemnities').selectAll().orderBy('valid_from', 'desc').execute();
    return rows.map((r) => ({ validFrom: day(r.valid_from), currency: r.currency, amount: Number(r.amount), source: r.source, updatedAt: new Date(r.updated_at).toISOString(), updatedBy: r.updated_by }));
  }

  async putRate(periodStart: string, input: z.output<typeof putRateBody>, actor: AuthContext): Promise<RateView> {
    const row = await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('late_payment_rates').selectAll().where('period_start', '=', periodStart).forUpdate().executeTakeFirst();
      const values = { ecb_refi_rate_bp: bp(input.ecbRefiRatePercent), legal_rate_professional_bp: bp(input.legalRateProfessionalPercent), sources: input.sources, updated_at: new Date(), updated_by: actor.name };
      const after = await trx
        .insertInto('late_payment_rates')
        .values({ period_start: periodStart, ...values })
        .onConflict((oc) => oc.column('period_start').doUpdateSet(values))
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.audit.record({ actor, action: 'late_payment_rate.set', entityType: 'late_payment_rate', entityId: periodStart, oldValue: before ? rateView(before) : null, newValue: rateView(after), reason: input.sources }, trx);
      return after;
    });
    this.cache.invalidate();
    return rateView(row);
  }

  async putIndemnity(validFrom: string, currency: string, input: z.output<typeof putIndemnityBody>, actor: AuthContext) {
    await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('recovery_indemnities').selectAll().where('valid_from', '=', validFrom).where('currency', '=', currency).forUpdate().executeTakeFirst();
      const values = { amount: input.amount, source: input.source, updated_at: new Date(), updated_by: actor.name };
      await trx
        .insertInto('recovery_indemnities')
        .values({ valid_from: validFrom, currency, ...values })
        .onConflict((oc) => oc.columns(['valid_from', 'currency']).doUpdateSet(values))
        .execute();
      await this.audit.record({ actor, action: 'recovery_indemnity.set', entityType: 'recovery_indemnity', entityId: `${validFrom}:${currency}`, oldValue: before ? { amount: Number(before.amount), source: before.source } : null, newValue: { amount: input.amount, source: input.source }, reason: input.source }, trx);
    });
    this.cache.invalidate();
    return (await this.indemnityViews()).find((i) => i.validFrom === validFrom && i.currency === currency)!;
  }
}


function rateView(r: { period_start: string | Date; ecb_refi_rate_bp: number; legal_rate_professional_bp: number; sources: string; updated_at: Date | string; updated_by: string }): RateView {
  return {
    periodStart: day(r.period_start),
    ecbRefiRatePercent: r.ecb_refi_rate_bp / 100,
    legalRateProfessionalPercent: r.legal_rate_professional_bp / 100,
    defaultPenaltyRatePercent: (r.ecb_refi_rate_bp + L441_10.marginBp) / 100,
    contractRateFloorPercent: (r.legal_rate_professional_bp * L441_10.contractFloorMultiple) / 100,
    sources: r.sources,
    updatedAt: new Date(r.updated_at).toISOString(),
    updatedBy: r.updated_by,
  };
}
