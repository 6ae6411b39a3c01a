/**
 * Spreadsheet safety shared by every export (.xlsx and CSV): the office, units and quota reports.
 */

/** Neutralises spreadsheet formula injection (OWASP "CSV injection"). */
export function neutraliseCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
