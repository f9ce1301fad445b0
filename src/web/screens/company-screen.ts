import type { Response } from 'express';
import type { CompanyService, CompanyView } from '../../company/company-service.js';
import { COMPANY_FILES, type CompanyFileKind } from '../../company/company-service.js';
import { companyIdentitySchema } from '../../company/company-identity.js';
import { DomainError } from '../../errors.js';
import { parseDecimalToMinor } from '../../ledger/csv.js';
import { spacedIban, spacedSiren } from '../../collections/pdf.js';
import type { SessionContext } from '../../users/users-service.js';
import type { ScreenKit } from './screen-kit.js';
import { readUpload } from './uploads.js';

const ADMIN = ['admin'] as const;
/** The upload forms of this screen (multipart: see pageInput). */
export const COMPANY_UPLOADS = ['/settings/company/logo', '/settings/company/terms-of-sale'];

/** Each field in words, and what a refusal of it means, in French (the page translates). */
const FIELDS: Record<string, { label: string; why: string }> = {
  legalName: { label: 'Raison sociale', why: 'de 1 à 200 caractères' },
  legalForm: { label: 'Forme juridique', why: 'par exemple SAS ou SARL' },
  shareCapital: { label: 'Capital social', why: 'un montant en euros, par exemple 50 000,00' },
  siren: { label: 'SIREN', why: '9 chiffres dont le dernier est la clé de contrôle' },
  rcsCity: { label: 'Ville du RCS', why: 'la ville du greffe, par exemple Lyon' },
  vatNumber: { label: 'N° de TVA intracommunautaire', why: 'FR, la clé puis le SIREN pour une société française' },
  registeredOffice: { label: 'Siège social', why: 'une à trois lignes d’adresse, le code postal (5 chiffres en France) et la ville' },
  phone: { label: 'Téléphone', why: 'un numéro de téléphone, par exemple +33 4 72 00 00 00' },
  email: { label: 'E-mail', why: 'une adresse e-mail' },
  iban: { label: 'IBAN', why: 'numéro invalide (pays, longueur et clé de contrôle vérifiés)' },
  bic: { label: 'BIC', why: '8 ou 11 lettres et chiffres' },
  signatory: { label: 'Signataire', why: 'le nom et la qualité, tous deux' },
};
/** What the identity still lacks before documents leave, in words. */
export const MISSING_WORDS: Record<string, string> = { legalName: 'la raison sociale', registeredOffice: 'le siège social', siren: 'le SIREN', iban: 'l’IBAN' };

/** The French words of this screen's tables (translated by the page; checked by test/web/i18n.test.ts). */
export const COMPANY_SCREEN_LABELS: readonly string[] = [...Object.values(FIELDS).flatMap((f) => [f.label, f.why]), ...Object.values(MISSING_WORDS)];

/** The form as the page shows it (what was typed, after a refusal). */
type Draft = Record<string, string>;

function draftOf(c: CompanyView): Draft {
  return {
    legalName: c.legalName ?? '',
    legalForm: c.legalForm ?? '',
    shareCapital: c.shareCapital ? (c.shareCapital.amount / 100).toFixed(2).replace('.', ',') : '',
    siren: c.siren ? spacedSiren(c.siren) : '',
    rcsCity: c.rcsCity ?? '',
    vatNumber: c.vatNumber ?? '',
    addressLines: c.registeredOffice?.lines.join('\n') ?? '',
    postcode: c.registeredOffice?.postcode ?? '',
    city: c.registeredOffice?.city ?? '',
    country: c.registeredOffice?.country ?? 'FR',
    phone: c.phone ?? '',
    email: c.email ?? '',
    iban: c.iban ? spacedIban(c.iban) : '',
    bic: c.bic ?? '',
    signatoryName: c.signatory?.name ?? '',
    signatoryTitle: c.signatory?.title ?? '',
  };
}

const blank = (v: string | undefined) => (v ?? '').trim() || null;

