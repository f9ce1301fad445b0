import { describe, expect, it } from 'vitest';
import { declarationDeadline, mandataireFrom, reliefDeadline, retentionClaimDeadline } from './insolvency-law.js';

describe('the deadline to declare a claim (R622-24)', () => {
  it.each([
    ['2026-12-07', false, '2027-02-07'],
    ['2026-12-31', false, '2027-02-28'], // across a month end: the month's last day
    ['2027-12-30', false, '2028-02-29'],
    ['2026-12-31', true, '2027-04-30'], // a creditor abroad: 4 months
    ['2026-10-31', true, '2027-02-28'],
  ])('published %s, abroad %s: %s', (published, abroad, expected) => {
    expect(declarationDeadline(published, abroad)).toBe(expected);
  });
  it('retention of title: 3 months; relief: 6 months', () => {
    expect(retentionClaimDeadline('2026-11-30')).toBe('2027-02-28');
    expect(reliefDeadline('2026-08-31')).toBe('2027-02-28');
  });
});

describe('the mandataire named in the judgment', () => {
  it.each([
    ['Jugement prononçant la liquidation judiciaire, désignant liquidateur SELARL MJ Synergie, 1 rue Juliette Récamier 69006 Lyon. Les créances sont à déclarer dans les deux mois.', 'SELARL MJ Synergie, 1 rue Juliette Récamier 69006 Lyon'],
    ['Mandataire judiciaire : Maître Jean Dupont, 12 avenue Foch 75016 Paris; Administrateur : néant', 'Maître Jean Dupont, 12 avenue Foch 75016 Paris'],
    ['Jugement prononcé par le tribunal de commerce', null],
    [null, null],
    ['Les déclarations de créances sont à adresser au mandataire judiciaire dans les deux mois', null],
  ])('%s', (text, expected) => {
    expect(mandataireFrom(text)).toBe(expected);
  });
});
