import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { NotFound } from '../errors.js';
import { colon, header, invoiceTable, paragraphs, paymentDetails, reminderLog, signature, toBuffer, type Addressee, type Letterhead, type LetterInvoiceRow } from './pdf.js';
import { formatDay, formatMoney, formatPercent, type Language } from './templates.js';

type Executor = Kysely<DB> | Transaction<DB>;

/** A dunning letter or a formal notice: letterhead, addressee, date, the text, the invoices with their claims, payment details, the log of earlier reminders. */
export function renderLetter(input: {
  from: Letterhead;
  to: Addressee;
  day: string;
  language: Language;
  subject: string;
  text: string;
  invoices: readonly LetterInvoiceRow[];
  currency: string;
  log: ReadonlyArray<{ date: string; label: string }>;
}): Promise<Buffer> {
  return toBuffer(
    (doc) => {
      header(doc, input.from, input.to, input.day, input.subject, input.language);
      paragraphs(doc, input.text);
      invoiceTable(doc, input.invoices, input.currency, input.language);
      paymentDetails(doc, input.from, input.language);
      reminderLog(doc, input.log, input.language);
      signature(doc, input.from);
    },
    { title: input.subject, author: input.from.name },
  );
}

type StatementInvoiceForPdf = Omit<LetterInvoiceRow, 'penalty' | 'indemnity'> & {
  penalty: { total: number; waived: unknown; periods: Array<{ from: string; to: string; days: number; base: number; rateBp: number; basis: string; rateAssumed: boolean; amount: number }> };
  indemnity: { amount: number; waived: unknown };
};

export interface StatementForPdf {
  asOf: string;
  currency: string;
  customer: Addressee;
  invoices: Array<StatementInvoiceForPdf>;
  credits: Array<{ kind: string; reference: string; date: string; amount: number; applied: number }>;
  totals: { principal: number; penalties: number; indemnities: number; total: number };
  warnings: string[];
}

const S = {
  fr: { title: 'Relevé de compte (décompte)', asOf: 'Arrêté au', credits: 'Paiements et avoirs', payment: 'Paiement', credit_note: 'Avoir', periods: 'Pénalités par période', waived: 'abandonné', total: 'Total dû', floored: 'taux contractuel porté au plancher légal' },
  en: { title: 'Statement of account (décompte)', asOf: 'As of', credits: 'Payments and credit notes', payment: 'Payment', credit_note: 'Credit note', periods: 'Penalties by period', waived: 'waived', total: 'Total due', floored: 'contract rate raised to the legal floor' },
} as const;

export function renderStatement(from: Letterhead, s: StatementForPdf, language: Language): Promise<Buffer> {
  const t = S[language];
  const m = (v: number) => formatMoney(v, s.currency, language);
  return toBuffer(
    (doc) => {
      header(doc, from, s.customer, s.asOf, `${t.title} – ${t.asOf} ${formatDay(s.asOf, language)}`, language);
      invoiceTable(
        doc,
        s.invoices.map((i) => ({ number: i.number, issueDate: i.issueDate, dueDate: i.dueDate, amount: i.amount, open: i.open, daysLate: i.daysLate, penalty: i.penalty.total, indemnity: i.indemnity.amount })),
        s.currency,
        language,
      );
      doc.font('Helvetica-Bold').fontSize(10).text(t.periods, 50, doc.y);
      doc.font('Helvetica').fontSize(8);
      for (const i of s.invoices) {
        for (const p of i.penalty.periods) {
          // A rate assumed for a half-year not yet entered is the admin's matter (API and app), never the debtor's.
          const notes = [p.basis === 'contract_floored' ? t.floored : null, i.penalty.waived ? t.waived : null].filter(Boolean).join('; ');
          doc.text(`${i.number}${colon(language)} ${formatDay(p.from, language)} – ${formatDay(p.to, language)}, ${p.days} ${language === 'fr' ? 'j' : 'days'}, ${m(p.base)} × ${formatPercent(p.rateBp, language)} = ${m(p.amount)}${notes ? ` (${notes})` : ''}`, 50, doc.y, { width: 495 });
        }
      }
      doc.moveDown();
      if (s.credits.length) {
        doc.font('Helvetica-Bold').fontSize(10).text(t.credits, 50, doc.y);
        doc.font('Helvetica').fontSize(9);
        for (const c of s.credits) doc.text(`${formatDay(c.date, language)} – ${c.kind === 'payment' ? t.payment : t.credit_note} ${c.reference}${colon(language)} ${m(c.amount)}`);
        doc.moveDown();
      }
      doc.font('Helvetica-Bold').fontSize(11).text(`${t.total}${colon(language)} ${m(s.totals.total)}`, 50, doc.y, { width: 495, align: 'right' });
      doc.moveDown();
      // The statement's warnings (a rate assumed, a contract rate floored) are for the credit manager,
      // in the API and the app: never on the debtor's document, whose rows already say "taux plancher".
      doc.font('Helvetica').fontSize(8);
      paymentDetails(doc, from, language);
    },
    { title: `${t.title} ${s.customer.name} ${s.asOf}`, author: from.name },
  );
}

