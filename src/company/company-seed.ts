import { parseDecimalToMinor } from '../ledger/csv.js';
import { companyIdentitySchema, type CompanyIdentityFields } from './company-identity.js';

type CompanyEnv = Partial<Record<`COMPANY_${string}`, string | undefined>>;

/** The variable each field comes from, to name it in a refusal. */
const SOURCE: Record<string, string> = {
  legalName: 'COMPANY_NAME', legalForm: 'COMPANY_LEGAL_FORM', shareCapital: 'COMPANY_SHARE_CAPITAL', siren: 'COMPANY_SIREN',
  rcsCity: 'COMPANY_RCS_CITY', vatNumber: 'COMPANY_VAT_NUMBER', registeredOffice: 'COMPANY_ADDRESS, COMPANY_POSTCODE, COMPANY_CITY',
  phone: 'COMPANY_PHONE', email: 'COMPANY_EMAIL', iban: 'COMPANY_IBAN', bic: 'COMPANY_BIC', signatory: 'COMPANY_SIGNATORY_NAME, COMPANY_SIGNATORY_TITLE',
};

/**
 * The company identity the environment seeds (version 1 of the settings, written once when none is
 * stored), checked by the same rules as the API; the problems name the variables.
 */
export function companySeedFrom(env: CompanyEnv): { seed: CompanyIdentityFields } | { problems: string[] } {
  const problems: string[] = [];
  let shareCapital: { amount: number; currency: string } | null = null;
  if (env.COMPANY_SHARE_CAPITAL) {
    const amount = parseDecimalToMinor(env.COMPANY_SHARE_CAPITAL, 2);
    if (typeof amount === 'string' || amount < 0) problems.push(`COMPANY_SHARE_CAPITAL: an amount in euros, e.g. 10000.00 (${typeof amount === 'string' ? amount : 'is negative'})`);
    else shareCapital = { amount, currency: 'EUR' };
  }
  const office = env.COMPANY_ADDRESS || env.COMPANY_POSTCODE || env.COMPANY_CITY
    ? { lines: (env.COMPANY_ADDRESS ?? '').split('|').map((l) => l.trim()).filter(Boolean), postcode: env.COMPANY_POSTCODE ?? '', city: env.COMPANY_CITY ?? '' }
    : null;
  const signatory = env.COMPANY_SIGNATORY_NAME || env.COMPANY_SIGNATORY_TITLE ? { name: env.COMPANY_SIGNATORY_NAME ?? '', title: env.COMPANY_SIGNATORY_TITLE ?? '' } : null;
  const parsed = companyIdentitySchema.safeParse({
    legalName: env.COMPANY_NAME ?? null,
    legalForm: env.COMPANY_LEGAL_FORM ?? null,
    shareCapital,
    siren: env.COMPANY_SIREN ?? null,
    rcsCity: env.COMPANY_RCS_CITY ?? null,
    vatNumber: env.COMPANY_VAT_NUMBER ?? null,
    registeredOffice: office,
    phone: env.COMPANY_PHONE ?? null,
    email: env.COMPANY_EMAIL ?? null,
    iban: env.COMPANY_IBAN ?? null,
    bic: env.COMPANY_BIC ?? null,
    signatory,
  });
  if (!parsed.success) for (const i of parsed.error.issues) problems.push(`${SOURCE[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`);
  return problems.length ? { problems } : { seed: parsed.success ? parsed.data : (undefined as never) };
}
