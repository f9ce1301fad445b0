import { z } from 'zod';
import { defineRoute, reply, type RouteDef } from '../http/route.js';
import { CAN } from '../api-keys/roles.js';
import { isoDateSchema, uuidSchema } from '../identifiers.js';
import { InvalidInput } from '../errors.js';
import { collectionsPolicySchema, type CollectionsPolicyService } from './collections-policy.js';
import { putPlanBody, type DunningPlansService } from './dunning-plans.js';
import { indemnityParams, periodStartParams, putIndemnityBody, putRateBody, type LatePaymentLaw } from './late-payment-law.js';
import { putProfileBody, type ProfilesService } from './profiles.js';
import { disputeBody, paymentPlanBody, pauseBody, promiseBody, resolveDisputeBody, type NegotiationService } from './negotiation-service.js';
import { waiverBody, type StatementService } from './statement-service.js';
import { callOutcomeBody, letterSentBody, taskDoneBody, type WorklistService } from './worklist-service.js';
import { emailView, type EmailOutbox } from './email-outbox.js';
import type { DocumentsStore } from './documents.js';

export interface CollectionsServices {
  profiles: ProfilesService;
  plans: DunningPlansService;
  policy: CollectionsPolicyService;
  law: LatePaymentLaw;
  negotiation: NegotiationService;
  statements: StatementService;
  worklist: WorklistService;
  outbox: EmailOutbox;
  documents: DocumentsStore;
}

