/** Words the pages share: roles, and a refused field's reasons. */

/** Each role in French (the pages translate). */
export const ROLE_LABELS: Record<string, string> = { sales: 'commercial', collector: 'recouvrement', credit_manager: 'credit manager', admin: 'administrateur' };

/** A schema's refusals as one line: each field by its label (when given), then why. */
export function issuesText(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>, labels: Record<string, string> = {}): string {
  return issues.map((i) => `${labels[String(i.path[0])] ?? i.path.map(String).join('.')} — ${i.message}`).join(' ; ');
}
