import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EN, speaker, translate } from '../../src/web/i18n.js';
import { TRANSLATED_LABELS } from '../../src/web/web-app.js';

/*
 * The pages are written in French and translated through web/i18n/en.json. Every text the views
 * and the web application pass to t(), and every label of their tables, has its English, with the
 * same {placeholders}; the dictionary holds nothing no page uses.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const views = readdirSync(path.join(ROOT, 'web/views')).map((f) => readFileSync(path.join(ROOT, 'web/views', f), 'utf8'));
// The web application and its screens (src/web/screens).
const code = [path.join(ROOT, 'src/web/web-app.ts'), ...readdirSync(path.join(ROOT, 'src/web/screens')).map((f) => path.join(ROOT, 'src/web/screens', f))]
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

const used = new Set<string>([
  ...views.flatMap((v) => [...v.matchAll(/\{\{t "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!)),
  // t('…'), and both sides of t(cond ? '…' : '…')
  ...[...code.matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]!),
  ...[...code.matchAll(/\bt\([^()?]*\?\s*'((?:[^'\\]|\\.)*)'\s*:\s*'((?:[^'\\]|\\.)*)'\s*[,)]/g)].flatMap((m) => [m[1]!, m[2]!]),
  // page titles, translated by the layout
  ...[...code.matchAll(/\btitle: '((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]!),
  ...TRANSLATED_LABELS,
]);
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the English version of the pages', () => {
  it('has every French text the pages use, with the same placeholders', () => {
    const missing = [...used].filter((k) => EN[k] === undefined);
    expect(missing, `missing from web/i18n/en.json:\n${missing.join('\n')}`).toEqual([]);
    for (const k of used) expect(placeholders(EN[k]!), k).toEqual(placeholders(k));
  });

  it('holds nothing no page uses', () => {
    expect(Object.keys(EN).filter((k) => !used.has(k))).toEqual([]);
  });

  it('fills placeholders after translating, and formats amounts, dates and percentages per language', () => {
    expect(translate('fr', 'Limite fixée à {amount}.', { amount: '1 000,00 €' })).toBe('Limite fixée à 1 000,00 €.');
    expect(translate('en', 'Limite fixée à {amount}.', { amount: '€1,000.00' })).toBe(`${EN['Limite fixée à {amount}.']!.replace('{amount}', '€1,000.00')}`);
    const fr = speaker('fr');
    const en = speaker('en');
    expect(fr.money(123_456)).toBe('1\u00a0234,56\u00a0€');
    expect(en.money(123_456)).toBe('€1,234.56');
    expect(fr.date('2026-12-03')).toBe('03/12/2026');
    expect(en.date('2026-12-03')).toBe('03/12/2026');
    expect(fr.percent(12.34)).toBe('12,3\u00a0%');
    expect(en.percent(12.34)).toBe('12.3%');
  });
});
