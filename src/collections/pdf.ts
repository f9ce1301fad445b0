import PDFDocument from 'pdfkit';
import { formatDay, formatMoney, formatPercent, formatShortDay, type Language } from './templates.js';

/** The creditor's letterhead (the company identity in force, see src/company). */
export interface Letterhead {
  name: string;
  legalForm: string | null;
  shareCapital: { amount: number; currency: string } | null;
  rcsCity: string | null;
  vatNumber: string | null;
  /** The registered office: street lines, then postcode and city. */
  address: string[];
  siren: string | null;
  email: string | null;
  phone: string | null;
  iban: string | null;
  bic: string | null;
  city: string | null;
  signatory: { name: string; title: string } | null;
  logo: { content: Buffer; contentType: string } | null;
}

/** The colon of each language: French puts a space before it, English none. */
export const colon = (language: Language) => (language === 'fr' ? ' :' : ':');

/** An IBAN in groups of four, as it is printed (ISO 13616 paper format). */
export const spacedIban = (iban: string) => iban.replace(/(.{4})(?=.)/g, '$1 ');

/** "123 456 789", as a SIREN is printed. */
export const spacedSiren = (siren: string) => siren.replace(/^(\d{3})(\d{3})(\d{3})$/, '$1 $2 $3');

/**
 * The mentions commercial correspondence must carry (Code de commerce R123-237, R123-238): legal
 * form and share capital, "RCS" with the registry's city and the SIREN; the VAT number besides.
 */
export function legalMentions(from: Letterhead, language: Language): string {
  const t = T[language];
  const parts: string[] = [];
  if (from.legalForm || from.shareCapital) {
    const capital = from.shareCapital ? t.capital(formatMoney(from.shareCapital.amount, from.shareCapital.currency, language)) : '';
    parts.push([from.legalForm, capital].filter(Boolean).join(' '));
  }
  if (from.siren) parts.push(from.rcsCity ? `RCS ${from.rcsCity} ${spacedSiren(from.siren)}` : `${t.siren} ${spacedSiren(from.siren)}`);
  if (from.vatNumber) parts.push(`${t.vat} ${from.vatNumber}`);
  return parts.join(' – ');
}

export interface Addressee {
  name: string;
  siren: string | null;
  address: string[];
}

export interface LetterInvoiceRow {
  number: string;
  issueDate: string;
  dueDate: string;
  amount: number;
  open: number;
  daysLate: number;
  penalty: number;
  indemnity: number;
}

const T = {
  fr: {
    invoice: 'Facture',
    issued: 'Émise le',
    due: 'Échéance',
    amount: 'Montant',
    open: 'Reste dû',
    late: 'Retard (j)',
    penalty: 'Pénalités',
    indemnity: 'Indemnité',
    totals: 'Totaux',
    principal: 'Principal restant dû',
    penalties: 'Pénalités de retard (L441-10)',
    indemnities: 'Indemnités forfaitaires (D441-5)',
    claim: 'Total réclamé',
    pay: 'Coordonnées de paiement',
    transfer: 'Virement',
    log: 'Relances précédentes',
    ref: 'Objet',
    siren: 'SIREN',
    page: 'Page',
    vat: 'TVA intracommunautaire',
    capital: (amount: string) => `au capital de ${amount}`,
  },
  en: {
    invoice: 'Invoice',
    issued: 'Issued',
    due: 'Due',
    amount: 'Amount',
    open: 'Outstanding',
    late: 'Days late',
    penalty: 'Penalties',
    indemnity: 'Indemnity',
    totals: 'Totals',
    principal: 'Principal outstanding',
    penalties: 'Late-payment penalties (L441-10)',
    indemnities: 'Fixed recovery indemnities (D441-5)',
    claim: 'Total claimed',
    pay: 'Payment details',
    transfer: 'Bank transfer',
    log: 'Earlier reminders',
    ref: 'Subject',
    siren: 'SIREN',
    page: 'Page',
    vat: 'VAT',
    capital: (amount: string) => `with a share capital of ${amount}`,
  },
} as const;

/** Collects a pdfkit document into a Buffer. */
export function toBuffer(build: (doc: PDFKit.PDFDocument) => void, info: { title: string; author: string }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: info.title, Author: info.author }, compress: true });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      build(doc);
      doc.end();
    } catch (err) {
      reject(err as Error);
    }
  });
}

