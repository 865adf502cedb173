/**
 * CSV as spreadsheets and investigators' tools read it: RFC 4180 quoting, CRLF line ends,
 * and a leading quote mark for text a spreadsheet would run as a formula. One implementation
 * for every export (the audit log, trends).
 */
export function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value !== 'number' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows of cells as CSV text, each line ended by CRLF. */
export function csvText(rows: readonly (readonly unknown[])[]): string {
  return rows.map((r) => `${r.map(csvCell).join(',')}\r\n`).join('');
}
