/**
 * Client order ids: unique per party, printable ASCII without spaces (at most 64 characters), so
 * a retry of the same order can reuse its id and the server answers with the original result.
 * Uses crypto.getRandomValues, which browsers offer on plain-HTTP pages too (randomUUID does not).
 */
export function newClOrdId(prefix = 'cn'): string {
  const bytes = new Uint8Array(9);
  globalThis.crypto.getRandomValues(bytes);
  const random = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${prefix}-${Date.now().toString(36)}-${random}`;
}