/** The form's fields as the API's document (blank = not set). */
function fieldsOf(b: Draft): { value: unknown } | { field: string } {
  let shareCapital: { amount: number; currency: string } | null = null;
  if (blank(b.shareCapital)) {
    const amount = parseDecimalToMinor(b.shareCapital!, 2);
    if (typeof amount === 'string' || amount < 0) return { field: 'shareCapital' };
    shareCapital = { amount, currency: 'EUR' };
  }
  const lines = (b.addressLines ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const office = lines.length || blank(b.postcode) || blank(b.city) ? { lines, postcode: (b.postcode ?? '').trim(), city: (b.city ?? '').trim(), country: blank(b.country)?.toUpperCase() ?? 'FR' } : null;
  const signatory = blank(b.signatoryName) || blank(b.signatoryTitle) ? { name: (b.signatoryName ?? '').trim(), title: (b.signatoryTitle ?? '').trim() } : null;
  return {
    value: {
      legalName: blank(b.legalName), legalForm: blank(b.legalForm), shareCapital, siren: blank(b.siren), rcsCity: blank(b.rcsCity),
      vatNumber: blank(b.vatNumber), registeredOffice: office, phone: blank(b.phone), email: blank(b.email), iban: blank(b.iban), bic: blank(b.bic), signatory,
    },
  };
}

/**
 * Settings › Company (admin): the creditor's identity every debtor document carries — what is
 * still missing before letters and e-mails leave (they wait until then), the fields, the logo and
 * the terms of sale. Each change is a new version of the company settings, audited.
 */
export function companyScreen(kit: ScreenKit, company: CompanyService): void {
  const { router, guards } = kit;
  kit.registerView('company');
  const page = [guards.loadSession, guards.signedIn, guards.allow(ADMIN)];

  const show = async (res: Response, extra: { notice?: string; error?: string; draft?: Draft } = {}, status = 200) => {
    const { t, date } = kit.speaker(res);
    const c = await company.current();
    kit.render(
      res,
      'company',
      {
        title: 'Société',
        ...extra,
        form: extra.draft ?? draftOf(c),
        version: c.version,
        changed: { at: date(c.createdAt), by: c.createdBy },
        missing: c.missingForDebtors.map((m) => t(MISSING_WORDS[m] ?? m)),
        logo: c.logo ? { bytes: Math.ceil(c.logo.bytes / 1024), version: c.logo.sha256.slice(0, 12) } : null,
        terms: c.termsOfSale ? { bytes: Math.ceil(c.termsOfSale.bytes / 1024) } : null,
      },
      status,
    );
  };

  router.get('/settings/company', ...page, (_req, res) => show(res));

  router.post('/settings/company', guards.loadSession, guards.signedIn, guards.csrf, guards.allow(ADMIN), async (req, res) => {
    const { t } = kit.speaker(res);
    const b = req.body as Draft;
    const refuse = (field: string) => {
      const f = FIELDS[field] ?? { label: field, why: '' };
      return show(res, { error: t('Non enregistré : {field} — {why}.', { field: t(f.label), why: t(f.why) }), draft: b }, 400);
    };
    const fields = fieldsOf(b);
    if ('field' in fields) return refuse(fields.field);
    const parsed = companyIdentitySchema.safeParse(fields.value);
    if (!parsed.success) return refuse(String(parsed.error.issues[0]!.path[0]));
    const session = res.locals.session as SessionContext;
    const after = await company.change(parsed.data, blank(b.reason) ?? 'company identity changed', session.auth);
    await show(res, { notice: after.missingForDebtors.length ? t('Enregistré (version {version}).', { version: after.version }) : t('Enregistré (version {version}) : les courriers et e-mails aux débiteurs partent avec cet en-tête.', { version: after.version }) });
  });

  const upload = (kind: CompanyFileKind, path: string) =>
    router.post(path, guards.loadSession, guards.signedIn, guards.allow(ADMIN), async (req, res) => {
      const { t } = kit.speaker(res);
      const rule = COMPANY_FILES[kind];
      let form: Awaited<ReturnType<typeof readUpload>>;
      try {
        form = await readUpload(req, rule.maxBytes);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        return show(res, { error: kind === 'logo' ? t('Logo refusé : une image PNG ou JPEG de 512 Ko au plus.') : t('Conditions générales refusées : un PDF de 5 Mo au plus.') }, err.kind === 'payload_too_large' ? 413 : 400);
      }
      if (!guards.csrfToken(res, form.fields._csrf)) return;
      if (!form.file) return show(res, { error: t('Choisissez un fichier.') }, 400);
      const session = res.locals.session as SessionContext;
      try {
        await company.putFile(kind, form.file.content, session.auth);
      } catch (err) {
        if (!(err instanceof DomainError) || err.kind !== 'invalid_input') throw err;
        return show(res, { error: kind === 'logo' ? t('Logo refusé : une image PNG ou JPEG de 512 Ko au plus.') : t('Conditions générales refusées : un PDF de 5 Mo au plus.') }, 400);
      }
      await show(res, { notice: kind === 'logo' ? t('Logo enregistré.') : t('Conditions générales de vente enregistrées.') });
    });
  upload('logo', COMPANY_UPLOADS[0]!);
  upload('termsOfSale', COMPANY_UPLOADS[1]!);

  for (const [kind, path] of [['logo', '/settings/company/logo/remove'], ['termsOfSale', '/settings/company/terms-of-sale/remove']] as const) {
    router.post(path, guards.loadSession, guards.signedIn, guards.csrf, guards.allow(ADMIN), async (_req, res) => {
      const { t } = kit.speaker(res);
      const session = res.locals.session as SessionContext;
      await company.removeFile(kind, session.auth).catch((err: unknown) => {
        if (!(err instanceof DomainError) || err.kind !== 'not_found') throw err;
      });
      await show(res, { notice: kind === 'logo' ? t('Logo retiré.') : t('Conditions générales de vente retirées.') });
    });
  }

  // The files themselves, for the page (the logo's preview, the terms to read again).
  for (const [kind, path] of [['logo', '/settings/company/logo'], ['termsOfSale', '/settings/company/terms-of-sale']] as const) {
    router.get(path, ...page, async (_req, res) => {
      const f = await company.file(kind);
      if (!f) return void res.status(404).type('text').send(kit.speaker(res).t('Aucun fichier.'));
      res.setHeader('Cache-Control', 'no-store');
      res.type(f.contentType).setHeader('Content-Disposition', kind === 'logo' ? 'inline' : 'inline; filename="conditions-generales-de-vente.pdf"');
      res.send(f.content);
    });
  }
}
