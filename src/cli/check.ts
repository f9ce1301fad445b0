#!/usr/bin/env -S npx tsx
/**
 * npm run check -- <siren> [--monthly <euros>] [--refresh] — a prospect check for sales, printed
 * for people: the running service's assessment of a company (VIGIE_URL, VIGIE_API_KEY).
 */
import { parseArgs } from 'node:util';
import axios from 'axios';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    monthly: { type: 'string' },
    refresh: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    url: { type: 'string', default: process.env.VIGIE_URL ?? 'http://localhost:3000' },
  },
});
const siren = positionals[0]?.replace(/\s/g, '');
const key = process.env.VIGIE_API_KEY;
if (!siren || !key) {
  console.error('usage: VIGIE_API_KEY=<a sales or credit_manager key> [VIGIE_URL=http://localhost:3000] npm run check -- <siren> [--url <service url>] [--monthly <euros a month>] [--refresh] [--json]');
  process.exit(2);
}

interface Reason { code: string; points: number; detail: string; scorer: string }
const euros = (cents: number) => `${(cents / 100).toLocaleString('fr-FR', { maximumFractionDigits: 0 })} €`;

const params: Record<string, string> = { refresh: String(values.refresh) };
if (values.monthly) params.expectedMonthlyPurchases = String(Math.round(Number(values.monthly.replace(',', '.')) * 100));

/**
 * One line and an exit code for every way the call can fail — never a stack trace, and never the
 * request (whose headers carry the key): 1 the service refused the request, 3 it could not answer.
 */
function fail(message: string, code: number): never {
  console.error(`vigie-check: ${message}`);
  process.exit(code);
}

let res;
try {
  res = await axios.get(`${values.url.replace(/\/$/, '')}/v1/companies/${encodeURIComponent(siren)}/assessment`, {
    params,
    headers: { authorization: `Bearer ${key}` },
    validateStatus: () => true,
    timeout: 60_000,
  });
} catch (err) {
  const { code, message } = err as { code?: string; message?: string };
  const why =
    code === 'ECONNREFUSED' ? 'connection refused'
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host not found'
    : code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'no answer within 60 s'
    : code ?? message ?? 'unknown error';
  fail(`cannot reach Vigie at ${values.url} (${why}); is it running? Set VIGIE_URL or --url.`, 3);
}
if (res.status === 401) fail('the API key was refused (401): check VIGIE_API_KEY.', 1);
if (res.status === 403) fail('this API key may not run prospect checks (403): use a sales or credit_manager key.', 1);
if (res.status !== 200) {
  const data = res.data as { error?: { message?: string } } | string | undefined;
  const message = typeof data === 'object' && data?.error?.message ? data.error.message : `HTTP ${res.status}`;
  fail(`${res.status}: ${message}`, res.status >= 500 ? 3 : 1);
}
const a = res.data;
if (values.json) {
  console.log(JSON.stringify(a, null, 2));
  process.exit(0);
}
const line = (label: string, value: string) => console.log(`${label.padEnd(22)}${value}`);
console.log(`${a.company.name ?? '(no name)'} — SIREN ${a.siren} — ${a.company.status}${a.customerId ? ' — a customer' : ''}`);
line('Grade', `${a.grade}   score ${a.score}/100   PD 12 months ${(a.probabilityOfDefault12m * 100).toFixed(2)}%`);
line('Recommended limit', `${euros(a.recommendedLimit.amount)} (${a.recommendedLimit.reason.detail})`);
line('Payment conditions', `${a.paymentConditions.condition.replace(/_/g, ' ')}: ${a.paymentConditions.detail}`);
line('Confidence', `${a.confidence.level}${a.confidence.missing.length ? ` — missing: ${a.confidence.missing.join(', ')}` : ''}`);
console.log('Reasons');
for (const r of a.reasons as Reason[]) {
  const pts = r.points === 0 ? '    ' : `${r.points > 0 ? '+' : ''}${r.points.toFixed(1)}`.padStart(5);
  console.log(`  ${pts}  ${r.code.padEnd(26)} ${r.detail}`);
}
console.log('Sources');
for (const f of a.freshness as Array<{ source: string; fetchedAt: string | null; stale: boolean; available: boolean }>) {
  console.log(`  ${f.source.padEnd(24)} ${f.available ? `fetched ${f.fetchedAt}${f.stale ? ' (STALE)' : ''}` : 'unavailable'}`);
}
