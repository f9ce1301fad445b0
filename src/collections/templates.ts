import { readdirSync, readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { currencyMinorDigits } from '../identifiers.js';

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** A rendered message: the subject, a plain-text body, and the same body as escaped HTML. */
export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

const LOCALES: Record<Language, string> = { fr: 'fr-FR', en: 'en-GB' };

/**
 * The reminder and letter templates (src/collections/templates/<language>/<name>.hbs: a
 * `subject:` line, `---`, then the body), rendered with Handlebars. Variables are escaped in the
 * HTML version; the plain-text version and the PDF letters use the text as written. Money is in
 * minor units and formatted for the language; dates are ISO days formatted for it.
 */
export class Templates {
  private readonly compiled = new Map<string, { subject: HandlebarsTemplateDelegate; text: HandlebarsTemplateDelegate; html: HandlebarsTemplateDelegate }>();
  private readonly hb = Handlebars.create();

  constructor(dir = new URL('./templates/', import.meta.url)) {
    this.hb.registerHelper('money', function (this: unknown, minor: unknown, options: Handlebars.HelperOptions) {
      const root = options.data.root as { currency: string; language: Language };
      return formatMoney(Number(minor), root.currency, root.language);
    });
    this.hb.registerHelper('date', function (this: unknown, day: unknown, options: Handlebars.HelperOptions) {
      const root = options.data.root as { language: Language };
      return typeof day === 'string' ? formatDay(day, root.language) : '';
    });
    this.hb.registerHelper('percent', function (this: unknown, bp: unknown, options: Handlebars.HelperOptions) {
      const root = options.data.root as { language: Language };
      return formatPercent(Number(bp), root.language);
    });
    for (const language of LANGUAGES) {
      const folder = new URL(`${language}/`, dir);
      for (const file of readdirSync(folder)) {
        if (!file.endsWith('.hbs')) continue;
        const source = readFileSync(new URL(file, folder), 'utf8');
        const m = /^subject:[ \t]*(.*)\r?\n---\r?\n([\s\S]*)$/.exec(source);
        if (!m) throw new Error(`template ${language}/${file}: expected "subject: …", a line "---", then the body`);
        const [, subject, body] = m;
        this.compiled.set(`${language}/${file.slice(0, -4)}`, {
          subject: this.hb.compile(subject!, { noEscape: true, strict: true }),
          text: this.hb.compile(body!, { noEscape: true, strict: true }),
          html: this.hb.compile(body!, { strict: true }),
        });
      }
    }
  }

  /** The template names available in every language. */
  names(): string[] {
    const byLang = LANGUAGES.map((l) => new Set([...this.compiled.keys()].filter((k) => k.startsWith(`${l}/`)).map((k) => k.slice(l.length + 1))));
    return [...byLang[0]!].filter((n) => byLang.every((s) => s.has(n))).sort();
  }

  has(name: string): boolean {
    return this.names().includes(name);
  }

  render(name: string, language: Language, context: Record<string, unknown> & { currency: string }): Rendered {
    const t = this.compiled.get(`${language}/${name}`);
    if (!t) throw new Error(`no template ${language}/${name}`);
    const data = { ...context, language };
    const text = tidy(t.text(data));
    return { subject: t.subject(data).replace(/\s+/g, ' ').trim(), text, html: toHtml(tidy(t.html(data))) };
  }
}

/** Blank lines left by block helpers collapse to one; trailing spaces go. */
function tidy(s: string): string {
  return s
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Already-escaped text to HTML: paragraphs on blank lines, line breaks inside them. */
function toHtml(escaped: string): string {
  const paragraphs = escaped.split(/\n{2,}/).map((p) => `<p>${p.split('\n').join('<br>\n')}</p>`);
  return `<!doctype html><html><body style="font-family: Arial, sans-serif; font-size: 14px; line-height: 1.4">\n${paragraphs.join('\n')}\n</body></html>`;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();
export function formatMoney(minor: number, currency: string, language: Language): string {
  const key = `${language}:${currency}`;
  let f = moneyFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(LOCALES[language], { style: 'currency', currency });
    moneyFormats.set(key, f);
  }
  // Narrow no-break spaces (fr-FR) become plain no-break spaces: every PDF font has that glyph.
  return f.format(minor / 10 ** currencyMinorDigits(currency)).replace(/\u202f/g, '\u00a0');
}

// Building an Intl formatter costs far more than using one: one per language, kept.
const dayFormats = Object.fromEntries(LANGUAGES.map((l) => [l, new Intl.DateTimeFormat(LOCALES[l], { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })])) as Record<Language, Intl.DateTimeFormat>;
const percentFormats = Object.fromEntries(LANGUAGES.map((l) => [l, new Intl.NumberFormat(LOCALES[l], { minimumFractionDigits: 2, maximumFractionDigits: 2 })])) as Record<Language, Intl.NumberFormat>;
const days = new Map<string, string>();

const shortDayFormats = Object.fromEntries(LANGUAGES.map((l) => [l, new Intl.DateTimeFormat(LOCALES[l], { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' })])) as Record<Language, Intl.DateTimeFormat>;

/** A day as dd/mm/yyyy, for the columns of a table (where "15 septembre 2026" would wrap). */
export function formatShortDay(day: string, language: Language): string {
  return shortDayFormats[language].format(new Date(`${day}T12:00:00Z`));
}

export function formatDay(day: string, language: Language): string {
  const key = `${language}:${day}`;
  let out = days.get(key);
  if (out === undefined) {
    out = dayFormats[language].format(new Date(`${day}T12:00:00Z`));
    if (days.size > 50_000) days.clear();
    days.set(key, out);
  }
  return out;
}

export function formatPercent(bp: number, language: Language): string {
  return `${percentFormats[language].format(bp / 100)}\u00a0%`;
}
