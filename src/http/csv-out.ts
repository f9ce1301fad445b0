/**
 * Every CSV Vigie writes goes through these two functions. A text cell that a spreadsheet would
 * read as a formula (it begins with =, +, -, @, a tab or a carriage return: OWASP "CSV Injection")
 * is prefixed with an apostrophe, which spreadsheets show as text; numbers are written as they
 * are (a negative number is data, not a formula). Cells holding the separator, a quote or a line
 * break are quoted (RFC 4180).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown, separator: ',' | ';' = ','): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  let text = typeof value === 'boolean' ? String(value) : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return text.includes(separator) || /["\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly unknown[], separator: ',' | ';' = ','): string {
  return values.map((v) => csvCell(v, separator)).join(separator);
}
