import { InvalidInput } from '../errors.js';
import { spoolBody } from '../http/body.js';
import { defineRoute, type RouteDef } from '../http/route.js';
import { formatPath } from '../http/validate.js';
import type { CreditInput, DocRef, InvoiceInput, LedgerService } from './ledger-service.js';
import { importChunks, IMPORT_COLUMNS } from './ledger-import.js';
import { creditNoteItem, ingestResultSchema, invoiceItem, oneOrMany, paymentItem, MAX_BATCH } from './ledger-schemas.js';

const LEDGER_ROLES = ['credit_manager'] as const;

const segments = (name: string) => name.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));

function refs<T>(body: T | T[]): Array<{ item: T; ref: DocRef }> {
  return Array.isArray(body)
    ? body.map((item, i) => ({ item, ref: { field: (name: string) => formatPath('body', [i, ...segments(name)]) } }))
    : [{ item: body, ref: { field: (name: string) => formatPath('body', segments(name)) } }];
}

/** Payments and credit notes both settle invoices: the service takes them in one shape. */
function creditInput(
  kind: CreditInput['kind'],
  reference: string,
  item: { customerId?: string | undefined; customerExternalId?: string | undefined; date: string; amount: number; currency: string },
  ref: DocRef,
  allocations: CreditInput['allocations'],
): CreditInput {
  const { customerId, customerExternalId, date, amount, currency } = item;
  return { ref, kind, reference, customerId, customerExternalId, date, amount, currency, allocations };
}

export function ledgerRoutes(service: LedgerService, options: { importMaxBytes: number }): RouteDef[] {
  const batchNote = `One document, or an array of up to ${MAX_BATCH.toLocaleString('en')}: all are written or none. Re-sending a document number updates it, never duplicates it.`;
  return [
    defineRoute({
      method: 'post',
      path: '/v1/invoices',
      tag: 'Ledger',
      summary: 'Record invoices (one or a batch)',
      description: `${batchNote} An invoice carrying an orderId consumes that order's hold.`,
      roles: LEDGER_ROLES,
      bulk: true,
      body: oneOrMany(invoiceItem),
      responses: { 200: { description: 'What was written', schema: ingestResultSchema } },
      handler: ({ body }) => {
        const docs: InvoiceInput[] = refs(body).map(({ item, ref }) => ({ ...item, ref }));
        return service.ingest(docs, []);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/payments',
      tag: 'Ledger',
      summary: 'Record payments (one or a batch), allocated to invoices or applied oldest-first',
      description: `${batchNote} What a payment does not allocate is applied to the customer's oldest open invoices; an allocation larger than what is open is refused.`,
      roles: LEDGER_ROLES,
      bulk: true,
      body: oneOrMany(paymentItem),
      responses: { 200: { description: 'What was written', schema: ingestResultSchema } },
      handler: ({ body }) => {
        const docs = refs(body).map(({ item, ref }) =>
          creditInput('payment', item.reference, item, ref, (item.allocations ?? []).map((a, j) => ({ ...a, field: `allocations.${j}.amount` }))),
        );
        return service.ingest([], docs);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/credit-notes',
      tag: 'Ledger',
      summary: 'Record credit notes (one or a batch)',
      description: `${batchNote} A credit note against an invoice reduces what is open on it; without an invoice it is applied oldest-first.`,
      roles: LEDGER_ROLES,
      bulk: true,
      body: oneOrMany(creditNoteItem),
      responses: { 200: { description: 'What was written', schema: ingestResultSchema } },
      handler: ({ body }) => {
        const docs = refs(body).map(({ item, ref }) =>
          creditInput('credit_note', item.number, item, ref, item.invoiceNumber ? [{ invoiceNumber: item.invoiceNumber, amount: item.amount, field: 'invoiceNumber' }] : []),
        );
        return service.ingest([], docs);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/imports/ledger',
      tag: 'Ledger',
      summary: 'Import a ledger CSV (invoices, credit notes, payments), all or nothing',
      description:
        `Columns (header line, any order): ${IMPORT_COLUMNS.join(', ')}. Separator ";" or "," (detected from the header). ` +
        'type is invoice (default), credit_note or payment; number is the document number (the payment reference for payments); ' +
        'amount is in currency units with "." or "," as decimal mark (e.g. 1234,56); dates are YYYY-MM-DD or DD/MM/YYYY; ' +
        'invoices need issue_date and due_date, payments and credit notes date (or issue_date); applies_to names the invoice a payment or credit note settles. ' +
        'A bad line rejects the whole import with its line number.',
      roles: LEDGER_ROLES,
      rawBody: { contentTypes: ['text/csv'], description: 'The CSV, streamed' },
      responses: { 200: { description: 'What was written', schema: ingestResultSchema } },
      handler: async ({ req }) => {
        if (!req.is(['text/csv', 'application/csv', 'text/plain'])) {
          throw new InvalidInput('body: send the CSV with "Content-Type: text/csv"', [{ field: 'body', message: 'expected text/csv' }], 'unsupported_media_type');
        }
        const upload = await spoolBody(req, options.importMaxBytes, 'IMPORT_MAX_BYTES');
        try {
          return await service.ingestChunks(importChunks(upload.open()));
        } finally {
          upload.remove();
        }
      },
    }),
  ];
}
