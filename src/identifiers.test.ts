import { describe, expect, it } from 'vitest';
import { isValidSiren, isValidSiret, luhnValid } from './identifiers.js';

describe('French company identifiers', () => {
  it.each([
    ['552032534', true], // Danone
    ['880878145', true],
    ['418166096', true], // OCTO Technology
    ['552032535', false],
    ['12345678', false],
    ['55203253A', false],
    ['356000000', true], // La Poste: exempt from Luhn
  ])('SIREN %s is valid: %s', (siren, valid) => {
    expect(isValidSiren(siren)).toBe(valid);
  });

  it.each([
    ['41816609600069', true],
    ['39860733300059', true],
    ['41816609600068', false],
    ['4181660960006', false],
    ['35600000000015', true], // La Poste: digit sum divisible by 5
    ['35600000000016', false],
  ])('SIRET %s is valid: %s', (siret, valid) => {
    expect(isValidSiret(siret)).toBe(valid);
  });

  it('luhn accepts the textbook example', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });
});
