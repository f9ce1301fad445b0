import { z } from 'zod';

/** Luhn checksum over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

// La Poste's SIREN predates the Luhn rule; its SIRETs are checked by digit sum modulo 5 (INSEE).
const LA_POSTE_SIREN = '356000000';

export function isValidSiren(s: string): boolean {
  return /^\d{9}$/.test(s) && (luhnValid(s) || s === LA_POSTE_SIREN);
}

export function isValidSiret(s: string): boolean {
  if (!/^\d{14}$/.test(s)) return false;
  if (s.startsWith(LA_POSTE_SIREN)) {
    return [...s].reduce((acc, c) => acc + Number(c), 0) % 5 === 0;
  }
  return luhnValid(s);
}

const stripSpaces = (v: unknown) => (typeof v === 'string' ? v.replace(/[\s.]/g, '') : v);

export const sirenSchema = z.preprocess(
  stripSpaces,
  z
    .string()
    .regex(/^\d{9}$/, 'a SIREN is 9 digits')
    .refine(isValidSiren, 'not a valid SIREN (the Luhn check digit does not match)'),
);

export const siretSchema = z.preprocess(
  stripSpaces,
  z
    .string()
    .regex(/^\d{14}$/, 'a SIRET is 14 digits')
    .refine(isValidSiret, 'not a valid SIRET (the Luhn check digit does not match)'),
);

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'a currency is an ISO 4217 code in capitals, e.g. EUR')
  .refine((c) => CURRENCIES.has(c), 'not an ISO 4217 currency code');

/**
 * The largest amount Vigie takes anywhere money enters (an invoice, a limit, an order, a policy):
 * 10^13 minor units, i.e. 100 billion euros. Far above any real receivable, far below the 2^53
 * where integer arithmetic on a JavaScript number stops being exact — so sums of many amounts stay exact.
 */
export const MAX_MINOR_UNITS = 10_000_000_000_000;
export const MAX_MINOR_UNITS_MESSAGE = 'must be at most 10000000000000 minor units (100 billion in the currency)';

/** An amount of money in integer minor units (cents for EUR). */
export const minorUnitsSchema = z
  .number({ error: 'must be an integer number of minor units (cents)' })
  .int('must be an integer number of minor units (cents), not a decimal')
  .max(MAX_MINOR_UNITS, MAX_MINOR_UNITS_MESSAGE);

export const isoDateSchema = z.iso.date('must be a date in the form YYYY-MM-DD');
export const uuidSchema = z.uuid('must be a UUID');

export const isCurrency = (c: string) => CURRENCIES.has(c);
export const isValidUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

const minorDigits = new Map<string, number>();
/** Digits after the decimal point for a currency (EUR 2, JPY 0), from ICU. */
export function currencyMinorDigits(currency: string): number {
  let d = minorDigits.get(currency);
  if (d === undefined) {
    d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    minorDigits.set(currency, d);
  }
  return d;
}

