import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { collectiveRecord, startSourcesServer } from '../setup/sources-server.js';
import { orderCheck, setLimit, unique } from '../setup/ledger-helpers.js';
import { DEFAULT_SCORING_POLICY } from '../../scorers/scoring-policy.js';

const DANONE = '552032534';
const GANYMEDE = '880878145';

let server: Awaited<ReturnType<typeof startSourcesServer>>;
let t: TestApp;
beforeAll(async () => {
  server = await startSourcesServer();
  t = await createTestApp(server.env, { now: '2026-11-23T10:00:00Z' });
});
afterAll(async () => {
  await t?.close();
  await server?.close();
});

async function customerWithSiren(siren: string) {
  const externalId = unique('SCORE');
  const res = await t.as('credit_manager').post('/v1/customers', { externalId, siren, name: `Customer ${externalId}` }).expect(201);
  return res.body.id as string;
}

describe('GET /v1/companies/{siren}/assessment', () => {
  it('Danone: a score, a grade A–E, a probability, a limit from its turnover and conditions, every point with its reason and data', async () => {
    const res = await t.as('sales').get(`/v1/companies/${DANONE}/assessment`).expect(200);
    const a = res.body;
    expect(a).toMatchObject({ siren: DANONE, company: { name: expect.stringMatching(/DANONE/), status: 'active' }, customerId: null, policyVersion: 1 });
    expect(a.grade).toMatch(/^[A-E]$/);
    expect(a.score).toBeGreaterThanOrEqual(0);
    expect(a.score).toBeLessThanOrEqual(100);
    expect(a.probabilityOfDefault12m).toBeGreaterThan(0);
    expect(a.financial).toMatchObject({ statementDate: '2023-12-31', modelVersion: expect.stringMatching(/^polish-3y-binned/) });
    // the points of the reasons add up to the score (before rounding and the 0–100 clamp)
    const points = a.reasons.reduce((s: number, r: { points: number }) => s + r.points, 0);
    expect(Math.abs(DEFAULT_SCORING_POLICY.scale.baseScore + points - a.score)).toBeLessThan(1);
    expect(a.reasons.filter((r: { scorer: string }) => r.scorer === 'financial').length).toBeGreaterThan(3);
    expect(a.reasons.find((r: { scorer: string }) => r.scorer === 'financial').detail).toMatch(/2023-12-31 statement/);
    expect(a.recommendedLimit.basis.map((b: { code: string }) => b.code)).toContain('limit_turnover_share');
    expect(a.recommendedLimit.amount % 50_000).toBe(0);
    expect(a.freshness.map((f: { source: string }) => f.source)).toEqual(['recherche-entreprises', 'bodacc', 'ratios-inpi-bce', 'dgccrf']);
  });

  it('Ganymède, ceased: grade X, no credit, prepayment; no statement lowers confidence without inventing figures', async () => {
    const res = await t.as('sales').get(`/v1/companies/${GANYMEDE}/assessment`).expect(200);
    expect(res.body).toMatchObject({ grade: 'X', recommendedLimit: { amount: 0, reason: { code: 'limit_zero_grade' } }, paymentConditions: { condition: 'prepayment' } });
    const codes = res.body.reasons.map((r: { code: string }) => r.code);
    expect(codes).toEqual(expect.arrayContaining(['company_ceased', 'financials_missing']));
    expect(res.body.confidence.missing).toContain('financial statements');
    expect(res.body.financial).toMatchObject({ coverage: 0, logOdds: 0, statementDate: null });
  });

  it('the customer-needs bound applies when the expected purchases are given; bad query values are 400s naming the field', async () => {
    const res = await t.as('sales').get(`/v1/companies/${DANONE}/assessment?expectedMonthlyPurchases=100000&termsDays=45`).expect(200);
    expect(res.body.recommendedLimit).toMatchObject({ amount: 150_000, reason: { code: 'limit_customer_needs' } });
    const bad = await t.as('sales').get(`/v1/companies/${DANONE}/assessment?expectedMonthlyPurchases=ten`).expect(400);
    expect(bad.body.error.details[0].field).toBe('query.expectedMonthlyPurchases');
    await t.as('order_system').get(`/v1/companies/${DANONE}/assessment`).expect(403);
  });

  it('a source that fails marks the assessment with lower confidence and says which', async () => {
    await t.as('sales').get(`/v1/companies/${DANONE}/assessment`).expect(200);
    t.clock.advance(30 * 86_400_000);
    server.state.down = true;
    try {
      const res = await t.as('sales').get(`/v1/companies/${DANONE}/assessment`).expect(200);
      expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain('source_unavailable');
      expect(res.body.confidence.missing.join(' ')).toMatch(/stale/);
    } finally {
      server.state.down = false;
      t.clock.advance(-30 * 86_400_000);
    }
  });
});

