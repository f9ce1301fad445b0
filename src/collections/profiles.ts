import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { InvalidInput, NotFound } from '../errors.js';
import { LANGUAGES, type Language } from './templates.js';
import type { LatePaymentLaw } from './late-payment-law.js';
import { L441_10, ratesFor } from './penalties.js';

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
const email = z.email('must be an e-mail address').max(254);
const phone = z.string().trim().regex(/^\+?[0-9 ().-]{6,25}$/, 'must be a phone number (digits, spaces, + . - ( ))');

const person = z.strictObject({ name: text(200), email: email.optional(), phone: phone.optional() });
export const contactSchema = z.strictObject({
  name: text(200),
  email: email.optional(),
  phone: phone.optional(),
  role: z.enum(['billing', 'accounting', 'purchasing', 'management', 'other']).default('billing'),
});
export const postalAddressSchema = z.strictObject({
  lines: z.array(text(200)).min(1).max(4).describe('Street lines'),
  postalCode: text(20),
  city: text(100),
  country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 country code such as FR').default('FR'),
});

export const putProfileBody = z.strictObject({
  language: z.enum(LANGUAGES).default('fr'),
  contacts: z.array(contactSchema).max(20).default([]).describe('Billing contacts; reminders go to every contact with an e-mail'),
  postalAddress: postalAddressSchema.nullable().default(null).describe("Letters' address; null: the registered office from the registry"),
  owner: person.nullable().default(null).describe('The salesperson who owns the account (first internal escalation)'),
  escalationContact: person.nullable().default(null).describe('A manager (second escalation)'),
  collector: text(200).nullable().default(null).describe('Who works this account (worklist assignee)'),
  dunningPlanId: z.string().max(63).nullable().default(null).describe('A plan of its own; null: by grade or the default (collections policy)'),
  contractPenaltyRatePercent: z
    .number()
    .min(0)
    .max(100)
    .multipleOf(0.01, 'at most two decimals')
    .nullable()
    .default(null)
    .describe('A late-payment rate agreed in the contract; null: the legal default (ECB + 10 points). It may not be below 3 × the legal interest rate'),
});
export type PutProfileInput = z.output<typeof putProfileBody>;

export interface Person {
  name: string;
  email?: string | undefined;
  phone?: string | undefined;
}
export interface CollectionProfile {
  customerId: string;
  language: Language;
  contacts: Array<z.output<typeof contactSchema>>;
  postalAddress: z.output<typeof postalAddressSchema> | null;
  /** The address letters use: the one set here, else the registered office from the registry. */
  letterAddress: { lines: string[]; source: 'profile' | 'registry' | 'none' };
  owner: Person | null;
  escalationContact: Person | null;
  collector: string | null;
  dunningPlanId: string | null;
  contractPenaltyRatePercent: number | null;
  updatedAt: string | null;
  updatedBy: string | null;
}

interface ProfileRow {
  customer_id: string;
  language: Language | null;
  contacts: unknown;
  postal_address: unknown;
  owner: unknown;
  escalation_contact: unknown;
  collector: string | null;
  dunning_plan_id: string | null;
  contract_penalty_rate_bp: number | null;
  updated_at: Date | null;
  updated_by: string | null;
  head_office: string | null;
}

/** The registered office as the registry gave it (recherche-entreprises), for customers without a postal address. */
export const headOfficeSql = sql<string | null>`(SELECT sr.data->'headOffice'->>'address' FROM source_results sr WHERE sr.source = 'recherche-entreprises' AND sr.key = c.siren)`;

export function profileFromRow(r: ProfileRow): CollectionProfile {
  const postal = (r.postal_address as CollectionProfile['postalAddress']) ?? null;
  return {
    customerId: r.customer_id,
    language: r.language ?? 'fr',
    contacts: (r.contacts as CollectionProfile['contacts']) ?? [],
    postalAddress: postal,
    letterAddress: postal
      ? { lines: [...postal.lines, `${postal.postalCode} ${postal.city}`, ...(postal.country !== 'FR' ? [postal.country] : [])], source: 'profile' }
      : r.head_office
        ? { lines: [r.head_office], source: 'registry' }
        : { lines: [], source: 'none' },
    owner: (r.owner as Person | null) ?? null,
    escalationContact: (r.escalation_contact as Person | null) ?? null,
    collector: r.collector,
    dunningPlanId: r.dunning_plan_id,
    contractPenaltyRatePercent: r.contract_penalty_rate_bp === null ? null : r.contract_penalty_rate_bp / 100,
    updatedAt: r.updated_at ? new Date(r.updated_at).toISOString() : null,
    updatedBy: r.updated_by,
  };
}

/** Customers' collections profile: contacts, postal address, language, owner, escalation, plan, contract rate. */
export class ProfilesService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly audit: AuditService,
    private readonly law: LatePaymentLaw,
    private readonly planExists: (id: string) => Promise<boolean>,
    private readonly today: () => string,
  ) {}

  /** Profiles of these customers (every customer has one: the defaults when none was set). */
  async many(customerIds: readonly string[], trx: Kysely<DB> = this.db): Promise<Map<string, CollectionProfile>> {
    if (customerIds.length === 0) return new Map();
    const { rows } = await sql<ProfileRow>`
      SELECT c.id AS customer_id, p.language, p.contacts, p.postal_address, p.owner, p.escalation_contact, p.collector,
             p.dunning_plan_id, p.contract_penalty_rate_bp, p.updated_at, p.updated_by, ${headOfficeSql} AS head_office
        FROM customers c LEFT JOIN collection_profiles p ON p.customer_id = c.id
       WHERE c.id = ANY (${[...customerIds]}::uuid[])`.execute(trx);
    return new Map(rows.map((r) => [r.customer_id, profileFromRow(r)]));
  }

  async get(customerId: string): Promise<CollectionProfile> {
    const p = (await this.many([customerId])).get(customerId);
    if (!p) throw new NotFound(`No customer ${customerId}`, 'customer_not_found');
    return p;
  }

  async put(customerId: string, input: PutProfileInput, actor: AuthContext): Promise<CollectionProfile> {
    const before = await this.get(customerId);
    if (input.dunningPlanId !== null && !(await this.planExists(input.dunningPlanId))) {
      throw InvalidInput.field('body.dunningPlanId', `no dunning plan "${input.dunningPlanId}"`, 'plan_not_found');
    }
    let rateBp: number | null = null;
    if (input.contractPenaltyRatePercent !== null) {
      rateBp = Math.round(input.contractPenaltyRatePercent * 100);
      // L441-10: a contract rate below three times the legal interest rate is refused (and floored in any later half-year where it falls below).
      const found = ratesFor((await this.law.tables()).rates, this.today());
      if (found) {
        const floor = found.rates.legalRateProfessionalBp * L441_10.contractFloorMultiple;
        if (rateBp < floor) {
          throw InvalidInput.field(
            'body.contractPenaltyRatePercent',
            `${input.contractPenaltyRatePercent} % is below the legal floor of ${floor / 100} % (3 × the legal interest rate ${found.rates.legalRateProfessionalBp / 100} % for the half-year from ${found.rates.periodStart}, article L441-10)`,
            'rate_below_legal_floor',
          );
        }
      }
    }
    const values = {
      language: input.language,
      contacts: JSON.stringify(input.contacts),
      postal_address: input.postalAddress ? JSON.stringify(input.postalAddress) : null,
      owner: input.owner ? JSON.stringify(input.owner) : null,
      escalation_contact: input.escalationContact ? JSON.stringify(input.escalationContact) : null,
      collector: input.collector,
      dunning_plan_id: input.dunningPlanId,
      contract_penalty_rate_bp: rateBp,
      updated_at: new Date(),
      updated_by: actor.name,
    };
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('collection_profiles')
        .values({ customer_id: customerId, ...values })
        .onConflict((oc) => oc.column('customer_id').doUpdateSet(values))
        .execute();
      const { letterAddress: _a, updatedAt: _u, updatedBy: _b, ...old } = before;
      await this.audit.record({ actor, action: 'collection_profile.set', entityType: 'customer', entityId: customerId, customerId, oldValue: old, newValue: input }, trx);
    });
    return this.get(customerId);
  }
}