const TAG = 'Collections';
const idParams = z.strictObject({ id: uuidSchema });
const customerParams = z.strictObject({ id: uuidSchema });
const invoiceParams = z.strictObject({ number: z.string().min(1).max(100) });
const reasonBody = z.strictObject({ reason: z.string().trim().min(1, 'say why').max(500) });
const loose = (description: string) => ({ description, schema: z.looseObject({}) });
const pdfDisposition = (filename: string) => ({ 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="${filename}"` });

export function collectionsRoutes(s: CollectionsServices): RouteDef[] {
  return [
    // Customers' contacts and collections settings.
    defineRoute({
      method: 'get',
      path: '/v1/customers/:id/collections-profile',
      tag: TAG,
      summary: "A customer's contacts, postal address, language, owner, escalation contact, plan and contract rate",
      roles: CAN.readCustomers,
      params: customerParams,
      responses: { 200: loose('The profile (defaults when never set)'), 404: { description: 'No such customer' } },
      handler: ({ params }) => s.profiles.get(params.id),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/customers/:id/collections-profile',
      tag: TAG,
      summary: "Sets a customer's collections profile (audited)",
      roles: CAN.collect,
      params: customerParams,
      body: putProfileBody,
      responses: { 200: loose('The profile'), 400: { description: 'A field is invalid (named)' }, 404: { description: 'No such customer' } },
      handler: ({ params, body, auth }) => s.profiles.put(params.id, body, auth),
    }),

    // Plans and policy.
    defineRoute({
      method: 'get',
      path: '/v1/collections/plans',
      tag: TAG,
      summary: 'Dunning plans (latest version of each)',
      roles: CAN.collect,
      responses: { 200: loose('{ items }') },
      handler: async () => ({ items: [...(await s.plans.current()).values()] }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/collections/plans/:planId',
      tag: TAG,
      summary: 'A dunning plan with every version',
      roles: CAN.collect,
      params: z.strictObject({ planId: z.string().min(1).max(63) }),
      responses: { 200: loose('{ current, versions }'), 404: { description: 'No such plan' } },
      handler: async ({ params }) => {
        const versions = await s.plans.versions(params.planId);
        return { current: versions[0], versions };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/v1/collections/plans/:planId',
      tag: TAG,
      summary: 'Creates a dunning plan or writes its next version (admin, audited)',
      description: 'Steps in increasing order of offset (days from the due date, negative before it); channel email, letter, call or internal; a template that exists in French and English; optional conditions (minOverdue, grades).',
      roles: [],
      params: z.strictObject({ planId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, "-" or "_"') }),
      body: putPlanBody,
      responses: { 200: loose('The new version'), 400: { description: 'A step breaks a rule (named)' } },
      handler: ({ params, body, auth }) => s.plans.put(params.planId, body, auth),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/collections/policy',
      tag: TAG,
      summary: 'The collections policy in force (plans by grade, the step that blocks orders, grace days)',
      roles: CAN.collect,
      responses: { 200: loose('The policy version') },
      handler: () => s.policy.current(),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/collections/policy',
      tag: TAG,
      summary: 'Changes the collections policy (admin, a new version, audited)',
      roles: [],
      body: z.strictObject({ policy: collectionsPolicySchema, reason: z.string().trim().min(1, 'say why').max(500) }),
      responses: { 200: loose('The new version'), 400: { description: 'Invalid policy (field named)' } },
      handler: async ({ body, auth }) => {
        const plans = await s.plans.current();
        for (const [field, id] of [['body.policy.defaultPlanId', body.policy.defaultPlanId], ...Object.entries(body.policy.planByGrade).map(([g, id]) => [`body.policy.planByGrade.${g}`, id])] as Array<[string, string]>) {
          if (!plans.has(id)) throw InvalidInput.field(field, `no dunning plan "${id}"`, 'plan_not_found');
        }
        return s.policy.change(body.policy, body.reason, auth);
      },
    }),

    // The law as data.
    defineRoute({
      method: 'get',
      path: '/v1/collections/late-payment-rates',
      tag: TAG,
      summary: 'Late-payment rates by half-year (L441-10): ECB rate, legal interest rate, default penalty rate and contract floor, with sources',
      roles: CAN.collect,
      responses: { 200: loose('{ items }') },
      handler: async () => ({ items: await s.law.rateViews() }),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/collections/late-payment-rates/:periodStart',
      tag: TAG,
      summary: "Adds or corrects a half-year's rates (admin, audited)",
      roles: [],
      params: periodStartParams,
      body: putRateBody,
      responses: { 200: loose('The half-year'), 400: { description: 'Invalid (field named)' } },
      handler: ({ params, body, auth }) => s.law.putRate(params.periodStart, body, auth),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/collections/recovery-indemnities',
      tag: TAG,
      summary: 'The fixed recovery indemnity per invoice paid late (D441-5), by date in force and currency',
      roles: CAN.collect,
      responses: { 200: loose('{ items }') },
      handler: async () => ({ items: await s.law.indemnityViews() }),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/collections/recovery-indemnities/:validFrom/:currency',
      tag: TAG,
      summary: 'Adds or corrects a recovery indemnity (admin, audited)',
      roles: [],
      params: indemnityParams,
      body: putIndemnityBody,
      responses: { 200: loose('The indemnity') },
      handler: ({ params, body, auth }) => s.law.putIndemnity(params.validFrom, params.currency, body, auth),
    }),

    // Statement and waivers.
    defineRoute({
      method: 'get',
      path: '/v1/customers/:id/statement',
      tag: TAG,
      summary: 'The account statement (décompte): open and late-paid invoices, penalties by period, indemnities, payments, totals; JSON or PDF',
      roles: CAN.collect,
      params: customerParams,
      query: z.strictObject({ asOf: isoDateSchema.optional().describe('Default: today'), format: z.enum(['json', 'pdf']).default('json') }),
      responses: { 200: loose('The statement (or application/pdf)'), 404: { description: 'No such customer' } },
      handler: async ({ params, query }) => {
        if (query.format === 'pdf') {
          const pdf = await s.statements.pdf(params.id, query.asOf);
          return reply(200, pdf.content, pdfDisposition(pdf.filename));
        }
        const { language: _l, ...statement } = await s.statements.statement(params.id, query.asOf);
        return statement;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/invoices/:number/penalty-waiver',
      tag: TAG,
      summary: "Waives an invoice's late-payment penalties and/or indemnity, with a reason (audited)",
      roles: ['credit_manager'],
      params: invoiceParams,
      body: waiverBody,
      responses: { 200: loose('The waiver'), 404: { description: 'No such invoice' } },
      handler: ({ params, body, auth }) => s.statements.waive(params.number, body, auth),
    }),

    // Worklist, timeline, actions, documents, e-mails.
    defineRoute({
      method: 'get',
      path: '/v1/collections/worklist',
      tag: TAG,
      summary: "Today's calls, letters to send, escalations, promises and installments due, by amount at risk × risk grade",
      roles: CAN.collect,
      query: z.strictObject({ assignee: z.string().trim().min(1).max(200).optional(), date: isoDateSchema.optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) }),
      responses: { 200: loose('{ date, assignee, items }') },
      handler: ({ query }) => s.worklist.worklist(query),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/customers/:id/collections',
      tag: TAG,
      summary: "A customer's collections timeline: reminders, letters, calls, promises, plans, disputes, pauses, waivers, payments",
      roles: CAN.collect,
      params: customerParams,
      responses: { 200: loose('{ customerId, items }'), 404: { description: 'No such customer' } },
      handler: ({ params }) => s.worklist.timeline(params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/collections/actions/:id',
      tag: TAG,
      summary: 'A collections action (e-mail, letter, call or internal task)',
      roles: CAN.collect,
      params: idParams,
      responses: { 200: loose('The action'), 404: { description: 'No such action' } },
      handler: ({ params }) => s.worklist.action(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/collections/actions/:id/call-outcome',
      tag: TAG,
      summary: 'Records the outcome and notes of a call task',
      roles: CAN.collect,
      params: idParams,
      body: callOutcomeBody,
      responses: { 200: loose('The action'), 409: { description: 'Not an open call' } },
      handler: ({ params, body, auth }) => s.worklist.recordCall(params.id, body, auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/collections/actions/:id/letter-sent',
      tag: TAG,
      summary: 'Marks a letter sent (date, registered letter number)',
      roles: CAN.collect,
      params: idParams,
      body: letterSentBody,
      responses: { 200: loose('The action'), 409: { description: 'Not a letter to send' } },
      handler: ({ params, body, auth }) => s.worklist.markLetterSent(params.id, body, auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/collections/actions/:id/done',
      tag: TAG,
      summary: 'Completes an internal (escalation) task',
      roles: CAN.collect,
      params: idParams,
      body: taskDoneBody,
      responses: { 200: loose('The action'), 409: { description: 'Not an open task' } },
      handler: ({ params, body, auth }) => s.worklist.completeTask(params.id, body, auth),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/collections/documents/:id',
      tag: TAG,
      summary: 'A stored PDF (letter, formal notice, payment agreement)',
      roles: CAN.collect,
      params: idParams,
      responses: { 200: { description: 'application/pdf' }, 404: { description: 'No such document' } },
      handler: async ({ params }) => {
        const d = await s.documents.get(params.id);
        return reply(200, d.content, pdfDisposition(d.filename));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/collections/emails',
      tag: TAG,
      summary: 'The e-mail outbox (newest first): pending, sent, failed, not_sent (no SMTP configured)',
      roles: CAN.collect,
      query: z.strictObject({
        customerId: uuidSchema.optional(),
        status: z.enum(['pending', 'sending', 'sent', 'failed', 'not_sent', 'cancelled']).optional(),
        cursor: z.string().regex(/^\d{1,18}$/, 'a cursor returned as nextCursor').optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
      responses: { 200: loose('{ items, nextCursor }') },
      handler: ({ query }) => s.outbox.list({ customerId: query.customerId, status: query.status, afterSeq: query.cursor ? Number(query.cursor) : undefined, limit: query.limit }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/collections/emails/:id',
      tag: TAG,
      summary: 'One e-mail of the outbox',
      roles: CAN.collect,
      params: idParams,
      responses: { 200: loose('The e-mail'), 404: { description: 'No such e-mail' } },
      handler: async ({ params }) => emailView(await s.outbox.row(params.id)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/collections/emails/:id/eml',
      tag: TAG,
      summary: 'The e-mail as an .eml file (RFC 5322), as sent or as it would be',
      roles: CAN.collect,
      params: idParams,
      responses: { 200: { description: 'message/rfc822' }, 404: { description: 'No such e-mail' } },
      handler: async ({ params }) => reply(200, await s.outbox.eml(params.id), { 'Content-Type': 'message/rfc822', 'Content-Disposition': `attachment; filename="${params.id}.eml"` }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/collections/emails/:id/retry',
      tag: TAG,
      summary: 'Queues a failed or unsent e-mail again',
      roles: CAN.collect,
      params: idParams,
      responses: { 200: loose('The e-mail') },
      handler: ({ params }) => s.outbox.retry(params.id),
    }),

    // Negotiation.
    defineRoute({
      method: 'post',
      path: '/v1/customers/:id/promises',
      tag: TAG,
      summary: 'Records a promise to pay: it pauses the plan for its invoices until kept or broken',
      roles: CAN.collect,
      params: customerParams,
      body: promiseBody,
      responses: { 201: loose('The promise'), 400: { description: 'Invalid (field named; unknown or settled invoices, overlap with another promise or plan)' } },
      handler: async ({ params, body, auth }) => reply(201, await s.negotiation.createPromise(params.id, body, auth)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/collections/promises/:id',
      tag: TAG,
      summary: 'A promise to pay',
      roles: CAN.collect,
      params: idParams,
      responses: { 200: loose('The promise'), 404: { description: 'No such promise' } },
      handler: ({ params }) => s.negotiation.promise(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/collections/promises/:id/cancel',
      tag: TAG,
      summary: 'Cancels an open promise (the plan resumes)',
      roles: CAN.collect,
      params: idParams,
      body: reasonBody,
      responses: { 200: loose('The promise'), 409: { description: 'Not open' } },
      handler: ({ params, body, auth }) => s.negotiation.cancelPromise(params.id, body.reason, auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/customers/:id/payment-plans',
      tag: TAG,
      summary: 'Agrees a payment plan (échéancier) on chosen invoices; generates the protocole d’accord PDF',
      roles: CAN.collect,
      params: customerParams,
      body: paymentPlanBody,
      responses: { 201: loose('The payment plan'), 400: { description: 'Invalid (field named; installments must add up to what is open)' } },
      handler: async ({ params, body, auth }) => reply(201, await s.negotiation.createPaymentPlan(params.id, body, auth)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/collections/payment-plans/:id',
      tag: TAG,
      summary: 'A payment plan with its installments',
      roles: CAN.collect,
      params: idParams,
      responses: { 200: loose('The payment plan'), 404: { description: 'No such plan' } },
      handler: ({ params }) => s.negotiation.paymentPlan(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/collections/payment-plans/:id/cancel',
      tag: TAG,
      summary: 'Cancels an active payment plan (dunning resumes)',
      roles: CAN.collect,
      params: idParams,
      body: reasonBody,
      responses: { 200: loose('The payment plan'), 409: { description: 'Not active' } },
      handler: ({ params, body, auth }) => s.negotiation.cancelPaymentPlan(params.id, body.reason, auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/customers/:id/disputes',
      tag: TAG,
      summary: 'Opens a dispute on an invoice: it leaves the dunning plan (still counted in exposure) until resolved',
      roles: CAN.collect,
      params: customerParams,
      body: disputeBody,
      responses: { 201: loose('The dispute'), 400: { description: 'Unknown invoice' }, 409: { description: 'Already disputed' } },
      handler: async ({ params, body, auth }) => reply(201, await s.negotiation.openDispute(params.id, body, auth)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/collections/disputes/:id',
      tag: TAG,
      summary: 'A dispute',
      roles: CAN.collect,
      params: idParams,
      responses: { 200: loose('The dispute'), 404: { description: 'No such dispute' } },
      handler: ({ params }) => s.negotiation.dispute(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/collections/disputes/:id/resolve',
      tag: TAG,
      summary: 'Resolves a dispute (the invoice returns to the plan if still open)',
      roles: CAN.collect,
      params: idParams,
      body: resolveDisputeBody,
      responses: { 200: loose('The dispute'), 409: { description: 'Already resolved' } },
      handler: ({ params, body, auth }) => s.negotiation.resolveDispute(params.id, body, auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/customers/:id/collections/pauses',
      tag: TAG,
      summary: 'Pauses dunning for a customer, or one invoice, until a date',
      roles: CAN.collect,
      params: customerParams,
      body: pauseBody,
      responses: { 201: loose('The pause'), 400: { description: 'Invalid (field named)' } },
      handler: async ({ params, body, auth }) => reply(201, await s.negotiation.pause(params.id, body, auth)),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/collections/pauses/:id/end',
      tag: TAG,
      summary: 'Ends a pause now',
      roles: CAN.collect,
      params: idParams,
      responses: { 200: loose('The pause'), 409: { description: 'Already ended' } },
      handler: ({ params, auth }) => s.negotiation.endPause(params.id, auth),
    }),
  ];
}