describe('customer assessments', () => {
  it('a liquidation judiciaire makes the customer grade X: recorded, audited, and its next order is blocked with legal_proceedings', async () => {
    const id = await customerWithSiren(DANONE);
    await setLimit(t, id, 10_000_000);
    const first = await t.as('credit_manager').post(`/v1/customers/${id}/assessments`, {}).expect(201);
    expect(first.body.change).toMatchObject({ previousGrade: null, direction: 'first' });
    expect(first.body.grade).toMatch(/^[A-D]$/);
    expect((await orderCheck(t, id, 10_000)).body.decision).toBe('approved');

    server.state.extraBodacc.set(DANONE, [collectiveRecord(DANONE, 'A202611150001', "Jugement d'ouverture d'une procédure de liquidation judiciaire", '2026-11-12', '2026-11-15')]);
    try {
      const second = await t.as('credit_manager').post(`/v1/customers/${id}/assessments`, { refresh: true }).expect(201);
      expect(second.body).toMatchObject({ grade: 'X', change: { previousGrade: first.body.grade, direction: 'downgrade' } });
      expect(second.body.change.newReasons).toContain('collective_proceedings');
      expect(second.body.legal.proceedings).toMatchObject({ kind: 'liquidation_judiciaire', announcementId: 'A202611150001' });

      const check = await orderCheck(t, id, 10_000);
      expect(check.body.decision).toBe('blocked');
      expect(check.body.reasons.map((r: { code: string }) => r.code)).toContain('legal_proceedings');

      const audit = await t.as('credit_manager').get(`/v1/audit?customerId=${id}`).expect(200);
      const change = audit.body.items.find((e: { action: string; newValue: { grade: string } }) => e.action === 'risk_grade.changed' && e.newValue.grade === 'X');
      expect(change).toMatchObject({ actor: 'test-credit_manager', oldValue: { grade: first.body.grade } });
      expect(change.reason).toMatch(/collective_proceedings/);

      const history = await t.as('sales').get(`/v1/customers/${id}/assessments`).expect(200);
      expect(history.body.items.map((h: { grade: string }) => h.grade)).toEqual(['X', first.body.grade]);
    } finally {
      server.state.extraBodacc.delete(DANONE);
      await t.as('sales').get(`/v1/companies/${DANONE}?refresh=true`).expect(200);
    }
  });

  it('grade E sends orders to review with risk_grade unless a credit manager set an explicit limit', async () => {
    const harsh = { ...DEFAULT_SCORING_POLICY, scale: { ...DEFAULT_SCORING_POLICY.scale, baseScore: 5 } };
    await t.as('admin').put('/v1/scoring-policy', { policy: harsh, reason: 'test: everyone is E' }).expect(200);
    try {
      const id = await customerWithSiren(DANONE);
      const a = await t.as('credit_manager').post(`/v1/customers/${id}/assessments`).expect(201);
      expect(a.body).toMatchObject({ grade: 'E', recommendedLimit: { amount: 0 }, paymentConditions: { condition: 'prepayment' } });
      const review = await orderCheck(t, id, 10_000);
      expect(review.body.decision).not.toBe('approved');
      expect(review.body.reasons.map((r: { code: string }) => r.code)).toContain('risk_grade');
      await setLimit(t, id, 1_000_000);
      const approved = await orderCheck(t, id, 10_000);
      expect(approved.body).toMatchObject({ decision: 'approved' });
    } finally {
      await t.as('admin').put('/v1/scoring-policy', { policy: DEFAULT_SCORING_POLICY, reason: 'test: back to the default' }).expect(200);
    }
  });

  it('an unknown customer is a 404; extra fields are 400s and nothing is recorded', async () => {
    await t.as('credit_manager').post('/v1/customers/00000000-0000-4000-8000-000000000000/assessments', {}).expect(404);
    const id = await customerWithSiren(DANONE);
    const bad = await t.as('credit_manager').post(`/v1/customers/${id}/assessments`, { grade: 'A' }).expect(400);
    expect(bad.body.error.message).toMatch(/grade/);
    expect((await t.as('sales').get(`/v1/customers/${id}/assessments`).expect(200)).body.items).toEqual([]);
  });
});

describe('scoring policy', () => {
  it('is versioned and audited; only an admin changes it; a bad document is a 400 naming the field', async () => {
    const current = await t.as('credit_manager').get('/v1/scoring-policy').expect(200);
    await t.as('credit_manager').put('/v1/scoring-policy', { policy: current.body.policy, reason: 'x' }).expect(403);
    const bad = await t.as('admin').put('/v1/scoring-policy', { policy: { ...current.body.policy, gradeFloors: { A: 10, B: 60, C: 45, D: 30 } }, reason: 'x' }).expect(400);
    expect(bad.body.error.details[0].field).toBe('body.policy.gradeFloors');
    const unknown = await t.as('admin').put('/v1/scoring-policy', { policy: { ...current.body.policy, bonus: 1 }, reason: 'x' }).expect(400);
    expect(unknown.body.error.message).toMatch(/bonus/);
    expect((await t.as('credit_manager').get('/v1/scoring-policy').expect(200)).body.version).toBe(current.body.version);
    const changed = await t.as('admin').put('/v1/scoring-policy', { policy: { ...current.body.policy, baseDefaultRate12m: 0.02 }, reason: 'recalibrated' }).expect(200);
    expect(changed.body).toMatchObject({ version: current.body.version + 1, createdBy: 'test-admin', reason: 'recalibrated' });
    const audit = await t.as('credit_manager').get('/v1/audit').expect(200);
    expect(audit.body.items.some((e: { action: string; entityId: string }) => e.action === 'scoring_policy.changed' && e.entityId === String(changed.body.version))).toBe(true);
  });
});

describe('npm run check', () => {
  it('prints the assessment of a SIREN for people, from the running service', async () => {
    const listener = t.container.app.listen(0, '127.0.0.1');
    await new Promise((r) => listener.once('listening', r));
    const { port } = listener.address() as AddressInfo;
    try {
      const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/check.ts', DANONE, '--url', `http://127.0.0.1:${port}`], {
          env: { ...process.env, VIGIE_API_KEY: t.keys.sales },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toMatch(/DANONE — SIREN 552032534 — active/);
      expect(out.stdout).toMatch(/Grade\s+[A-E]\s+score \d+\/100/);
      expect(out.stdout).toMatch(/Recommended limit/);
      expect(out.stdout).toMatch(/ratios-inpi-bce\s+fetched/);
    } finally {
      listener.close();
    }
  }, 30_000);
});
