import { header, invoiceTable, legalMentions, paragraphs, signature, toBuffer, type Addressee, type Letterhead, type LetterInvoiceRow } from '../collections/pdf.js';
import { formatDay, formatMoney } from '../collections/templates.js';
import { INSOLVENCY_LAW } from './insolvency-law.js';

const PROCEEDING: Record<string, string> = {
  sauvegarde: 'procédure de sauvegarde',
  redressement_judiciaire: 'redressement judiciaire',
  liquidation_judiciaire: 'liquidation judiciaire',
};

type ClaimRow = Omit<LetterInvoiceRow, 'penalty' | 'indemnity'> & { penalty: { total: number }; indemnity: { amount: number }; retentionOfTitle: boolean };

function section(doc: PDFKit.PDFDocument, title: string): void {
  doc.moveDown(0.5);
  doc.font('Helvetica-Bold').fontSize(10).text(title, 50, doc.y, { width: 495 });
  doc.font('Helvetica').fontSize(9);
}

function lines(doc: PDFKit.PDFDocument, list: ReadonlyArray<string | null | undefined>): void {
  for (const l of list) if (l) doc.text(l, 60, doc.y, { width: 485 });
}

function identity(from: Letterhead): string[] {
  return [from.name, ...from.address, legalMentions(from, 'fr') || null, [from.email, from.phone].filter(Boolean).join(' – ') || null].filter((l): l is string => Boolean(l));
}

/**
 * The déclaration de créance (Code de commerce L622-24, R622-23): creditor, debtor, the judgment
 * and its BODACC publication, each claim born before the judgment with its penalties (to the day
 * before the judgment, L622-28) and its indemnity, retention of title, the deadline, and the claims
 * born after the judgment listed apart (not declared). In French: it goes to a French court officer.
 */
export function renderDeclaration(input: {
  from: Letterhead;
  day: string;
  debtor: Addressee;
  mandataire: string | null;
  proceeding: string;
  judgment: { date: string; nature: string | null; court: string | null };
  announcement: { id: string; publishedOn: string };
  deadline: string;
  deadlineRule: string;
  creditorAbroad: boolean;
  currency: string;
  invoices: readonly ClaimRow[];
  penaltiesUntil: string;
  retentionClaimDeadline: string;
  after: ReadonlyArray<{ number: string; issueDate: string; dueDate: string; open: number }>;
}): Promise<Buffer> {
  const m = (v: number) => formatMoney(v, input.currency, 'fr');
  const d = (v: string) => formatDay(v, 'fr');
  const to: Addressee = { name: input.mandataire ?? 'Mandataire judiciaire désigné par le jugement (à compléter)', siren: null, address: [input.mandataire ? 'Mandataire judiciaire / liquidateur' : ''].filter(Boolean) };
  const proceeding = PROCEEDING[input.proceeding] ?? input.proceeding;
  const claims = INSOLVENCY_LAW.declarationOfClaims;
  return toBuffer(
    (doc) => {
      header(doc, input.from, to, input.day, `Déclaration de créance – ${input.debtor.name} – ${proceeding}`, 'fr');
      section(doc, 'Créancier');
      lines(doc, identity(input.from));
      section(doc, 'Débiteur');
      lines(doc, [input.debtor.name, input.debtor.siren ? `SIREN ${input.debtor.siren}` : null, ...input.debtor.address.map((a) => `Siège : ${a}`)]);
      section(doc, 'Procédure');
      lines(doc, [
        `${proceeding[0]!.toUpperCase()}${proceeding.slice(1)} ouverte par jugement du ${d(input.judgment.date)}${input.judgment.court ? ` (${input.judgment.court})` : ''}`,
        input.judgment.nature ? `Jugement : ${input.judgment.nature}` : null,
        `Publication au BODACC le ${d(input.announcement.publishedOn)}, annonce ${input.announcement.id}`,
        `Délai de déclaration : au plus tard le ${d(input.deadline)} (${input.creditorAbroad ? `${claims.monthsFromPublication + claims.extraMonthsForCreditorsAbroad} mois, créancier hors de France métropolitaine` : `${claims.monthsFromPublication} mois`} à compter de la publication, articles L622-24 et R622-24 du Code de commerce)`,
      ]);
      section(doc, 'Créances nées antérieurement au jugement d’ouverture, déclarées à titre chirographaire');
      doc.text(`Pénalités de retard (L441-10) arrêtées au ${d(input.penaltiesUntil)}, veille du jugement d’ouverture (article L622-28) ; indemnité forfaitaire pour frais de recouvrement (D441-5) par facture payée en retard.`, 60, doc.y, { width: 485 });
      invoiceTable(
        doc,
        input.invoices.map((i) => ({ number: i.number, issueDate: i.issueDate, dueDate: i.dueDate, amount: i.amount, open: i.open, daysLate: i.daysLate, penalty: i.penalty.total, indemnity: i.indemnity.amount })),
        input.currency,
        'fr',
      );
      const retained = input.invoices.filter((i) => i.retentionOfTitle);
      section(doc, 'Réserve de propriété');
      if (retained.length) {
        lines(doc, [
          `Les marchandises des factures ${retained.map((i) => i.number).join(', ')} ont été vendues avec une clause de réserve de propriété (${m(retained.reduce((s, i) => s + i.open, 0))}).`,
          `Action en revendication à exercer au plus tard le ${d(input.retentionClaimDeadline)} (${INSOLVENCY_LAW.retentionOfTitle.claimMonthsFromPublication} mois à compter de la publication, articles L624-9 et L624-16).`,
        ]);
      } else {
        lines(doc, ['Aucune clause de réserve de propriété invoquée.']);
      }
      if (input.after.length) {
        section(doc, 'Créances nées après le jugement (non déclarées : payables à leur échéance, article L622-17)');
        for (const a of input.after) doc.text(`${a.number} – émise le ${d(a.issueDate)}, échéance ${d(a.dueDate)} – ${m(a.open)}`, 60, doc.y, { width: 485 });
      }
      section(doc, 'Pièces justificatives jointes');
      lines(doc, ['Factures listées ci-dessus', 'Relevé de compte (décompte) arrêté à la veille du jugement', 'Relances et mise en demeure, le cas échéant', 'Conditions générales de vente (clause de pénalités et, le cas échéant, de réserve de propriété)']);
      doc.moveDown();
      paragraphs(doc, `Le créancier certifie sincère et véritable la présente déclaration de créance, établie le ${d(input.day)}.`);
      signature(doc, input.from);
    },
    { title: `Déclaration de créance ${input.debtor.name}`, author: input.from.name },
  );
}


