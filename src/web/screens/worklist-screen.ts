import type { Request, Response } from 'express';
import type { ScreenKit } from './screen-kit.js';
import type { SessionContext } from '../../users/users-service.js';
import type { CreditService } from '../../credit/credit-service.js';
import type { WorklistService } from '../../collections/worklist-service.js';
import { callOutcomeBody, letterSentBody } from '../../collections/worklist-service.js';
import { DomainError } from '../../errors.js';
import { describeError } from '../../http/error-handler.js';
import { COLLECT, TASKS } from '../words.js';

/**
 * The collections worklist (collectors, credit managers): the day's calls, letters, escalations,
 * promises and installments due, by amount at risk; a call's outcome, a letter sent, a task done.
 */
export function worklistScreen(kit: ScreenKit, deps: { credit: CreditService; worklist: WorklistService }): void {
  const { router, guards } = kit;
  // Collections (collectors, credit managers): the day's worklist and the KPIs.
  const worklistPage = async (req: Request, res: Response, extra: { notice?: string; error?: string } = {}, status = 200) => {
    const { t, money: eur, date: frDate } = kit.speaker(res);
    const today = (await deps.credit.rule()).today;
    const assignee = typeof req.query.assignee === 'string' && req.query.assignee.trim() ? req.query.assignee.trim().slice(0, 200) : undefined;
    const date = typeof req.query.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(req.query.date) ? req.query.date : today;
    const list = await deps.worklist.worklist({ assignee, date, limit: 200 });
    kit.render(
      res,
      'worklist',
      {
        title: 'Recouvrement',
        today,
        ...extra,
        filters: { assignee: assignee ?? '', date },
        rows: list.items.map((i) => ({
          id: i.id,
          typeLabel: t(TASKS[i.type] ?? i.type),
          label: i.label,
          customerId: i.customer.id,
          customerName: i.customer.name,
          grade: i.customer.riskGrade,
          dueOn: frDate(i.dueOn),
          amount: eur(i.amountAtRisk, i.currency),
          assignee: i.assignee ?? '–',
          isCall: i.type === 'call',
          isLetter: i.type === 'letter_to_send' || i.type === 'formal_notice_to_send',
          isTask: !['call', 'letter_to_send', 'formal_notice_to_send', 'promise_due', 'installment_due'].includes(i.type),
        })),
      },
      status,
    );
  };
  router.get('/worklist', guards.loadSession, guards.signedIn, guards.allow(COLLECT), (req, res) => worklistPage(req, res));
  router.post('/worklist/:id/:action', guards.loadSession, guards.signedIn, guards.csrf, guards.allow(COLLECT), async (req, res) => {
    const id = String(req.params.id);
    const { t } = kit.speaker(res);
    if (!/^[0-9a-f-]{36}$/i.test(id)) return void res.status(404).type('text').send(t('Tâche inconnue.'));
    const actor = (res.locals.session as SessionContext).auth;
    const b = req.body as Record<string, string | undefined>;
    const notes = b.notes?.trim() ? b.notes.trim() : undefined;
    try {
      if (req.params.action === 'call') {
        const input = callOutcomeBody.safeParse({ outcome: b.outcome, ...(notes ? { notes } : {}) });
        if (!input.success) return worklistPage(req, res, { error: t('Résultat de l’appel : choisissez un résultat.') }, 400);
        await deps.worklist.recordCall(id, input.data, actor);
        return worklistPage(req, res, { notice: t('Appel enregistré.') });
      }
      if (req.params.action === 'letter') {
        const input = letterSentBody.safeParse({ sentOn: b.sentOn, ...(b.registeredNumber?.trim() ? { registeredNumber: b.registeredNumber.trim() } : {}) });
        if (!input.success) return worklistPage(req, res, { error: t('Date d’envoi : une date valide.') }, 400);
        await deps.worklist.markLetterSent(id, input.data, actor);
        return worklistPage(req, res, { notice: t('Courrier marqué envoyé.') });
      }
      if (req.params.action === 'done') {
        await deps.worklist.completeTask(id, notes ? { notes } : {}, actor);
        return worklistPage(req, res, { notice: t('Tâche faite.') });
      }
      res.status(404).type('text').send(t('Action inconnue.'));
    } catch (err) {
      if (err instanceof DomainError && (err.kind === 'conflict' || err.kind === 'not_found' || err.kind === 'invalid_input')) return worklistPage(req, res, { error: err.message }, describeError(err)!.status);
      throw err;
    }
  });

}
