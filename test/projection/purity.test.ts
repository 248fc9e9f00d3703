/**
 * Static guard for the pure analytics and projection modules: no I/O, clock, randomness,
 * environment or logging, no float conversion of amounts (parseFloat / Number(...) of text),
 * and a header comment. context.ts, scenario-input.ts and curves.ts are the I/O around them and are
 * not checked; the projection service, its class analytics and its view take a loaded context and are.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../server');
const PURE = [
  ...readdirSync(join(ROOT, 'analytics')).map((f) => join('analytics', f)),
  ...[
    'scenario.ts',
    'model.ts',
    'cents.ts',
    'class-analytics.ts',
    'fast.ts',
    'fast-amounts.ts',
    'fast-collateral.ts',
    'fast-setup.ts',
    'fast-triggers.ts',
    'reference.ts',
    'service.ts',
    'setup.ts',
    'start.ts',
    'view.ts',
  ].map((f) => join('projection', f)),
];
const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bawait\b|\basync\b/, 'async code'],
  [/Date\.now|new Date\s*\(|Date\.parse/, 'clock or JS Date'],
  [/Math\.random|crypto\./, 'randomness'],
  [/process\.|\brequire\(/, 'process / environment'],
  [/\bconsole\./, 'logging'],
  [/parseFloat|toFixed\(\)\s*\)|Number\(\s*['"a-z]*\.?(amount|balance|price)/i, 'float conversion of amounts'],
  [/from ['"]node:|from ['"](fs|path|http|https|net|os|child_process|knex)['"]/, 'I/O modules'],
];

describe('pure analytics and projection modules', () => {
  it.each(PURE)('%s follows the rules', (file) => {
    const source = readFileSync(join(ROOT, file), 'utf8');
    const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const found = FORBIDDEN.filter(([pattern]) => pattern.test(code)).map(([, what]) => what);
    if (!source.startsWith('/**')) found.push('missing header comment');
    expect(found).toEqual([]);
  });
});