const A = {
  fr: {
    title: "Protocole d'accord – échéancier de paiement",
    intro: (debtor: string, creditor: string, total: string) =>
      `Entre ${creditor} (le créancier) et ${debtor} (le débiteur), il est convenu ce qui suit. Le débiteur reconnaît devoir la somme de ${total} au titre des factures ci-dessous et s'engage à la régler selon l'échéancier suivant.`,
    schedule: 'Échéancier',
    breach: "À défaut de paiement d'une seule échéance à sa date, et après un délai de grâce de {grace} jours, la totalité du solde restant dû deviendra immédiatement exigible, de même que les pénalités de retard et l'indemnité forfaitaire de recouvrement, et le créancier reprendra le recouvrement.",
    signatures: 'Fait en deux exemplaires. Le créancier / Le débiteur (date, signature, « lu et approuvé »)',
    installment: 'Échéance',
  },
  en: {
    title: 'Settlement agreement (protocole d’accord) – payment plan',
    intro: (debtor: string, creditor: string, total: string) =>
      `Between ${creditor} (the creditor) and ${debtor} (the debtor), it is agreed as follows. The debtor acknowledges owing ${total} for the invoices below and undertakes to pay it according to the following schedule.`,
    schedule: 'Schedule',
    breach: 'Should any installment not be paid on its date, after a grace period of {grace} days the whole remaining balance becomes immediately due, together with the late-payment penalties and the fixed recovery indemnity, and the creditor resumes collection.',
    signatures: 'Made in two copies. The creditor / The debtor (date, signature, "read and approved")',
    installment: 'Installment',
  },
} as const;

export function renderAgreement(input: {
  from: Letterhead;
  to: Addressee;
  day: string;
  language: Language;
  currency: string;
  invoices: Array<{ number: string; issueDate: string; dueDate: string; open: number }>;
  installments: Array<{ seq: number; dueOn: string; amount: number }>;
  graceDays: number;
}): Promise<Buffer> {
  const t = A[input.language];
  const m = (v: number) => formatMoney(v, input.currency, input.language);
  const total = input.installments.reduce((s, i) => s + i.amount, 0);
  return toBuffer(
    (doc) => {
      header(doc, input.from, input.to, input.day, t.title, input.language);
      paragraphs(doc, t.intro(input.to.name, input.from.name, m(total)));
      doc.font('Helvetica').fontSize(9);
      for (const i of input.invoices) doc.text(`${i.number} – ${formatDay(i.issueDate, input.language)} – ${formatDay(i.dueDate, input.language)} – ${m(i.open)}`, 60, doc.y);
      doc.moveDown();
      doc.font('Helvetica-Bold').fontSize(10).text(t.schedule, 50, doc.y);
      doc.font('Helvetica').fontSize(10);
      for (const i of input.installments) doc.text(`${t.installment} ${i.seq}${colon(input.language)} ${formatDay(i.dueOn, input.language)} – ${m(i.amount)}`, 60, doc.y);
      doc.moveDown();
      paragraphs(doc, t.breach.replace('{grace}', String(input.graceDays)));
      paymentDetails(doc, input.from, input.language);
      doc.moveDown(2);
      paragraphs(doc, t.signatures);
    },
    { title: t.title, author: input.from.name },
  );
}

/** Stored PDFs (letters, agreements), downloadable. */
export class DocumentsStore {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(docs: Array<{ id: string; customerId: string; kind: string; filename: string; content: Buffer; createdAt: Date }>, trx: Executor = this.db): Promise<void> {
    for (let i = 0; i < docs.length; i += 200) {
      await trx
        .insertInto('collection_documents')
        .values(docs.slice(i, i + 200).map((d) => ({ id: d.id, customer_id: d.customerId, kind: d.kind, filename: d.filename, content_type: 'application/pdf', content: d.content, created_at: d.createdAt })))
        .execute();
    }
  }

  async get(id: string): Promise<{ filename: string; contentType: string; content: Buffer; customerId: string }> {
    const r = await this.db.selectFrom('collection_documents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new NotFound(`No document ${id}`, 'document_not_found');
    return { filename: r.filename, contentType: r.content_type, content: r.content, customerId: r.customer_id };
  }
}
