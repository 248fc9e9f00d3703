/**
 * The waterfall engine, pure (no I/O): definitions as data (step form, and the first fixed shape
 * converted to it), their validation, trigger evaluation and one period's run. Servicing reads
 * and writes the trust's state around it; a projection runs it forward period by period.
 */
export * from './definition.js';
export * from './v1.js';
export * from './validate.js';
export * from './triggers.js';
export * from './run.js';
export type * from './period-types.js';
export { initialState, periodFees, periodInterest, scheduledDebtService } from './accruals.js';
export * from './parse.js';