/**
 * The dossier of a request for an injonction de payer (Cerfa 12946) to the president of the
 * competent court: the court, the parties, the décompte (principal, penalties, €40 indemnities,
 * payments, fees), the numbered list of supporting documents (invoices with their orders, the
 * reminders and the formal notice with their dates) and what follows the order. In French.
 */
export function renderInjonctionDossier(input: {
  from: Letterhead;
  day: string;
  tribunal: string;
  debtor: { name: string; siren: string | null; legalForm: string | null; registeredOffice: string; representative: { name: string; role: string | null } | null };
  claim: {
    currency: string;
    asOf: string;
    invoices: ReadonlyArray<{ number: string; issueDate: string; dueDate: string; amount: number; open: number; daysLate: number; penalty: number; indemnity: number; orderId: string | null }>;
    payments: ReadonlyArray<{ kind: string; reference: string; date: string; amount: number }>;
    totals: { principal: number; penalties: number; indemnities: number; fees: number; total: number };
  };
  fees: ReadonlyArray<{ label: string; amount: number }>;
  indicativeFees: ReadonlyArray<{ label: string; approximateAmountMin: number; approximateAmountMax: number; currency: string }>;
  /** The numbered supporting documents, as the bundle holds them. */
  pieces: ReadonlyArray<{ n: number; label: string }>;
  law: { form: { name: string }; competentCourt: { fr: string }; serviceFr: string; oppositionFr: string };
}): Promise<Buffer> {
  const { claim } = input;
  const m = (v: number) => formatMoney(v, claim.currency, 'fr');
  const d = (v: string) => formatDay(v, 'fr');
  const to: Addressee = { name: 'Monsieur le Président', siren: null, address: [input.tribunal] };
  return toBuffer(
    (doc) => {
      header(doc, input.from, to, input.day, `Requête en injonction de payer – ${input.debtor.name}`, 'fr');
      lines(doc, [`Formulaire : ${input.law.form.name}`]);
      section(doc, 'Juridiction compétente');
      lines(doc, [`${input.tribunal}, dans le ressort duquel le débiteur a son siège social (${input.debtor.registeredOffice}).`, input.law.competentCourt.fr]);
      section(doc, 'Demandeur (créancier)');
      lines(doc, [...identity(input.from), input.from.signatory ? `Représenté par ${input.from.signatory.name}, ${input.from.signatory.title}` : null]);
      section(doc, 'Défendeur (débiteur)');
      const rep = input.debtor.representative;
      lines(doc, [
        input.debtor.name,
        input.debtor.legalForm ? `Forme juridique : ${input.debtor.legalForm}` : null,
        input.debtor.siren ? `SIREN ${input.debtor.siren}` : null,
        `Siège social : ${input.debtor.registeredOffice}`,
        `Représentant légal : ${rep ? `${rep.name}${rep.role ? `, ${rep.role}` : ''} (registre du commerce et des sociétés)` : 'non connu du registre – à compléter'}`,
      ]);
      section(doc, `Décompte de la créance arrêté au ${d(claim.asOf)}`);
      // The indemnity of each invoice is the one of its table on its due date (claims.ts): the dossier says the amount claimed.
      const indemnity = claim.invoices.find((i) => i.indemnity > 0)?.indemnity;
      doc.text(`Créance certaine, liquide et exigible née de ventes conclues entre professionnels : factures impayées à leur échéance, pénalités de retard (article L441-10 du Code de commerce) et indemnité forfaitaire pour frais de recouvrement${indemnity ? ` de ${m(indemnity)} par facture` : ''} (article D441-5).`, 60, doc.y, { width: 485 });
      invoiceTable(doc, claim.invoices, claim.currency, 'fr');
      if (claim.payments.length) {
        section(doc, 'Paiements reçus sur ces factures (déduits)');
        for (const p of claim.payments) doc.text(`${d(p.date)} – ${p.kind === 'payment' ? 'paiement' : 'avoir'} ${p.reference} : ${m(p.amount)}`, 60, doc.y, { width: 485 });
      }
      section(doc, 'Frais');
      for (const f of input.fees) doc.text(`${f.label} : ${m(f.amount)}`, 60, doc.y, { width: 485 });
      for (const f of input.indicativeFees) doc.text(`${f.label} (indicatif, à régler au greffe) : ${formatMoney(f.approximateAmountMin, f.currency, 'fr')} à ${formatMoney(f.approximateAmountMax, f.currency, 'fr')}`, 60, doc.y, { width: 485 });
      doc.moveDown(0.5);
      doc.font('Helvetica-Bold').fontSize(11).text(`Montant de la demande : ${m(claim.totals.total)}`, 50, doc.y, { width: 495, align: 'right' });
      doc.font('Helvetica').fontSize(9);
      section(doc, 'Bordereau des pièces justificatives');
      for (const p of input.pieces) doc.text(`${p.n}. ${p.label}`, 60, doc.y, { width: 485 });
      section(doc, 'Suite de la procédure');
      lines(doc, [input.law.serviceFr, input.law.oppositionFr]);
      doc.moveDown();
      paragraphs(doc, `Le créancier demande qu’il soit enjoint au débiteur de payer la somme de ${m(claim.totals.total)}, outre les intérêts et dépens. Fait le ${d(input.day)}.`);
      signature(doc, input.from);
    },
    { title: `Requête en injonction de payer ${input.debtor.name}`, author: input.from.name },
  );
}

