import { z } from 'zod';
import { currencySchema, sirenSchema, siretSchema, uuidSchema } from '../identifiers.js';

// L441-10 Code de commerce: agreed payment terms may not exceed 60 days from the invoice date,
// or 45 days end of month.
export const LEGAL_MAX_TERMS = { invoice_date: 60, end_of_month: 45 } as const;

export const paymentTermsSchema = z
  .strictObject({
    days: z.number().int('must be a whole number of days').min(0, 'must be 0 or more'),
    basis: z
      .enum(['invoice_date', 'end_of_month'], { error: 'must be "invoice_date" or "end_of_month"' })
      .default('invoice_date'),
  })
  .superRefine((terms, ctx) => {
    const max = LEGAL_MAX_TERMS[terms.basis];
    if (terms.days > max) {
      ctx.addIssue({
        code: 'custom',
        path: ['days'],
        message:
          `${terms.days} days exceeds the legal maximum of ${max} days ${terms.basis === 'end_of_month' ? 'end of month' : 'from the invoice date'} ` +
          '(article L441-10 of the Code de commerce: 60 days from the invoice date, or 45 days end of month)',
      });
    }
  });

const externalId = z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters');
const name = z.string().trim().min(1, 'must not be empty').max(300, 'at most 300 characters');

export const createCustomerBody = z
  .strictObject({
    externalId: externalId.describe("The ERP's customer code, unique in this installation"),
    siren: sirenSchema.optional(),
    siret: siretSchema.optional().describe('A SIRET; the SIREN is derived from it'),
    name,
    currency: currencySchema.default('EUR'),
    paymentTerms: paymentTermsSchema.default({ days: 30, basis: 'invoice_date' }),
  })
  .superRefine((c, ctx) => {
    if (!c.siren && !c.siret) {
      ctx.addIssue({ code: 'custom', path: ['siren'], message: 'a SIREN or a SIRET is required' });
    }
    if (c.siren && c.siret && !c.siret.startsWith(c.siren)) {
      ctx.addIssue({ code: 'custom', path: ['siret'], message: `the SIRET does not belong to SIREN ${c.siren}` });
    }
  });
export type CreateCustomerInput = z.output<typeof createCustomerBody>;

export const updateCustomerBody = z
  .strictObject({
    externalId: externalId.optional(),
    siren: sirenSchema.optional(),
    siret: siretSchema.nullable().optional(),
    name: name.optional(),
    currency: currencySchema.optional(),
    paymentTerms: paymentTermsSchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'send at least one field to change' });
export type UpdateCustomerInput = z.output<typeof updateCustomerBody>;

export const customerIdParams = z.strictObject({ id: uuidSchema });

export const listCustomersQuery = z.strictObject({
  q: z.string().trim().min(1).max(200).optional().describe('Part of the name, case-insensitive'),
  siren: sirenSchema.optional(),
  externalId: z.string().optional(),
  currency: currencySchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional().describe('The nextCursor of the previous page'),
});
export type ListCustomersQuery = z.output<typeof listCustomersQuery>;

export const customerSchema = z.object({
  id: z.uuid(),
  externalId: z.string(),
  siren: z.string().nullable().describe('Null for a customer created from an accounting file without one (see the FEC import): it cannot be assessed until set'),
  siret: z.string().nullable(),
  name: z.string(),
  currency: z.string(),
  paymentTerms: z.object({ days: z.number().int(), basis: z.enum(['invoice_date', 'end_of_month']) }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CustomerView = z.infer<typeof customerSchema>;

export const customerPageSchema = z.object({ items: z.array(customerSchema), nextCursor: z.string().nullable() });