/** Letterhead top left, addressee on the right, place and date, subject. */
export function header(doc: PDFKit.PDFDocument, from: Letterhead, to: Addressee, day: string, subject: string, language: Language): void {
  const t = T[language];
  let y = 50;
  if (from.logo) {
    // A logo that pdfkit cannot read (it was checked when stored) must not cost the letter.
    try {
      doc.image(from.logo.content, 50, y, { fit: [140, 48] });
      y += 54;
    } catch {
      /* the letterhead in words is enough */
    }
  }
  doc.font('Helvetica-Bold').fontSize(12).text(from.name, 50, y, { width: 260 });
  doc.font('Helvetica').fontSize(9);
  for (const line of from.address) doc.text(line, { width: 260 });
  const mentions = legalMentions(from, language);
  if (mentions) doc.text(mentions, { width: 260 });
  if (from.email || from.phone) doc.text([from.email, from.phone].filter(Boolean).join(' – '), { width: 260 });
  const top = Math.max(140, doc.y + 12);
  doc.font('Helvetica-Bold').fontSize(10).text(to.name, 320, top, { width: 225 });
  doc.font('Helvetica').fontSize(10);
  for (const line of to.address) doc.text(line, { width: 225 });
  if (to.siren) doc.text(`${t.siren} ${to.siren}`, { width: 225 });
  doc.moveDown(2);
  doc.text(`${from.city ? `${from.city}, ` : ''}${formatDay(day, language)}`, 320);
  doc.moveDown(2);
  doc.font('Helvetica-Bold').text(`${t.ref}${colon(language)} ${subject}`, 50, doc.y, { width: 495 });
  doc.font('Helvetica').moveDown();
}

export function paragraphs(doc: PDFKit.PDFDocument, text: string): void {
  doc.font('Helvetica').fontSize(10);
  for (const p of text.split(/\n{2,}/)) {
    doc.text(p, 50, doc.y, { width: 495, align: 'left' });
    doc.moveDown(0.6);
  }
}

/** The invoices with their amounts, penalties and indemnities, then the totals. */
export function invoiceTable(doc: PDFKit.PDFDocument, rows: readonly LetterInvoiceRow[], currency: string, language: Language): void {
  const t = T[language];
  const m = (v: number) => formatMoney(v, currency, language);
  const cols = [
    { w: 80, label: t.invoice, get: (r: LetterInvoiceRow) => r.number, align: 'left' as const },
    { w: 62, label: t.issued, get: (r: LetterInvoiceRow) => formatShortDay(r.issueDate, language), align: 'left' as const },
    { w: 62, label: t.due, get: (r: LetterInvoiceRow) => formatShortDay(r.dueDate, language), align: 'left' as const },
    { w: 68, label: t.amount, get: (r: LetterInvoiceRow) => m(r.amount), align: 'right' as const },
    { w: 68, label: t.open, get: (r: LetterInvoiceRow) => m(r.open), align: 'right' as const },
    { w: 40, label: t.late, get: (r: LetterInvoiceRow) => String(r.daysLate), align: 'right' as const },
    { w: 60, label: t.penalty, get: (r: LetterInvoiceRow) => m(r.penalty), align: 'right' as const },
    { w: 55, label: t.indemnity, get: (r: LetterInvoiceRow) => m(r.indemnity), align: 'right' as const },
  ];
  const row = (cells: string[], bold: boolean) => {
    if (doc.y > 760) doc.addPage();
    const y = doc.y;
    let x = 50;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    cells.forEach((c, i) => {
      doc.text(c, x, y, { width: cols[i]!.w - 4, align: cols[i]!.align, lineBreak: false });
      x += cols[i]!.w;
    });
    doc.y = y + 13;
  };
  doc.moveDown(0.5);
  row(cols.map((c) => c.label), true);
  for (const r of rows) row(cols.map((c) => c.get(r)), false);
  const sum = (f: (r: LetterInvoiceRow) => number) => rows.reduce((s, r) => s + f(r), 0);
  const open = sum((r) => r.open);
  const penalties = sum((r) => r.penalty);
  const indemnities = sum((r) => r.indemnity);
  doc.moveDown(0.5);
  doc.font('Helvetica').fontSize(10);
  const total = (label: string, v: number, bold = false) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').text(`${label}${colon(language)} ${m(v)}`, 50, doc.y, { width: 495, align: 'right' });
  };
  total(t.principal, open);
  total(t.penalties, penalties);
  total(t.indemnities, indemnities);
  total(t.claim, open + penalties + indemnities, true);
  doc.moveDown();
}

export function paymentDetails(doc: PDFKit.PDFDocument, from: Letterhead, language: Language): void {
  const t = T[language];
  if (!from.iban) return;
  doc.font('Helvetica-Bold').fontSize(10).text(t.pay, 50, doc.y);
  doc.font('Helvetica').text(`${t.transfer}${colon(language)} IBAN ${spacedIban(from.iban)}${from.bic ? ` – BIC ${from.bic}` : ''} – ${from.name}`);
  doc.moveDown();
}

export function reminderLog(doc: PDFKit.PDFDocument, log: ReadonlyArray<{ date: string; label: string }>, language: Language): void {
  if (log.length === 0) return;
  const t = T[language];
  doc.font('Helvetica-Bold').fontSize(10).text(t.log, 50, doc.y);
  doc.font('Helvetica').fontSize(9);
  for (const e of log) doc.text(`${formatDay(e.date, language)} – ${e.label}`);
  doc.moveDown();
}

export function signature(doc: PDFKit.PDFDocument, from: Letterhead): void {
  doc.moveDown();
  doc.font('Helvetica').fontSize(10);
  if (from.signatory) doc.text(`${from.signatory.name}, ${from.signatory.title}`, 320, doc.y, { width: 225 });
  doc.text(from.name, 320, doc.y, { width: 225 });
}

export { formatPercent };