/**
 * The statement of one invoice from the creditor's ledger, for a bundle whose invoice copy was not
 * attached: titled as such, so that nobody takes it for the invoice itself.
 */
export function renderInvoiceExtract(input: {
  from: Letterhead;
  day: string;
  debtor: Addressee;
  currency: string;
  invoice: { number: string; issueDate: string; dueDate: string; amount: number; open: number; orderId: string | null };
  payments: ReadonlyArray<{ kind: string; reference: string; date: string; amount: number }>;
}): Promise<Buffer> {
  const m = (v: number) => formatMoney(v, input.currency, 'fr');
  const d = (v: string) => formatDay(v, 'fr');
  const i = input.invoice;
  return toBuffer(
    (doc) => {
      header(doc, input.from, input.debtor, input.day, `Relevé de la facture ${i.number} – extrait de la comptabilité du créancier`, 'fr');
      paragraphs(doc, 'La copie de la facture n’est pas jointe : ce relevé en reprend les éléments tels qu’ils figurent dans la comptabilité du créancier.');
      section(doc, 'Facture');
      lines(doc, [`Numéro : ${i.number}`, `Date d’émission : ${d(i.issueDate)}`, `Date d’échéance : ${d(i.dueDate)}`, `Montant : ${m(i.amount)}`, i.orderId ? `Bon de commande : ${i.orderId}` : null]);
      section(doc, 'Règlements reçus');
      if (input.payments.length === 0) lines(doc, ['Aucun']);
      for (const p of input.payments) lines(doc, [`${d(p.date)} – ${p.kind === 'payment' ? 'paiement' : 'avoir'} ${p.reference} : ${m(p.amount)}`]);
      section(doc, 'Reste dû');
      lines(doc, [m(i.open)]);
      signature(doc, input.from);
    },
    { title: `Relevé de la facture ${i.number}`, author: input.from.name },
  );
}
