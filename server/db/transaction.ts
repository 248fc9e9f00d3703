/**
 * Runs a unit of work in a transaction, retrying the operating errors that Postgres asks callers
 * to retry (serialization failure 40001, deadlock 40P01) a bounded number of times.
 * Rejections and defects are never retried: they propagate after the rollback.
 */
import type { Knex } from 'knex';

const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

export function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && RETRYABLE_SQLSTATES.has(String((error as { code?: unknown }).code));
}

export async function inTransaction<T>(knex: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await knex.transaction(work);
    } catch (error) {
      if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw error;
      // Back off a little so the transaction we collided with can finish.
      await new Promise((resolve) => setTimeout(resolve, attempt * 5));
    }
  }
}
