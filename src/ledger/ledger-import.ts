import type { Readable } from 'node:stream';
import { InvalidInput, type ErrorDetail } from '../errors.js';
import { isValidUuid, isCurrency } from '../identifiers.js';
import { CsvSyntaxError, currencyMinorDigits, parseCsv, parseDay, parseDecimalToMinor } from './csv.js';
import type { CreditInput, DocRef, InvoiceInput } from './ledger-service.js';

/** The columns of POST /v1/imports/ledger (README documents them). */
export const IMPORT_COLUMNS = [
  'type',
  'number',
  'customer_external_id',
  'customer_id',
  'issue_date',
  'due_date',
  'date',
  'amount',
  'currency',
  'order_id',
  'applies_to',
] as const;
type Column = (typeof IMPORT_COLUMNS)[number];

export const IMPORT_CHUNK = 5_000;

function lineError(line: number, column: string | null, message: string, code = 'invalid_import_line'): InvalidInput {
  const detail: ErrorDetail = { line, message, ...(column ? { field: column } : {}) };
  return new InvalidInput(`line ${line}${column ? `, ${column}` : ''}: ${message}`, [detail], code);
}

/** Where a document of the CSV is: `line 17, due_date`. */
class LineRef implements DocRef {
  constructor(readonly line: number) {}
  field(name: string): string {
    return `line ${this.line}, ${name}`;
  }
}

/** The cells of the current line by column name; one per import, not a closure per line. */
class Cells {
  fields: string[] = [];
  line = 0;
  constructor(private readonly columns: Map<Column, number>) {}

  get(c: Column): string {
    const i = this.columns.get(c);
    const v = i === undefined ? '' : (this.fields[i] ?? '').trim();
    // PostgreSQL text cannot hold U+0000: refuse it here, naming the cell, rather than fail in SQL.
    if (v.indexOf('\0') !== -1) throw lineError(this.line, c, 'contains a NUL character', 'invalid_characters');
    return v;
  }

  required(c: Column): string {
    const v = this.get(c);
    if (v === '') throw lineError(this.line, c, 'is required');
    return v;
  }

  day(c: Column): string {
    const v = this.required(c);
    const d = parseDay(v);
    if (!d) throw lineError(this.line, c, `"${v}" is not a date (YYYY-MM-DD or DD/MM/YYYY)`);
    return d;
  }
}

/**
 * Streams a ledger CSV into chunks of documents. Every line is checked as it is read; the first
 * bad line stops the import with its number (the caller's transaction then writes nothing).
 */
export async function* importChunks(body: Readable): AsyncGenerator<{ invoices: InvoiceInput[]; credits: CreditInput[] }> {
  let columns: Map<Column, number> | undefined;
  let reader: Cells | undefined;
  let invoices: InvoiceInput[] = [];
  let credits: CreditInput[] = [];
  let dataLines = 0;
  try {
    for await (const { line, fields } of parseCsv(body)) {
      if (!columns) {
        columns = new Map();
        fields.forEach((raw, i) => {
          const name = raw.trim().toLowerCase() as Column;
          if (!(IMPORT_COLUMNS as readonly string[]).includes(name)) {
            throw lineError(line, raw, `unknown column "${raw}"; the columns are ${IMPORT_COLUMNS.join(', ')}`, 'invalid_import_header');
          }
          columns!.set(name, i);
        });
        for (const required of ['number', 'amount', 'currency'] as const) {
          if (!columns.has(required)) throw lineError(line, null, `the header has no "${required}" column`, 'invalid_import_header');
        }
        if (!columns.has('customer_external_id') && !columns.has('customer_id')) {
          throw lineError(line, null, 'the header needs a customer_external_id or a customer_id column', 'invalid_import_header');
        }
        reader = new Cells(columns);
        continue;
      }
      dataLines++;
      const cells = reader!;
      cells.fields = fields;
      cells.line = line;
      if (fields.length > columns.size) throw lineError(line, null, `has ${fields.length} fields, the header has ${columns.size}`);

      const type = (cells.get('type') || 'invoice').toLowerCase();
      const number = cells.required('number');
      if (number.length > 100) throw lineError(line, 'number', 'at most 100 characters');
      const currency = cells.required('currency').toUpperCase();
      if (!isCurrency(currency)) throw lineError(line, 'currency', `"${currency}" is not an ISO 4217 currency code`);
      const amountText = cells.required('amount');
      const amount = parseDecimalToMinor(amountText, currencyMinorDigits(currency));
      if (typeof amount === 'string') throw lineError(line, 'amount', `"${amountText}" ${amount}`);
      if (amount <= 0) throw lineError(line, 'amount', 'must be more than 0');
      const customerId = cells.get('customer_id') || undefined;
      const customerExternalId = cells.get('customer_external_id') || undefined;
      if (!customerId && !customerExternalId) throw lineError(line, 'customer_external_id', 'is required (or customer_id)');
      if (customerId && !isValidUuid(customerId)) throw lineError(line, 'customer_id', 'must be a UUID');
      const customer = customerId ? { customerId } : { customerExternalId };
      const ref = new LineRef(line);

      if (type === 'invoice') {
        const issueDate = cells.day('issue_date');
        const dueDate = cells.day('due_date');
        if (dueDate < issueDate) throw lineError(line, 'due_date', `is before the issue date ${issueDate}`);
        invoices.push({ ref, number, ...customer, issueDate, dueDate, amount, currency, orderId: cells.get('order_id') || null });
      } else if (type === 'payment' || type === 'credit_note') {
        const date = cells.get('date') ? cells.day('date') : cells.day('issue_date');
        const appliesTo = cells.get('applies_to');
        credits.push({
          ref,
          kind: type,
          reference: number,
          ...customer,
          date,
          amount,
          currency,
          allocations: appliesTo ? [{ invoiceNumber: appliesTo, amount, field: 'applies_to' }] : [],
        });
      } else {
        throw lineError(line, 'type', `"${type}" is not invoice, credit_note or payment`);
      }
      if (invoices.length + credits.length >= IMPORT_CHUNK) {
        yield { invoices, credits };
        invoices = [];
        credits = [];
      }
    }
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw lineError(err.line, null, err.message);
    throw err;
  }
  if (!columns) throw new InvalidInput('body: the CSV is empty; it needs a header line', [{ field: 'body', message: 'empty' }], 'invalid_import_header');
  if (dataLines === 0) throw new InvalidInput('body: the CSV has a header but no line', [{ field: 'body', message: 'no data line' }], 'invalid_import_header');
  if (invoices.length + credits.length > 0) yield { invoices, credits };
}
