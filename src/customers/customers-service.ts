import { Conflict, InvalidInput, NotFound } from '../errors.js';
import type { CustomerRow, NewCustomerRow } from '../db/schema.js';
import type { CustomersStore, Executor } from './customers-store.js';
import type { CreateCustomerInput, CustomerView, ListCustomersQuery, UpdateCustomerInput } from './customers-schemas.js';

export function customerView(row: CustomerRow): CustomerView {
  return {
    id: row.id,
    externalId: row.external_id,
    siren: row.siren,
    siret: row.siret,
    name: row.name,
    currency: row.currency,
    paymentTerms: { days: row.payment_terms_days, basis: row.payment_terms_basis },
    createdAt: row.created_at.toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

const encodeCursor = (seq: number) => Buffer.from(`c:${seq}`).toString('base64url');
function decodeCursor(cursor: string): number {
  const m = /^c:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw InvalidInput.field('query.cursor', 'not a cursor returned by this API');
  return Number(m[1]);
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e.code === '23505' && e.constraint === constraint;
}

export interface CustomerRef {
  customerId?: string | undefined;
  customerExternalId?: string | undefined;
}

/** Hooks other features attach to customer creation (e.g. opening the credit account). */
export type CustomerCreatedHook = (row: CustomerRow, trx: Executor) => Promise<void>;

/** Hooks that check or follow a change (e.g. a currency change is refused once the customer has a ledger). */
export type CustomerUpdateHook = (current: CustomerRow, patch: CustomerPatch, trx: Executor) => Promise<void>;
export type CustomerPatch = Omit<Partial<NewCustomerRow>, 'created_at' | 'updated_at'>;

export class CustomersService {
  private readonly onCreated: CustomerCreatedHook[] = [];
  private readonly onUpdate: CustomerUpdateHook[] = [];

  constructor(
    private readonly store: CustomersStore,
    private readonly transaction: <T>(fn: (trx: Executor) => Promise<T>) => Promise<T>,
  ) {}

  /**
   * Customers created inside a caller's transaction (an import that creates the customers it needs,
   * all or nothing with its ledger), each followed by the creation hooks (its credit account).
   */
  async createInTransaction(rows: readonly NewCustomerRow[], trx: Executor): Promise<CustomerRow[]> {
    const out: CustomerRow[] = [];
    for (const row of rows) {
      const created = await this.store.insert(row, trx);
      for (const hook of this.onCreated) await hook(created, trx);
      out.push(created);
    }
    return out;
  }

  addCreatedHook(hook: CustomerCreatedHook): void {
    this.onCreated.push(hook);
  }

  async create(input: CreateCustomerInput): Promise<CustomerView> {
    const siren = input.siren ?? input.siret!.slice(0, 9);
    const row: NewCustomerRow = {
      external_id: input.externalId,
      siren,
      siret: input.siret ?? null,
      name: input.name,
      currency: input.currency,
      payment_terms_days: input.paymentTerms.days,
      payment_terms_basis: input.paymentTerms.basis,
    };
    try {
      return await this.transaction(async (trx) => {
        const created = await this.store.insert(row, trx);
        for (const hook of this.onCreated) await hook(created, trx);
        return customerView(created);
      });
    } catch (err) {
      if (isUniqueViolation(err, 'customers_external_id_idx')) throw this.externalIdTaken(input.externalId);
      throw err;
    }
  }

  addUpdateHook(hook: CustomerUpdateHook): void {
    this.onUpdate.push(hook);
  }

  async update(id: string, input: UpdateCustomerInput): Promise<CustomerView> {
    const current = await this.getRow(id);
    const patch: CustomerPatch = {};
    if (input.externalId !== undefined) patch.external_id = input.externalId;
    if (input.name !== undefined) patch.name = input.name;
    if (input.currency !== undefined) patch.currency = input.currency;
    if (input.paymentTerms !== undefined) {
      patch.payment_terms_days = input.paymentTerms.days;
      patch.payment_terms_basis = input.paymentTerms.basis;
    }
    if (input.siret) {
      const derived = input.siret.slice(0, 9);
      if (input.siren && input.siren !== derived) {
        throw InvalidInput.field('body.siret', `the SIRET does not belong to SIREN ${input.siren}`);
      }
      patch.siret = input.siret;
      patch.siren = derived;
    } else {
      if (input.siret === null) patch.siret = null;
      if (input.siren !== undefined) {
        patch.siren = input.siren;
        const keptSiret = input.siret === null ? null : current.siret;
        if (keptSiret && !keptSiret.startsWith(input.siren)) {
          throw InvalidInput.field('body.siren', `the customer's SIRET ${keptSiret} does not belong to this SIREN; send the new SIRET or "siret": null`);
        }
      }
    }
    try {
      return await this.transaction(async (trx) => {
        for (const hook of this.onUpdate) await hook(current, patch, trx);
        const row = await this.store.update(id, patch, trx);
        if (!row) throw new NotFound(`No customer ${id}`, 'customer_not_found');
        return customerView(row);
      });
    } catch (err) {
      if (isUniqueViolation(err, 'customers_external_id_idx')) throw this.externalIdTaken(input.externalId!);
      throw err;
    }
  }

  async getRow(id: string, trx?: Executor): Promise<CustomerRow> {
    const row = await this.store.findById(id, trx);
    if (!row) throw new NotFound(`No customer ${id}`, 'customer_not_found');
    return row;
  }

  async get(id: string): Promise<CustomerView> {
    return customerView(await this.getRow(id));
  }

  /** Resolves `customerId` or `customerExternalId` (exactly one), naming the field that failed. */
  async resolve(ref: CustomerRef, fieldPrefix = 'body', trx?: Executor): Promise<CustomerRow> {
    if (ref.customerId) {
      const row = await this.store.findById(ref.customerId, trx);
      if (!row) throw InvalidInput.field(`${fieldPrefix}.customerId`, `no customer ${ref.customerId}`, 'customer_not_found');
      return row;
    }
    const row = await this.store.findByExternalId(ref.customerExternalId!, trx);
    if (!row) {
      throw InvalidInput.field(`${fieldPrefix}.customerExternalId`, `no customer with externalId "${ref.customerExternalId}"`, 'customer_not_found');
    }
    return row;
  }

  async list(query: ListCustomersQuery): Promise<{ items: CustomerView[]; nextCursor: string | null }> {
    const rows = await this.store.list({
      q: query.q,
      siren: query.siren,
      externalId: query.externalId,
      currency: query.currency,
      limit: query.limit,
      afterSeq: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    const page = rows.slice(0, query.limit);
    return {
      items: page.map(customerView),
      nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!.seq) : null,
    };
  }

  private externalIdTaken(externalId: string): Conflict {
    return new Conflict(`externalId: a customer with externalId "${externalId}" already exists`, 'customer_external_id_taken', [
      { field: 'body.externalId', message: 'already used by another customer' },
    ]);
  }
}
