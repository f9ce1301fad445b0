import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeSiren, type TestApp } from '../setup/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const count = async () => Number((await t.container.database.pool.query('SELECT count(*) FROM customers')).rows[0].count);

describe('customers', () => {
  it('creates a customer from a SIRET, deriving the SIREN, with default currency and terms', async () => {
    const res = await t.as('credit_manager').post('/v1/customers', { externalId: 'OCTO', siret: '41816609600069', name: 'OCTO Technology' }).expect(201);
    expect(res.body).toMatchObject({
      externalId: 'OCTO',
      siren: '418166096',
      siret: '41816609600069',
      currency: 'EUR',
      paymentTerms: { days: 30, basis: 'invoice_date' },
    });
    expect(res.headers.location).toBe(`/v1/customers/${res.body.id}`);
    const got = await t.as('sales').get(`/v1/customers/${res.body.id}`).expect(200);
    expect(got.body.name).toBe('OCTO Technology');
  });

  it('accepts 45 days end of month and 60 days from the invoice date', async () => {
    await t.as('credit_manager').post('/v1/customers', { externalId: 'EOM', siren: makeSiren(), name: 'A', paymentTerms: { days: 45, basis: 'end_of_month' } }).expect(201);
    await t.as('credit_manager').post('/v1/customers', { externalId: 'D60', siren: makeSiren(), name: 'B', paymentTerms: { days: 60 } }).expect(201);
  });

  it.each([
    ['an invalid SIREN', { siren: '552032535' }, 'body.siren'],
    ['a SIREN of the wrong length', { siren: '55203253' }, 'body.siren'],
    ['an invalid SIRET', { siren: undefined, siret: '41816609600068' }, 'body.siret'],
    ['a SIRET of another company', { siret: '41816609600069' }, 'body.siret'],
    ['an unknown currency', { currency: 'EUX' }, 'body.currency'],
    ['a lowercase currency', { currency: 'eur' }, 'body.currency'],
    ['terms of 90 days', { paymentTerms: { days: 90 } }, 'body.paymentTerms.days'],
    ['terms of 50 days end of month', { paymentTerms: { days: 50, basis: 'end_of_month' } }, 'body.paymentTerms.days'],
    ['an unknown terms basis', { paymentTerms: { days: 30, basis: 'delivery' } }, 'body.paymentTerms.basis'],
    ['a missing name', { name: undefined }, 'body.name'],
    ['a missing externalId', { externalId: undefined }, 'body.externalId'],
    ['a number as name', { name: 42 }, 'body.name'],
    ['neither SIREN nor SIRET', { siren: undefined }, 'body.siren'],
    ['an unknown field', { sirn: '552032534' }, 'body'],
  ])('rejects %s with a 400 naming %s, and writes nothing', async (_label, patch, field) => {
    const before = await count();
    const body = { externalId: `BAD-${Math.random()}`, siren: '552032534', name: 'Danone', ...patch };
    const res = await t.as('credit_manager').post('/v1/customers', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(res.body.error.message).toContain(field);
    expect(await count()).toBe(before);
  });

  it('terms over the legal maximum cite the Code de commerce', async () => {
    const res = await t.as('credit_manager').post('/v1/customers', { externalId: 'T90', siren: makeSiren(), name: 'x', paymentTerms: { days: 90 } });
    expect(res.body.error.message).toMatch(/L441-10/);
  });

  it('refuses a second customer with the same externalId (409) and keeps the first', async () => {
    await t.as('credit_manager').post('/v1/customers', { externalId: 'DUP', siren: makeSiren(), name: 'First' }).expect(201);
    const res = await t.as('credit_manager').post('/v1/customers', { externalId: 'DUP', siren: makeSiren(), name: 'Second' }).expect(409);
    expect(res.body.error.code).toBe('customer_external_id_taken');
    const list = await t.as('sales').get('/v1/customers?externalId=DUP').expect(200);
    expect(list.body.items.map((c: { name: string }) => c.name)).toEqual(['First']);
  });

  it('PATCH changes fields, validates them, and 404s an unknown customer', async () => {
    const c = await t.as('credit_manager').post('/v1/customers', { externalId: 'P1', siren: makeSiren(), name: 'Old' }).expect(201);
    const res = await t.as('credit_manager').patch(`/v1/customers/${c.body.id}`, { name: 'New', paymentTerms: { days: 45, basis: 'end_of_month' } }).expect(200);
    expect(res.body).toMatchObject({ name: 'New', paymentTerms: { days: 45, basis: 'end_of_month' } });
    const bad = await t.as('credit_manager').patch(`/v1/customers/${c.body.id}`, { paymentTerms: { days: 61 } }).expect(400);
    expect(bad.body.error.details[0].field).toBe('body.paymentTerms.days');
    expect((await t.as('sales').get(`/v1/customers/${c.body.id}`)).body.paymentTerms.days).toBe(45);
    await t.as('credit_manager').patch('/v1/customers/00000000-0000-4000-8000-000000000000', { name: 'x' }).expect(404);
    await t.as('credit_manager').patch(`/v1/customers/${c.body.id}`, {}).expect(400);
    await t.as('sales').get('/v1/customers/not-a-uuid').expect(400);
  });

  it('lists with filters and walks every page with the cursor', async () => {
    for (let i = 0; i < 7; i++) {
      await t.as('credit_manager').post('/v1/customers', { externalId: `PAGE-${i}`, siren: makeSiren(), name: `Paginated ${i}` }).expect(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ externalId: string }>; nextCursor: string | null } } = await t
        .as('sales')
        .get(`/v1/customers?q=paginated&limit=3${cursor ? `&cursor=${cursor}` : ''}`)
        .expect(200);
      seen.push(...page.body.items.map((c) => c.externalId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['PAGE-0', 'PAGE-1', 'PAGE-2', 'PAGE-3', 'PAGE-4', 'PAGE-5', 'PAGE-6']);
    await t.as('sales').get('/v1/customers?cursor=garbage').expect(400);
    await t.as('sales').get('/v1/customers?limit=0').expect(400);
  });
});
