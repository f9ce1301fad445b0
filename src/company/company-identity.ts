import { z } from 'zod';
import { currencySchema, minorUnitsSchema, sirenSchema } from '../identifiers.js';

/**
 * The creditor's identity: what every debtor-facing document carries (letterhead, the mentions of
 * commercial correspondence — Code de commerce R123-237 and R123-238: legal form, share capital,
 * RCS and its city, SIREN — and the payment details). Kept as data, versioned (see CompanyService).
 */

/** ISO 13616 IBAN: two letters, two check digits, then the country's account number; mod 97 = 1. */
export function ibanValid(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== undefined && IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const v = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest === 1;
}

/** Lengths of the IBANs of the SEPA countries a French SME's customers and banks use most (ECBS/SWIFT IBAN registry). */
const IBAN_LENGTHS: Record<string, number> = {
  FR: 27, MC: 27, DE: 22, BE: 16, LU: 20, NL: 18, ES: 24, IT: 27, PT: 25, CH: 21, GB: 22, IE: 22, AT: 20, PL: 28,
};

/** The French intra-community VAT number's key: (12 + 3 × (SIREN mod 97)) mod 97 (CGI annexe IV, art. 242 nonies A; DGFiP). */
export function frenchVatKey(siren: string): string {
  return String((12 + 3 * (Number(siren) % 97)) % 97).padStart(2, '0');
}

const compact = (v: unknown) => (typeof v === 'string' ? v.replace(/[\s.-]/g, '').toUpperCase() : v);
const optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional().transform((v) => v ?? null);
const text = (max: number) => z.string().trim().min(1, 'must not be empty (send null to clear it)').max(max);

export const ibanSchema = z.preprocess(
  compact,
  z.string().refine(ibanValid, 'not a valid IBAN (country, check digits and length; the mod-97 check must give 1)'),
);
export const bicSchema = z.preprocess(compact, z.string().regex(/^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/, 'a BIC is 8 or 11 letters and digits (bank, country, place, branch)'));
const vatSchema = z.preprocess(compact, z.string().regex(/^[A-Z]{2}[A-Z0-9]{2,13}$/, 'a VAT number starts with the country code, e.g. FR40123456789'));

export const registeredOfficeSchema = z
  .strictObject({
    lines: z.array(text(120)).min(1, 'at least one address line').max(3),
    postcode: z.string().trim().regex(/^[A-Z0-9 -]{3,10}$/i, 'a postcode, e.g. 69003'),
    city: text(80),
    country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 country code, e.g. FR').default('FR'),
  })
  .refine((o) => o.country !== 'FR' || /^\d{5}$/.test(o.postcode), { message: 'a French postcode is 5 digits', path: ['postcode'] });

/** The fields, unchecked against each other (see withIdentityChecks). */
export const companyIdentityShape = z.strictObject({
    legalName: optional(text(200)).describe('Dénomination sociale, as registered'),
    legalForm: optional(text(80)).describe('Legal form as written on documents, e.g. "SAS", "SARL"'),
    shareCapital: optional(z.strictObject({ amount: minorUnitsSchema, currency: currencySchema })).describe('Capital social in minor units'),
    siren: optional(sirenSchema),
    rcsCity: optional(text(80)).describe("The city of the RCS registry (greffe), e.g. \"Lyon\""),
    vatNumber: optional(vatSchema).describe('Intra-community VAT number; a French one must carry the key of the SIREN'),
    registeredOffice: optional(registeredOfficeSchema),
    phone: optional(z.string().trim().regex(/^\+?[0-9 ().-]{6,40}$/, 'a phone number, e.g. +33 4 72 00 00 00')),
    email: optional(z.email('an e-mail address').max(200)),
    iban: optional(ibanSchema),
    bic: optional(bicSchema),
    signatory: optional(z.strictObject({ name: text(120), title: text(120) })).describe('Who signs letters and formal notices'),
});

/** The checks across fields: a French VAT number carries the SIREN and its key. */
export function withIdentityChecks<T extends z.ZodType<{ siren: string | null; vatNumber: string | null }>>(schema: T) {
  return schema.superRefine((c, ctx) => {
    if (c.vatNumber?.startsWith('FR') && c.siren && c.vatNumber !== `FR${frenchVatKey(c.siren)}${c.siren}`) {
      ctx.addIssue({ code: 'custom', path: ['vatNumber'], message: `does not match the SIREN: a French VAT number is FR${frenchVatKey(c.siren)}${c.siren}` });
    }
  });
}

export const companyIdentitySchema = withIdentityChecks(companyIdentityShape);
export type CompanyIdentityInput = z.input<typeof companyIdentitySchema>;
export type CompanyIdentityFields = z.output<typeof companyIdentitySchema>;

export interface StoredFile {
  sha256: string;
  contentType: 'image/png' | 'image/jpeg' | 'application/pdf';
  bytes: number;
}

/** One stored version: the fields, and the files it names. */
export interface CompanyIdentity extends CompanyIdentityFields {
  logo: StoredFile | null;
  termsOfSale: StoredFile | null;
}

export const EMPTY_IDENTITY: CompanyIdentity = {
  legalName: null, legalForm: null, shareCapital: null, siren: null, rcsCity: null, vatNumber: null, registeredOffice: null,
  phone: null, email: null, iban: null, bic: null, signatory: null, logo: null, termsOfSale: null,
};

/** Until these are set, no letter or e-mail leaves for a debtor (they are what a debtor needs to know who claims and where to pay). */
export const REQUIRED_FOR_DEBTORS = ['legalName', 'registeredOffice', 'siren', 'iban'] as const;

export function missingForDebtors(c: CompanyIdentity): Array<(typeof REQUIRED_FOR_DEBTORS)[number]> {
  return REQUIRED_FOR_DEBTORS.filter((k) => c[k] === null);
}

