import { addDays } from '../clock.js';

export const CHANNELS = ['email', 'letter', 'call', 'internal'] as const;
export type Channel = (typeof CHANNELS)[number];
export const GRADES = ['A', 'B', 'C', 'D', 'E', 'X'] as const;

/** One step of a dunning plan. */
export interface DunningStep {
  key: string;
  /** Days from the due date (negative: before it). */
  offsetDays: number;
  channel: Channel;
  template: string;
  /** A letter that is the formal notice (mise en demeure): its deadline, its content. */
  formalNotice?: boolean | undefined;
  /** For `internal` steps: the task goes to the customer's owner (salesperson) or escalation contact (manager). */
  assignTo?: 'owner' | 'escalation' | undefined;
  conditions?: { minOverdue?: number | undefined; grades?: Array<(typeof GRADES)[number]> | undefined } | undefined;
}

export interface InvoiceInPlan {
  id: string;
  dueDate: string;
  open: number;
  /** The last step executed for it, if any. */
  state: { stepIndex: number; lastStepOn: string; anchorOn: string; openAtStep: number } | null;
  /** The latest payment or credit note allocated to it (re-anchors the schedule after a partial payment). */
  lastReductionOn: string | null;
}

export interface CustomerFacts {
  grade: string | null;
  /** The customer's amount overdue today (in-plan invoices past their due date). */
  overdue: number;
}

/** Whether a step applies to this customer (its optional conditions). */
export function stepApplies(step: DunningStep, c: CustomerFacts): boolean {
  const cond = step.conditions;
  if (!cond) return true;
  if (cond.minOverdue !== undefined && c.overdue < cond.minOverdue) return false;
  if (cond.grades && cond.grades.length > 0 && !(c.grade !== null && (cond.grades as string[]).includes(c.grade))) return false;
  return true;
}

/**
 * The next step due today for one invoice, or null. Steps run in order and never skip: after
 * step k only the next applicable step may come, and no earlier than the gap between the two
 * offsets after step k was taken — or after a later partial payment, which re-anchors the
 * schedule on what is still open. A pre-due step is passed over once the invoice is due (it would
 * say "falls due soon"); a step whose conditions do not hold for the customer is passed over.
 */
export function nextDueStep(steps: readonly DunningStep[], inv: InvoiceInPlan, c: CustomerFacts, today: string): number | null {
  const k = inv.state?.stepIndex ?? -1;
  for (let j = k + 1; j < steps.length; j++) {
    const step = steps[j]!;
    if (!stepApplies(step, c)) continue;
    if (step.offsetDays < 0 && today >= inv.dueDate) continue;
    let dueOn = addDays(inv.dueDate, step.offsetDays);
    if (inv.state && k >= 0) {
      const prev = steps[k];
      const gap = prev ? step.offsetDays - prev.offsetDays : 0;
      let anchor = inv.state.anchorOn;
      if (inv.open < inv.state.openAtStep && inv.lastReductionOn && inv.lastReductionOn > anchor) anchor = inv.lastReductionOn;
      const afterGap = addDays(anchor, Math.max(gap, 1));
      if (afterGap > dueOn) dueOn = afterGap;
    }
    return today >= dueOn ? j : null;
  }
  return null;
}

export interface PlannedAction {
  /** The step of the message: the highest step among the invoices due today. */
  stepIndex: number;
  invoices: Array<{ id: string; stepIndex: number }>;
}

/**
 * One action per customer per run: every invoice due for a step today is grouped into one
 * message at the highest of their steps; each invoice advances to its own step (none skips).
 */
export function planCustomer(steps: readonly DunningStep[], invoices: readonly InvoiceInPlan[], c: CustomerFacts, today: string): PlannedAction | null {
  const due: Array<{ id: string; stepIndex: number }> = [];
  for (const inv of invoices) {
    if (inv.open <= 0) continue;
    const j = nextDueStep(steps, inv, c, today);
    if (j !== null) due.push({ id: inv.id, stepIndex: j });
  }
  if (due.length === 0) return null;
  due.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { stepIndex: Math.max(...due.map((d) => d.stepIndex)), invoices: due };
}
