import { z } from 'zod';
import { defineRoute, reply, type RouteDef } from '../http/route.js';
import { readBodyBuffer } from '../http/body.js';
import { InvalidInput, NotFound } from '../errors.js';
import { companyIdentityShape, withIdentityChecks } from './company-identity.js';
import { COMPANY_FILES, type CompanyFileKind, type CompanyService } from './company-service.js';

const file = z.object({ sha256: z.string(), contentType: z.string(), bytes: z.number().int() }).nullable();
const companySchema = z.object({
  version: z.number().int(),
  legalName: z.string().nullable(),
  legalForm: z.string().nullable(),
  shareCapital: z.object({ amount: z.number().int(), currency: z.string() }).nullable(),
  siren: z.string().nullable(),
  rcsCity: z.string().nullable(),
  vatNumber: z.string().nullable(),
  registeredOffice: z.object({ lines: z.array(z.string()), postcode: z.string(), city: z.string(), country: z.string() }).nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  iban: z.string().nullable(),
  bic: z.string().nullable(),
  signatory: z.object({ name: z.string(), title: z.string() }).nullable(),
  logo: file,
  termsOfSale: file,
  missingForDebtors: z.array(z.string()).describe('What must be set before a letter or e-mail leaves for a debtor; empty: they leave'),
  createdAt: z.string(),
  createdBy: z.string(),
  reason: z.string(),
});

const changeBody = withIdentityChecks(companyIdentityShape.extend({ reason: z.string().trim().min(1).max(1000).optional().describe('Why (kept in the audit log)') }));

const FILE_ROUTES: Array<{ kind: CompanyFileKind; path: string; noun: string }> = [
  { kind: 'logo', path: '/v1/company/logo', noun: 'The logo printed on the letterhead' },
  { kind: 'termsOfSale', path: '/v1/company/terms-of-sale', noun: 'The terms of sale (conditions générales de vente), joined to the injonction de payer bundle' },
];

export function companyRoutes(service: CompanyService): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/company',
      tag: 'Company',
      summary: "The creditor's identity in force (letterhead, legal mentions, payment details) and what is missing before documents leave for debtors",
      roles: ['credit_manager', 'collector'],
      responses: { 200: { description: 'The identity', schema: companySchema } },
      handler: () => service.current(),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/company',
      tag: 'Company',
      summary: "Change the creditor's identity (the whole document; a new version, audited). Logo and terms of sale have their own routes and are kept",
      roles: [],
      body: changeBody,
      responses: { 200: { description: 'The new version', schema: companySchema } },
      handler: ({ body, auth }) => {
        const { reason, ...fields } = body;
        return service.change(fields, reason ?? 'company identity changed', auth);
      },
    }),
    ...FILE_ROUTES.flatMap(({ kind, path, noun }) => [
      defineRoute({
        method: 'get',
        path,
        tag: 'Company',
        summary: `${noun}: the file`,
        roles: ['credit_manager', 'collector'],
        responses: { 200: { description: 'The file' }, 404: { description: 'None is set' } },
        handler: async () => {
          const f = await service.file(kind);
          if (!f) throw new NotFound(kind === 'logo' ? 'no logo is set' : 'no terms of sale are set');
          return reply(200, f.content, { 'Content-Type': f.contentType, 'Content-Disposition': `inline; filename="${kind === 'logo' ? 'logo' : 'conditions-generales-de-vente'}.${f.contentType === 'application/pdf' ? 'pdf' : f.contentType === 'image/png' ? 'png' : 'jpg'}"` });
        },
      }),
      defineRoute({
        method: 'put',
        path,
        tag: 'Company',
        summary: `${noun}: replace it (${COMPANY_FILES[kind].label}; a new version, audited)`,
        roles: [],
        rawBody: { contentTypes: [...COMPANY_FILES[kind].types], description: COMPANY_FILES[kind].label },
        responses: { 200: { description: 'The new version', schema: companySchema } },
        handler: async ({ req, auth }) => {
          if (!req.is([...COMPANY_FILES[kind].types])) {
            throw new InvalidInput(`body: send ${COMPANY_FILES[kind].label} with its Content-Type (${COMPANY_FILES[kind].types.join(' or ')})`, [{ field: 'body', message: `expected ${COMPANY_FILES[kind].types.join(' or ')}` }], 'unsupported_media_type');
          }
          return service.putFile(kind, await readBodyBuffer(req, COMPANY_FILES[kind].maxBytes), auth);
        },
      }),
      defineRoute({
        method: 'delete',
        path,
        tag: 'Company',
        summary: `${noun}: remove it (a new version, audited)`,
        roles: [],
        responses: { 200: { description: 'The new version', schema: companySchema } },
        handler: ({ auth }) => service.removeFile(kind, auth),
      }),
    ]),
  ];
}
