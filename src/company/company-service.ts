import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { VersionedPolicy, type PolicyVersion } from '../policy/versioned-policy.js';
import type { Letterhead } from '../collections/pdf.js';
import { EMPTY_IDENTITY, missingForDebtors, type CompanyIdentity, type CompanyIdentityFields, type StoredFile } from './company-identity.js';

export type CompanyFileKind = 'logo' | 'termsOfSale';

/** What each file may be: its types (checked on the bytes themselves), its size. */
export const COMPANY_FILES: Record<CompanyFileKind, { types: ReadonlyArray<StoredFile['contentType']>; maxBytes: number; label: string }> = {
  logo: { types: ['image/png', 'image/jpeg'], maxBytes: 512 * 1024, label: 'a PNG or JPEG image of at most 512 KB' },
  termsOfSale: { types: ['application/pdf'], maxBytes: 5 * 1024 * 1024, label: 'a PDF of at most 5 MB' },
};

/** The type a file's first bytes show (not the type its sender claims). */
export function sniffType(content: Buffer): StoredFile['contentType'] | null {
  if (content.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff) return 'image/jpeg';
  if (content.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  return null;
}

export interface CompanyView extends CompanyIdentity {
  version: number;
  createdAt: string;
  createdBy: string;
  reason: string;
  /** What must still be set before a letter or e-mail may leave for a debtor (empty: ready). */
  missingForDebtors: string[];
}

/** Raised by every debtor-facing document while the identity is incomplete (409, naming the fields). */
export class CompanyIdentityIncomplete extends Conflict {
  constructor(missing: readonly string[]) {
    super(
      `the company identity is incomplete: ${missing.join(', ')} must be set in the company settings before a document leaves for a debtor`,
      'company_identity_incomplete',
      missing.map((field) => ({ field, message: 'required before a document leaves for a debtor' })),
    );
  }
}

/**
 * The creditor's identity: versioned like the policies (every change a new version, audited with
 * the old and new values), its first version seeded from the environment. Debtor-facing documents
 * take their letterhead from here — `letterhead()` refuses while the identity is incomplete; the
 * dunning run asks `readiness()` and holds its letters and e-mails instead.
 */
export class CompanyService {
  private readonly versions: VersionedPolicy<CompanyIdentity>;
  private readonly logos = new Map<string, Buffer>();

  constructor(
    private readonly db: Kysely<DB>,
    audit: AuditService,
    seed: CompanyIdentityFields,
    /** Called after a change that made the identity complete (held documents may now leave). */
    private readonly onReady: () => Promise<void> = async () => undefined,
  ) {
    this.versions = new VersionedPolicy<CompanyIdentity>(db, {
      table: 'company_settings',
      audit,
      entityType: 'company',
      action: 'company.changed',
      initial: { policy: { ...EMPTY_IDENTITY, ...seed }, by: 'configuration', reason: 'company identity from the environment (COMPANY_*)' },
      toColumns: (identity) => ({ identity: JSON.stringify(identity) }),
      fromRow: (row) => ({ ...EMPTY_IDENTITY, ...(row.identity as Partial<CompanyIdentity>) }),
      auditValue: (identity) => ({ identity }),
    });
  }

  async current(): Promise<CompanyView> {
    return view(await this.versions.current());
  }

  /** The fields replaced as a whole (the files stay); a new version. */
  async change(fields: CompanyIdentityFields, reason: string, actor: AuthContext): Promise<CompanyView> {
    const before = await this.versions.current();
    return this.write(before, { ...fields, logo: before.policy.logo, termsOfSale: before.policy.termsOfSale }, reason, actor);
  }

  async putFile(kind: CompanyFileKind, content: Buffer, actor: AuthContext): Promise<CompanyView> {
    const rule = COMPANY_FILES[kind];
    const type = sniffType(content);
    if (!type || !rule.types.includes(type)) throw InvalidInput.field('body', `must be ${rule.label}`, 'unsupported_file');
    if (content.length > rule.maxBytes) throw InvalidInput.field('body', `must be ${rule.label}`, 'file_too_large');
    const sha256 = createHash('sha256').update(content).digest('hex');
    await this.db
      .insertInto('company_files')
      .values({ sha256, content_type: type, bytes: content.length, content })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
    const before = await this.versions.current();
    const file: StoredFile = { sha256, contentType: type, bytes: content.length };
    return this.write(before, { ...before.policy, [kind]: file }, kind === 'logo' ? 'logo changed' : 'terms of sale changed', actor);
  }

  async removeFile(kind: CompanyFileKind, actor: AuthContext): Promise<CompanyView> {
    const before = await this.versions.current();
    if (!before.policy[kind]) throw new NotFound(kind === 'logo' ? 'no logo is set' : 'no terms of sale are set');
    return this.write(before, { ...before.policy, [kind]: null }, kind === 'logo' ? 'logo removed' : 'terms of sale removed', actor);
  }

  async file(kind: CompanyFileKind): Promise<{ content: Buffer; contentType: string } | null> {
    const ref = (await this.versions.current()).policy[kind];
    if (!ref) return null;
    const row = await this.db.selectFrom('company_files').select(['content', 'content_type']).where('sha256', '=', ref.sha256).executeTakeFirst();
    return row ? { content: row.content, contentType: row.content_type } : null;
  }

  /** A file by its hash, as a version named it (a legal case keeps the terms of sale of its day). */
  async fileBySha(sha256: string): Promise<Buffer | null> {
    const row = await this.db.selectFrom('company_files').select('content').where('sha256', '=', sha256).executeTakeFirst();
    return row?.content ?? null;
  }

  /** Whether documents may leave for debtors, and the letterhead as it stands (complete or not). */
  async readiness(): Promise<{ ready: boolean; missing: string[]; letterhead: Letterhead }> {
    const v = await this.versions.current();
    const missing = missingForDebtors(v.policy);
    return { ready: missing.length === 0, missing, letterhead: await this.toLetterhead(v.policy) };
  }

  /** The letterhead of a debtor-facing document; refused (409, naming the fields) while incomplete. */
  async letterhead(): Promise<Letterhead> {
    const r = await this.readiness();
    if (!r.ready) throw new CompanyIdentityIncomplete(r.missing);
    return r.letterhead;
  }

  private async write(before: PolicyVersion<CompanyIdentity>, next: CompanyIdentity, reason: string, actor: AuthContext): Promise<CompanyView> {
    const wasReady = missingForDebtors(before.policy).length === 0;
    const after = await this.versions.change(next, reason, actor);
    if (!wasReady && missingForDebtors(after.policy).length === 0) await this.onReady();
    return view(after);
  }

  private async toLetterhead(c: CompanyIdentity): Promise<Letterhead> {
    let logo: Letterhead['logo'] = null;
    if (c.logo) {
      let content = this.logos.get(c.logo.sha256);
      if (!content) {
        const row = await this.db.selectFrom('company_files').select('content').where('sha256', '=', c.logo.sha256).executeTakeFirst();
        if (row) this.logos.set(c.logo.sha256, (content = row.content));
      }
      if (content) logo = { content, contentType: c.logo.contentType };
    }
    const office = c.registeredOffice;
    return {
      name: c.legalName ?? '',
      legalForm: c.legalForm,
      shareCapital: c.shareCapital,
      rcsCity: c.rcsCity,
      vatNumber: c.vatNumber,
      address: office ? [...office.lines, `${office.postcode} ${office.city}`, ...(office.country !== 'FR' ? [office.country] : [])] : [],
      city: office?.city ?? null,
      siren: c.siren,
      email: c.email,
      phone: c.phone,
      iban: c.iban,
      bic: c.bic,
      signatory: c.signatory,
      logo,
    };
  }
}

function view(v: PolicyVersion<CompanyIdentity>): CompanyView {
  return { version: v.version, ...v.policy, createdAt: v.createdAt, createdBy: v.createdBy, reason: v.reason, missingForDebtors: missingForDebtors(v.policy) };
}
