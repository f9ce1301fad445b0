import type supertest from 'supertest';

/** The creditor's settings every collections test uses. */
export const COMPANY_ENV = {
  COMPANY_NAME: 'Fournitures Durand SAS',
  COMPANY_LEGAL_FORM: 'SAS',
  COMPANY_SHARE_CAPITAL: '50000',
  COMPANY_RCS_CITY: 'Lyon',
  COMPANY_ADDRESS: '12 rue des Lilas',
  COMPANY_POSTCODE: '69003',
  COMPANY_CITY: 'Lyon',
  COMPANY_SIGNATORY_NAME: 'Claire Durand',
  COMPANY_SIGNATORY_TITLE: 'Présidente',
  COMPANY_SIREN: '552100554',
  COMPANY_EMAIL: 'compta@durand.example',
  COMPANY_IBAN: 'FR76 3000 6000 0112 3456 7890 189',
  COMPANY_BIC: 'AGRIFRPP',
  SMTP_FROM: 'Relances Durand <relances@durand.example>',
  SMTP_REPLY_TO: 'compta@durand.example',
};

/** Reads a binary response (PDF, .eml) whole. */
export const binary = (req: supertest.Test) =>
  req.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });

