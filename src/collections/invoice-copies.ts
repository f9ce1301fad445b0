import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { CAN } from '../api-keys/roles.js';
import { InvalidInput, NotFound } from '../errors.js';
import { defineRoute, reply, type RouteDef } from '../http/route.js';
import { readBodyBuffer } from '../http/body.js';
import { sniffType } from '../company/company-service.js';

/** The largest invoice copy kept (a scanned invoice of a few pages). */
export const INVOICE_COPY_MAX_BYTES = 5 * 1024 * 1024;

export interface InvoiceCopy {
  invoice: string;
  filename: string;
  bytes: number;
  sha256: string;
  createdAt: string;
  createdBy: string;
}

/**
 * The copy of an invoice as the debtor received it (a PDF), attached per invoice: the injonction
 * de payer bundle joins it as the invoice's supporting document (without one, the bundle holds a
 * statement of the invoice from the ledger, titled as such). Kept in PostgreSQL, one per invoice.
 */
export class InvoiceCopies {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly audit: AuditService,
    private readonly now: () => Date,
  ) {}

  private async invoiceId(number: string): Promise<{ id: string; customer_id: string }> {
    const row = await this.db.selectFrom('invoices').select(['id', 'customer_id']).where('number', '=', number).executeTakeFirst();
    if (!row) throw new NotFound(`No invoice ${number}`, 'invoice_not_found');
    return row;
  }

  async put(number: string, content: Buffer, filename: string | null, actor: AuthContext): Promise<InvoiceCopy> {
    if (sniffType(content) !== 'application/pdf') throw InvalidInput.field('body', 'must be a PDF (its bytes start with %PDF-)', 'unsupported_file');
    const inv = await this.invoiceId(number);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const name = (filename ?? `facture-${number}.pdf`).replace(/[^\w.-]/g, '_').slice(0, 120);
    const now = this.now();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('invoice_files')
        .values({ invoice_id: inv.id, filename: name, bytes: content.length, sha256, content, created_at: now, created_by: actor.name })
        .onConflict((oc) => oc.column('invoice_id').doUpdateSet({ filename: name, bytes: content.length, sha256, content, created_at: now, created_by: actor.name }))
        .execute();
      await this.audit.record({ actor, action: 'invoice.copy_attached', entityType: 'invoice', entityId: number, customerId: inv.customer_id, oldValue: null, newValue: { filename: name, bytes: content.length, sha256 } }, trx);
    });
    return { invoice: number, filename: name, bytes: content.length, sha256, createdAt: now.toISOString(), createdBy: actor.name };
  }

  async get(number: string): Promise<{ meta: InvoiceCopy; content: Buffer }> {
    const inv = await this.invoiceId(number);
    const row = await this.db.selectFrom('invoice_files').selectAll().where('invoice_id', '=', inv.id).executeTakeFirst();
    if (!row) throw new NotFound(`No copy is attached to invoice ${number}`, 'invoice_copy_not_found');
    return { meta: { invoice: number, filename: row.filename, bytes: row.bytes, sha256: row.sha256, createdAt: new Date(row.created_at).toISOString(), createdBy: row.created_by }, content: row.content };
  }

  /** The copies of these invoices (by id), those that have one. */
  async many(invoiceIds: readonly string[]): Promise<Map<string, { filename: string; content: Buffer }>> {
    if (invoiceIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('invoice_files').select(['invoice_id', 'filename', 'content']).where('invoice_id', 'in', [...invoiceIds]).execute();
    return new Map(rows.map((r) => [r.invoice_id, { filename: r.filename, content: r.content }]));
  }

  /** Which of these invoices (by id) have a copy, without reading the files. */
  async which(invoiceIds: readonly string[]): Promise<Set<string>> {
    if (invoiceIds.length === 0) return new Set();
    const rows = await this.db.selectFrom('invoice_files').select('invoice_id').where('invoice_id', 'in', [...invoiceIds]).execute();
    return new Set(rows.map((r) => r.invoice_id));
  }

  async remove(number: string, actor: AuthContext): Promise<void> {
    const inv = await this.invoiceId(number);
    await this.db.transaction().execute(async (trx) => {
      const gone = await trx.deleteFrom('invoice_files').where('invoice_id', '=', inv.id).returning('filename').executeTakeFirst();
      if (!gone) throw new NotFound(`No copy is attached to invoice ${number}`, 'invoice_copy_not_found');
      await this.audit.record({ actor, action: 'invoice.copy_removed', entityType: 'invoice', entityId: number, customerId: inv.customer_id, oldValue: { filename: gone.filename }, newValue: null }, trx);
    });
  }
}

const params = z.strictObject({ number: z.string().min(1).max(100) });
const copySchema = z.object({ invoice: z.string(), filename: z.string(), bytes: z.number().int(), sha256: z.string(), createdAt: z.string(), createdBy: z.string() });

export function invoiceCopyRoutes(copies: InvoiceCopies): RouteDef[] {
  return [
    defineRoute({
      method: 'put',
      path: '/v1/invoices/:number/copy',
      tag: 'Collections',
      summary: 'Attach the copy of an invoice (a PDF of at most 5 MB; replaces the previous one; audited): the injonction de payer bundle joins it',
      roles: CAN.collect,
      params,
      query: z.strictObject({ filename: z.string().trim().min(1).max(120).optional().describe('The file name to keep (default facture-<number>.pdf)') }),
      rawBody: { contentTypes: ['application/pdf'], description: 'The PDF' },
      responses: { 200: { description: 'The copy', schema: copySchema }, 404: { description: 'No such invoice' } },
      handler: async ({ params: p, query, req, auth }) => {
        if (!req.is('application/pdf')) throw new InvalidInput('body: send the PDF with "Content-Type: application/pdf"', [{ field: 'body', message: 'expected application/pdf' }], 'unsupported_media_type');
        return copies.put(p.number, await readBodyBuffer(req, INVOICE_COPY_MAX_BYTES), query.filename ?? null, auth);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/invoices/:number/copy',
      tag: 'Collections',
      summary: 'The copy attached to an invoice (PDF)',
      roles: CAN.collect,
      params,
      responses: { 200: { description: 'application/pdf' }, 404: { description: 'No such invoice, or no copy' } },
      handler: async ({ params: p }) => {
        const { meta, content } = await copies.get(p.number);
        return reply(200, content, { 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="${meta.filename}"` });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/invoices/:number/copy',
      tag: 'Collections',
      summary: 'Remove the copy attached to an invoice (audited)',
      roles: CAN.collect,
      params,
      responses: { 204: { description: 'Removed' }, 404: { description: 'No such invoice, or no copy' } },
      handler: async ({ params: p, auth }) => {
        await copies.remove(p.number, auth);
        return reply(204, undefined);
      },
    }),
  ];
}
