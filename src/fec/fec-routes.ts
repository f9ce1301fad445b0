import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/route.js';
import { InvalidInput } from '../errors.js';
import { isoDateSchema, uuidSchema } from '../identifiers.js';
import { spoolBody } from '../http/body.js';
import { detectFecEncoding } from './fec-parser.js';
import type { FecImportService } from './fec-import.js';

const CONTENT_TYPES = ['text/plain', 'text/tab-separated-values', 'text/csv', 'application/octet-stream'];

export function fecRoutes(service: FecImportService, options: { importMaxBytes: number }): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/imports/fec',
      tag: 'Ledger',
      summary: 'Import a Fichier des Écritures Comptables (FEC): customer lines become invoices, payments and credit notes, lettering settles them; all or nothing, reconciled',
      description:
        'The 18 fields of article A47 A-1 (Debit/Credit, or Montant + Sens), tab or "|" separated, ISO 8859-15 or UTF-8 (detected), decimal commas, dates YYYYMMDD. ' +
        'Accounts 411…: the customer is CompAuxNum (else CompteNum), matched to a customer\'s externalId or a mapping. Lettering with DateLet up to asOf (default today) settles. ' +
        'Due dates come from the customer\'s terms and are flagged estimated. A bad line rejects the whole file with its line number; unknown accounts are listed and nothing is written, unless createCustomers=true creates them. ' +
        'EcritureNum 0, blank or repeated: entries are told apart by journal, date and piece; a placeholder PieceRef ("-", "0"…) takes the entry number as the invoice number.',
      roles: ['credit_manager'],
      query: z.strictObject({
        asOf: isoDateSchema.optional().describe('Lettering dated after this stays open (default: today)'),
        createCustomers: z
          .enum(['true', 'false'])
          .optional()
          .describe('true: a customer account (411…) that matches no customer creates one (externalId = CompAuxNum, else CompteNum; name = CompAuxLib), listed in createdCustomers; without a SIREN until one is set'),
      }),
      rawBody: { contentTypes: CONTENT_TYPES, description: 'The FEC file, streamed' },
      responses: { 200: { description: 'What was read, written and the reconciliation per customer', schema: z.looseObject({}) }, 400: { description: 'A bad line (numbered), unknown accounts (listed)' } },
      handler: async ({ req, query, auth }) => {
        if (!req.is(CONTENT_TYPES)) {
          throw new InvalidInput('body: send the FEC with "Content-Type: text/plain"', [{ field: 'body', message: `expected ${CONTENT_TYPES.join(', ')}` }], 'unsupported_media_type');
        }
        const upload = await spoolBody(req, options.importMaxBytes, 'IMPORT_MAX_BYTES');
        try {
          // The file is on disk: its encoding is judged on all of it, then it is read again to import.
          const encoding = await detectFecEncoding(upload.open());
          return await service.import(upload.open(), { asOf: query.asOf, encoding, createCustomers: query.createCustomers === 'true' }, auth);
        } finally {
          upload.remove();
        }
      },
    }),
    defineRoute({
      method: 'put',
      path: '/v1/imports/fec/mappings/:account',
      tag: 'Ledger',
      summary: "Maps a FEC auxiliary account (CompAuxNum) to a customer whose externalId differs",
      roles: ['credit_manager'],
      params: z.strictObject({ account: z.string().trim().min(1).max(64) }),
      body: z.strictObject({ customerId: uuidSchema }),
      responses: { 200: { description: 'The mapping', schema: z.object({ account: z.string(), customerId: z.string() }) } },
      handler: ({ params, body, auth }) => service.map(params.account, body.customerId, auth),
    }),
  ];
}
