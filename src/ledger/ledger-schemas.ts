import { z } from 'zod';
import { currencySchema, isoDateSchema, uuidSchema } from '../identifiers.js';
import { MAX_MINOR_UNITS, MAX_MINOR_UNITS_MESSAGE } from '../identifiers.js';

export const MAX_BATCH = 10_000;

const documentNumber = z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters');
const positiveMinor = z
  .number({ error: 'must be an integer number of minor units (cents)' })
  .int('must be an integer number of minor units (cents), not a decimal')
  .positive('must be more than 0')
  .max(MAX_MINOR_UNITS, MAX_MINOR_UNITS_MESSAGE);

const customerRef = {
  customerId: uuidSchema.optional().describe('Vigie customer id (or give customerExternalId)'),
  customerExternalId: z.string().trim().min(1).max(100).optional().describe("The ERP's customer code (or give customerId)"),
};

function oneCustomerRef(v: { customerId?: string | undefined; customerExternalId?: string | undefined }, ctx: z.RefinementCtx) {
  if (!v.customerId === !v.customerExternalId) {
    ctx.addIssue({ code: 'custom', path: ['customerId'], message: 'give exactly one of customerId or customerExternalId' });
  }
}

export const invoiceItem = z
  .strictObject({
    number: documentNumber.describe("The ERP's invoice number: re-sending it updates the invoice"),
    ...customerRef,
    issueDate: isoDateSchema,
    dueDate: isoDateSchema,
    amount: positiveMinor.describe('Amount including tax, in minor units'),
    currency: currencySchema,
    orderId: z.string().trim().min(1).max(200).optional().describe('The order this invoice bills: its hold is consumed'),
  })
  .superRefine((v, ctx) => {
    oneCustomerRef(v, ctx);
    if (v.dueDate < v.issueDate) ctx.addIssue({ code: 'custom', path: ['dueDate'], message: `is before the issue date ${v.issueDate}` });
  });
export type InvoiceItem = z.output<typeof invoiceItem>;

export const paymentItem = z
  .strictObject({
    reference: documentNumber.describe("The ERP's payment reference: re-sending it updates the payment"),
    ...customerRef,
    date: isoDateSchema,
    amount: positiveMinor,
    currency: currencySchema,
    allocations: z
      .array(
        z.strictObject({
          invoiceNumber: documentNumber,
          amount: positiveMinor,
        }),
      )
      .max(1000)
      .optional()
      .describe('Invoices this payment settles; what is left is applied to the oldest open invoices'),
  })
  .superRefine((v, ctx) => {
    oneCustomerRef(v, ctx);
    const allocated = (v.allocations ?? []).reduce((s, a) => s + a.amount, 0);
    if (allocated > v.amount) {
      ctx.addIssue({ code: 'custom', path: ['allocations'], message: `allocate ${allocated}, more than the payment's ${v.amount}` });
    }
  });
export type PaymentItem = z.output<typeof paymentItem>;

export const creditNoteItem = z
  .strictObject({
    number: documentNumber.describe("The ERP's credit note number: re-sending it updates the credit note"),
    ...customerRef,
    date: isoDateSchema,
    amount: positiveMinor,
    currency: currencySchema,
    invoiceNumber: documentNumber.optional().describe('The invoice it reduces; without it, it is applied to the oldest open invoices'),
  })
  .superRefine(oneCustomerRef);
export type CreditNoteItem = z.output<typeof creditNoteItem>;

/** One document, or a batch of up to 10,000 in one all-or-nothing call. */
export const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item).min(1, 'send at least one item').max(MAX_BATCH, `at most ${MAX_BATCH} items per call`)]);

const counts = z.object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int() });
export const ingestResultSchema = z.object({
  invoices: counts,
  payments: counts,
  creditNotes: counts,
  holdsConsumed: z.number().int(),
  autoAllocated: z.number().int(),
});
