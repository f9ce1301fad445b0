import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Request } from 'express';
import { formatMoney } from '../collections/templates.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The web application's languages: French first, English available. */
export const WEB_LANGS = ['fr', 'en'] as const;
export type WebLang = (typeof WEB_LANGS)[number];
/** The browser's choice of language (a preference, not a credential). */
export const LANG_COOKIE = 'vigie_lang';

/**
 * The pages are written in French; web/i18n/en.json gives each French text its English. A text
 * may name values in braces ({amount}), filled after translation. A text missing from the
 * dictionary shows in French (test/web/i18n.test.ts fails the build when one is missing).
 */
export const EN: Readonly<Record<string, string>> = JSON.parse(readFileSync(path.join(ROOT, 'web/i18n/en.json'), 'utf8'));

export type Params = Record<string, string | number | null | undefined>;

export function translate(lang: WebLang, text: string, params?: Params): string {
  const s = lang === 'en' ? (EN[text] ?? text) : text;
  return params ? s.replace(/\{(\w+)\}/g, (m, k: string) => (params[k] === undefined || params[k] === null ? m : String(params[k]))) : s;
}

/** The language of a request: its cookie, else French. */
export function langOf(req: Request): WebLang {
  const m = /(?:^|;\s*)vigie_lang=(fr|en)(?:;|$)/.exec(req.headers.cookie ?? '');
  return (m?.[1] as WebLang | undefined) ?? 'fr';
}

const decimals = new Map<string, Intl.NumberFormat>();
/** What a page needs to speak one language: its texts, amounts (1 234,56 € / €1,234.56), dates (03/12/2026), decimals. */
export function speaker(lang: WebLang) {
  const number = (v: number, digits = 1) => {
    const key = `${lang}:${digits}`;
    let f = decimals.get(key);
    if (!f) decimals.set(key, (f = new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: digits })));
    return f.format(v).replace(/\u202f/g, '\u00a0');
  };
  return {
    lang,
    t: (text: string, params?: Params) => translate(lang, text, params),
    money: (minor: number | null | undefined, currency = 'EUR') => (minor === null || minor === undefined ? '–' : formatMoney(Number(minor), currency, lang)),
    /** Day/month/year in both languages (the British order). */
    date: (iso: string | null | undefined) => (iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : ''),
    number,
    percent: (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${number(v)}${lang === 'fr' ? '\u00a0%' : '%'}`),
  };
}
export type Speaker = ReturnType<typeof speaker>;
