import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { InvalidInput, NotFound } from '../errors.js';
import { cachedValue } from '../policy/cached-value.js';
import { CHANNELS, GRADES, type DunningStep } from './dunning-engine.js';
import type { Templates } from './templates.js';

export interface DunningPlan {
  id: string;
  version: number;
  name: string;
  steps: DunningStep[];
  createdAt: string;
  createdBy: string;
  reason: string;
}

const stepKey = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower-case letters, digits and "_", starting with a letter');

export const dunningStepSchema = z.strictObject({
  key: stepKey,
  offsetDays: z.number().int('a whole number of days').min(-60).max(365).describe('Days from the due date; negative = before it'),
  channel: z.enum(CHANNELS),
  template: z.string().min(1).max(63),
  formalNotice: z.boolean().optional().describe('A letter that is the formal notice (mise en demeure)'),
  assignTo: z.enum(['owner', 'escalation']).optional().describe('internal steps: to the owner (salesperson) or the escalation contact (manager)'),
  conditions: z
    .strictObject({
      minOverdue: z.number().int().min(0).optional().describe('Minimum amount overdue for the customer (minor units)'),
      grades: z.array(z.enum(GRADES)).min(1).optional().describe('Only for customers of these risk grades'),
    })
    .optional(),
});

export const putPlanBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  steps: z.array(dunningStepSchema).min(1).max(30),
  reason: z.string().trim().min(1, 'say why').max(500),
});
export type PutPlanInput = z.output<typeof putPlanBody>;

interface ShippedPlan {
  id: string;
  name: string;
  steps: DunningStep[];
}
const shipped = (): ShippedPlan => JSON.parse(readFileSync(new URL('./data/standard-plan.json', import.meta.url), 'utf8')) as ShippedPlan;

/**
 * Dunning plans: ordered steps, versioned per plan (each change is a new version, audited), edited
 * by an admin. The standard French plan ships as data and is written as version 1 at start.
 */
export class DunningPlansService {
  private readonly cache = cachedValue(5_000, () => this.load());

  constructor(
    private readonly db: Kysely<DB>,
    private readonly audit: AuditService,
    private readonly templates: Templates,
  ) {}

  async ensureShipped(): Promise<void> {
    const plan = shipped();
    this.validate(plan.steps);
    await this.db
      .insertInto('dunning_plans')
      .values({ id: plan.id, version: 1, name: plan.name, steps: JSON.stringify(plan.steps), created_by: 'configuration', reason: 'the plan shipped with Vigie' })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /** The latest version of every plan. */
  current(): Promise<Map<string, DunningPlan>> {
    return this.cache.get();
  }

  private async load(): Promise<Map<string, DunningPlan>> {
    const { rows } = await sql<{ id: string; version: number; name: string; steps: DunningStep[]; created_at: Date; created_by: string; reason: string }>`
      SELECT DISTINCT ON (id) * FROM dunning_plans ORDER BY id, version DESC`.execute(this.db);
    return new Map(rows.map((r) => [r.id, { id: r.id, version: r.version, name: r.name, steps: r.steps, createdAt: new Date(r.created_at).toISOString(), createdBy: r.created_by, reason: r.reason }]));
  }

  async get(id: string): Promise<DunningPlan> {
    const plan = (await this.load()).get(id);
    if (!plan) throw new NotFound(`No dunning plan ${id}`, 'plan_not_found');
    return plan;
  }

  async versions(id: string): Promise<DunningPlan[]> {
    const rows = await this.db.selectFrom('dunning_plans').selectAll().where('id', '=', id).orderBy('version', 'desc').execute();
    if (rows.length === 0) throw new NotFound(`No dunning plan ${id}`, 'plan_not_found');
    return rows.map((r) => ({ id: r.id, version: r.version, name: r.name, steps: r.steps as DunningStep[], createdAt: new Date(r.created_at).toISOString(), createdBy: r.created_by, reason: r.reason }));
  }

  /** Creates the plan or writes its next version. */
  async put(id: string, input: PutPlanInput, actor: AuthContext): Promise<DunningPlan> {
    this.validate(input.steps);
    await this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ version: number; steps: unknown; name: string }>`
        SELECT version, steps, name FROM dunning_plans WHERE id = ${id} ORDER BY version DESC LIMIT 1 FOR UPDATE`.execute(trx);
      const version = (rows[0]?.version ?? 0) + 1;
      await trx
        .insertInto('dunning_plans')
        .values({ id, version, name: input.name, steps: JSON.stringify(input.steps), created_by: actor.name, reason: input.reason })
        .execute();
      await this.audit.record(
        {
          actor,
          action: version === 1 ? 'dunning_plan.created' : 'dunning_plan.changed',
          entityType: 'dunning_plan',
          entityId: id,
          oldValue: rows[0] ? { version: rows[0].version, name: rows[0].name, steps: rows[0].steps } : null,
          newValue: { version, name: input.name, steps: input.steps },
          reason: input.reason,
        },
        trx,
      );
    });
    this.cache.invalidate();
    return this.get(id);
  }

  /** Rules a plan must follow beyond each step's shape; the field named is the first that breaks one. */
  validate(steps: readonly DunningStep[]): void {
    const keys = new Set<string>();
    steps.forEach((s, i) => {
      const at = `body.steps[${i}]`;
      if (keys.has(s.key)) throw InvalidInput.field(`${at}.key`, `step key "${s.key}" is used twice`);
      keys.add(s.key);
      if (i > 0 && s.offsetDays <= steps[i - 1]!.offsetDays) throw InvalidInput.field(`${at}.offsetDays`, 'steps must be in increasing order of offset (days from the due date)');
      if (!this.templates.has(s.template)) throw InvalidInput.field(`${at}.template`, `no template "${s.template}" in every language (available: ${this.templates.names().join(', ')})`);
      if (s.formalNotice && s.channel !== 'letter') throw InvalidInput.field(`${at}.formalNotice`, 'a formal notice is a letter');
      if (s.assignTo && s.channel !== 'internal') throw InvalidInput.field(`${at}.assignTo`, 'only internal steps are assigned to the owner or the escalation contact');
    });
  }
}
