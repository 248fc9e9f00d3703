// Static guard for the rules of server/domain: pure (no I/O, clock, randomness, environment or
// logging), money never through JS floats, exactly one module that rounds, small files that
// start with a header comment, and no imports beyond decimal.js and sibling modules.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DOMAIN_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../server/domain');
const ROUNDING_MODULES = new Set(['rounding.ts', 'decimal.ts']); // decimal.ts only configures the clone
const INTEGER_MATH_MODULES = new Set(['dates.ts', 'calendar.ts', 'identifiers.ts']);

const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bawait\b|\basync\b/, 'async code'],
  [/Date\.now|new Date\s*\(|Date\.parse|Date\.UTC/, 'clock or JS Date'],
  [/Math\.random|crypto\./, 'randomness'],
  [/process\.|\brequire\(/, 'process / environment'],
  [/\bconsole\./, 'logging'],
  [/parseFloat|\bNumber\(|Math\.round|Math\.ceil|Math\.trunc/, 'float conversion or rounding of numbers'],
  [/from ['"]node:|from ['"](fs|path|http|https|net|os|child_process)['"]/, 'node I/O modules'],
];

export function violations(file: string, source: string): string[] {
  const found: string[] = [];
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, ''); // ignore comments
  for (const [pattern, what] of FORBIDDEN) if (pattern.test(code)) found.push(`${file}: ${what}`);
  if (!ROUNDING_MODULES.has(file) && /toDecimalPlaces|toDP\(|\.round\(|toSignificantDigits|toSD\(|ROUND_|toNearest/.test(code)) {
    found.push(`${file}: rounds outside rounding.ts`);
  }
  if (!INTEGER_MATH_MODULES.has(file) && /Math\.floor/.test(code)) found.push(`${file}: Math.floor outside integer date/identifier code`);
  for (const match of code.matchAll(/from\s+['"]([^'"]+)['"]/g)) {
    const target = match[1] ?? '';
    if (target !== 'decimal.js' && !/^\.\/[a-z]+\.js$/.test(target)) found.push(`${file}: imports ${target}`);
  }
  if (!source.startsWith('/**')) found.push(`${file}: missing header comment`);
  if (source.split('\n').length > 400) found.push(`${file}: longer than 400 lines`);
  return found;
}

describe('server/domain purity rules', () => {
  const files = readdirSync(DOMAIN_DIR).filter((f) => f.endsWith('.ts'));

  it('finds the domain modules', () => {
    expect(files).toEqual(expect.arrayContaining(['index.ts', 'rounding.ts', 'decimal.ts', 'yield.ts', 'calendar.ts']));
  });

  it('every module follows the rules', () => {
    const all = files.flatMap((file) => violations(file, readFileSync(join(DOMAIN_DIR, file), 'utf8')));
    expect(all).toEqual([]);
  });

  it('the guard itself catches violations (canary)', () => {
    const bad = "/** x */\nimport fs from 'node:fs';\nconst t = Date.now();\nconst n = parseFloat('1');\nconst r = x.toDecimalPlaces(2);\n";
    expect(violations('bad.ts', bad)).toEqual([
      'bad.ts: clock or JS Date',
      'bad.ts: float conversion or rounding of numbers',
      'bad.ts: node I/O modules',
      'bad.ts: rounds outside rounding.ts',
      'bad.ts: imports node:fs',
    ]);
  });
});
