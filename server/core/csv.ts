/**
 * One field of a CSV export (RFC 4180), as every server-side export writes it: quoted when it holds
 * a comma, a double quote or a line break (quotes doubled inside), and a leading formula character
 * (= + - @ tab CR) neutralised with an apostrophe so a spreadsheet does not run it — except in
 * numbers, whose minus sign is kept.
 *
 * Guarantees: the same text back for a plain field. Must never: drop or reorder characters, or
 * import anything of server/ (core sits below the services that export CSV).
 */

export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
