import type { Response } from 'express';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Role } from '../../api-keys/roles.js';
import type { SessionContext } from '../../users/users-service.js';
import { DomainError } from '../../errors.js';
import { INVOICE_COPY_MAX_BYTES, type InvoiceCopies } from '../../collections/invoice-copies.js';
import type { StatementService } from '../../collections/statement-service.js';
import { CompanyIdentityIncomplete } from '../../company/company-service.js';
import { MISSING_WORDS } from './company-screen.js';
import type { ScreenKit } from './screen-kit.js';
import { readUpload } from './uploads.js';

const COLLECT: readonly Role[] = ['collector', 'credit_manager', 'admin'];
/** This screen's upload forms (multipart: see pageInput). */
export const isInvoiceCopyUpload = (path: string) => /^\/customers\/[0-9a-f-]{36}\/invoices\/[^/]+\/copy$/i.test(path);

/**
 * A customer's invoices and their copies (collectors, credit managers): each invoice with what is
 * still open, and the PDF the debtor received — attached here (5 MB at most), read again, replaced.
 * The injonction de payer bundle joins these copies; without one it holds a statement of the
 * invoice from the ledger, titled as such.
 */
export function invoicesScreen(kit: ScreenKit, deps: { db: Kysely<DB>; copies: InvoiceCopies; statements: StatementService }): void {
  const { router, guards } = kit;
  kit.registerView('invoices');
  const page = [guards.loadSession, guards.signedIn, guards.allow(COLLECT)];

  const show = async (res: Response, customerId: string, extra: { notice?: string; error?: string } = {}, status = 200) => {
    const { t, money, date } = kit.speaker(res);
    if (!/^[0-9a-f-]{36}$/i.test(customerId)) return void res.status(404).type('text').send(t('Client inconnu.'));
    const customer = await deps.db.selectFrom('customers').select(['id', 'name']).where('id', '=', customerId).executeTakeFirst();
    if (!customer) return void res.status(404).type('text').send(t('Client inconnu.'));
    const { rows } = await sql<{ number: string; issue_date: string; due_date: string; amount: string; open_amount: string; currency: string; bytes: number | null; filename: string | null }>`
      SELECT i.number, to_char(i.issue_date, 'YYYY-MM-DD') AS issue_date, to_char(i.due_date, 'YYYY-MM-DD') AS due_date, i.amount, i.open_amount, i.currency,
             f.bytes, f.filename
        FROM invoices i LEFT JOIN invoice_files f ON f.invoice_id = i.id
       WHERE i.customer_id = ${customerId}
       ORDER BY i.open_amount > 0 DESC, i.due_date DESC, i.number
       LIMIT 200`.execute(deps.db);
    kit.render(
      res,
      'invoices',
      {
        title: t('Factures de {name}', { name: customer.name }),
        ...extra,
        customer,
        invoices: rows.map((r, i) => ({
          index: i,
          number: r.number,
          encoded: encodeURIComponent(r.number),
          issued: date(r.issue_date),
          due: date(r.due_date),
          amount: money(Number(r.amount), r.currency),
          open: money(Number(r.open_amount), r.currency),
          settled: Number(r.open_amount) === 0,
          copy: r.bytes ? { kb: Math.ceil(r.bytes / 1024), filename: r.filename } : null,
        })),
      },
      status,
    );
  };

  router.get('/customers/:id/invoices', ...page, (req, res) => show(res, String(req.params.id)));

  router.post('/customers/:id/invoices/:number/copy', ...page, async (req, res) => {
    const { t } = kit.speaker(res);
    const id = String(req.params.id);
    const number = String(req.params.number);
    let form: Awaited<ReturnType<typeof readUpload>>;
    try {
      form = await readUpload(req, INVOICE_COPY_MAX_BYTES);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return show(res, id, { error: t('Copie refusée : un PDF de 5 Mo au plus.') }, err.kind === 'payload_too_large' ? 413 : 400);
    }
    if (!guards.csrfToken(res, form.fields._csrf)) return;
    if (!form.file) return show(res, id, { error: t('Choisissez un fichier.') }, 400);
    const owner = await deps.db.selectFrom('invoices').select('customer_id').where('number', '=', number).executeTakeFirst();
    if (!owner || owner.customer_id !== id) return show(res, id, { error: t('Facture inconnue pour ce client.') }, 404);
    try {
      await deps.copies.put(number, form.file.content, form.file.filename || null, (res.locals.session as SessionContext).auth);
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind !== 'invalid_input') throw err;
      return show(res, id, { error: t('Copie refusée : un PDF de 5 Mo au plus.') }, 400);
    }
    await show(res, id, { notice: t('Copie de la facture {number} enregistrée.', { number }) });
  });

  // The account statement as PDF; while the company identity is incomplete, a page that says what to complete.
  router.get('/customers/:id/statement.pdf', ...page, async (req, res) => {
    const { t } = kit.speaker(res);
    const id = String(req.params.id);
    if (!/^[0-9a-f-]{36}$/i.test(id)) return void res.status(404).type('text').send(t('Client inconnu.'));
    try {
      const pdf = await deps.statements.pdf(id);
      res.setHeader('Cache-Control', 'no-store');
      res.type('application/pdf').setHeader('Content-Disposition', `attachment; filename="${pdf.filename}"`);
      res.send(pdf.content);
    } catch (err) {
      if (err instanceof CompanyIdentityIncomplete) {
        const missing = err.details.map((d) => t(MISSING_WORDS[d.field ?? ''] ?? d.field ?? '')).join(', ');
        return kit.render(res, 'error', { title: 'Relevé impossible', message: t('Le relevé part chez le client : l’identité de la société doit d’abord être complète ({missing}), dans Réglages › Société.', { missing }) }, 409);
      }
      if (err instanceof DomainError && err.kind === 'not_found') return void res.status(404).type('text').send(t('Client inconnu.'));
      throw err;
    }
  });

  router.get('/customers/:id/invoices/:number/copy', ...page, async (req, res) => {
    const number = String(req.params.number);
    const owner = await deps.db.selectFrom('invoices').select('customer_id').where('number', '=', number).executeTakeFirst();
    if (!owner || owner.customer_id !== String(req.params.id)) return void res.status(404).type('text').send(kit.speaker(res).t('Aucun fichier.'));
    const copy = await deps.copies.get(number).catch((err: unknown) => {
      if (err instanceof DomainError && err.kind === 'not_found') return null;
      throw err;
    });
    if (!copy) return void res.status(404).type('text').send(kit.speaker(res).t('Aucun fichier.'));
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/pdf').setHeader('Content-Disposition', `inline; filename="${copy.meta.filename}"`);
    res.send(copy.content);
  });
}
