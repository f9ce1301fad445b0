import { describe, expect, it } from 'vitest';
import { courtFromGreffe, legalFormLabel } from './injonction-law.js';

describe('the competent court from the RCS greffe', () => {
  it.each([
    ['Greffe du Tribunal de Commerce de Paris', 'Tribunal de commerce de Paris'],
    ['GREFFE DU TRIBUNAL DE COMMERCE DE PARIS', 'Tribunal de commerce de Paris'],
    ['Greffe du Tribunal de Commerce de paris', 'Tribunal de commerce de Paris'],
    ['GREFFE DU TRIBUNAL DE COMMERCE DE BOULOGNE-SUR-MER', 'Tribunal de commerce de Boulogne-sur-Mer'],
    ["Greffe du Tribunal de Commerce d'Évry", 'Tribunal de commerce d’Évry'],
    ['Greffe du Tribunal judiciaire de Strasbourg', 'Tribunal judiciaire de Strasbourg'],
    ['Greffe du Tribunal des activités économiques de Lyon', 'Tribunal des activités économiques de Lyon'],
    ['Registre spécial des agents commerciaux', null],
    [null, null],
  ])('%s → %s', (greffe, court) => {
    expect(courtFromGreffe(greffe)).toBe(court);
  });
  it('words the commonest legal forms, and names the code of the others', () => {
    expect(legalFormLabel('5710')).toBe('société par actions simplifiée (SAS)');
    expect(legalFormLabel('6540')).toBe('catégorie juridique INSEE 6540');
    expect(legalFormLabel(null)).toBeNull();
  });
});
