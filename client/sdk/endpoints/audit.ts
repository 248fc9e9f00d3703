/**
 * Audit endpoints of ComputeNotesClient: one page of the audit trail, or the whole trail
 * matching a filter followed page by page (back office, operator).
 */
import { queryString } from '../http.js';
import type { AuditEntry, AuditQuery } from '../types.js';
import type { ClientBase } from './core.js';

/** Adds the audit endpoints to a client class. */
export function withAudit<TBase extends ClientBase>(Base: TBase) {
  return class AuditEndpoints extends Base {
    /** One page of the audit trail, newest first (back office, operator). */
    audit(query: AuditQuery = {}): Promise<AuditEntry[]> {
      return this.http.request('GET', `/api/v1/audit${queryString(query)}`);
    }

    /** The whole trail matching the filters, newest first: pages of `pageSize` followed with `before`, up to `max` rows. */
    async auditAll(
      query: Omit<AuditQuery, 'before' | 'limit'> = {},
      options: { pageSize?: number; max?: number } = {},
    ): Promise<AuditEntry[]> {
      const pageSize = options.pageSize ?? 1000;
      const max = options.max ?? 100_000;
      const rows: AuditEntry[] = [];
      let before: string | undefined;
      while (rows.length < max) {
        const page = await this.audit({ ...query, limit: Math.min(pageSize, max - rows.length), ...(before ? { before } : {}) });
        rows.push(...page);
        if (page.length < pageSize) break;
        before = page[page.length - 1]!.id;
      }
      return rows;
    }
  };
}
