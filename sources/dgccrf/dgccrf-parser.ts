import * as cheerio from 'cheerio';
import type { Sanction } from '../source.js';

/**
 * The DGCCRF publishes each late-payment fine as a heading like
 * "01/08/2019 - Amende de 5 000 € prononcée à l’encontre de la société LEPEE VITRAGE (numéro de SIRET 31399760300052)"
 * followed by a paragraph on the legal basis. The parser reads text, so a change of markup does
 * not break it; the selectors that pick the text out of the page are all here.
 */
export const SELECTORS = {
  /** Where the entries are; the first that matches is used. */
  content: ['main', '#main-content', '.region-content', 'body'],
  /** Block elements whose text is read in order. */
  blocks: 'h1, h2, h3, h4, h5, p, li',
  /** The link to the next page of entries. */
  next: 'a[rel="next"], .pager__item--next a, .pager-next a',
} as const;

const ENTRY =
  /^(\d{2})\/(\d{2})\/(\d{4})\s*[-–]\s*Amende de\s+([\d\s\u00a0\u202f.]+)\s*(?:€|euros?)\s+prononcée\s+à\s+l[’']encontre\s+de\s+(?:la\s+société\s+|la\s+|l[’']|M\.\s*|Mme\s+)?(.+?)\s*\(\s*(?:numéro de\s+)?SIRET\s*:?\s*(\d[\d\s]{12,20}\d)\s*\)/i;

/** Entries from the page's text blocks (one block per heading or paragraph). */
export function parseSanctionBlocks(blocks: string[]): Sanction[] {
  const out: Sanction[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const m = ENTRY.exec(blocks[i]!.replace(/\s+/g, ' ').trim());
    if (!m) continue;
    const [, dd, mm, yyyy, amount, name, siretRaw] = m;
    const siret = siretRaw!.replace(/\s/g, '');
    const euros = Number(amount!.replace(/[\s\u00a0\u202f.]/g, ''));
    const following = blocks[i + 1] && !ENTRY.test(blocks[i + 1]!.trim()) ? blocks[i + 1]!.trim() : '';
    out.push({
      date: `${yyyy}-${mm}-${dd}`,
      amount: euros * 100,
      name: name!.trim(),
      siret: /^\d{14}$/.test(siret) ? siret : null,
      siren: /^\d{14}$/.test(siret) ? siret.slice(0, 9) : null,
      text: following,
    });
  }
  return out;
}

/** A plain-text rendering of the page: paragraphs are separated by blank lines. */
export function parseSanctionText(text: string): Sanction[] {
  return parseSanctionBlocks(text.split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean));
}

export function parseSanctionPage(html: string): { sanctions: Sanction[]; nextHref: string | null } {
  const $ = cheerio.load(html);
  const selector = SELECTORS.content.find((s) => $(s).length > 0) ?? 'body';
  const blocks = $(selector)
    .first()
    .find(SELECTORS.blocks)
    .toArray()
    .map((el) => $(el).text().trim())
    .filter(Boolean);
  return { sanctions: parseSanctionBlocks(blocks), nextHref: $(SELECTORS.next).first().attr('href') ?? null };
}
