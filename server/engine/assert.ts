/**
 * Assertions for the engine's invariants. They stay on in production: a broken invariant is a
 * defect, and the engine must stop rather than trade on a corrupt book. Input errors are never
 * asserted; they are rejections (see codes.ts).
 */

export class EngineDefect extends Error {
  override name = 'EngineDefect';
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new EngineDefect(message);
}

export function assertNever(value: never, what: string): never {
  throw new EngineDefect(`unexpected ${what}: ${String(value)}`);
}
