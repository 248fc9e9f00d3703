/**
 * Definitions that cannot run are refused, naming the step (its index and kind), the trigger or
 * the class; and the rules of the pure folder (server/waterfall) hold: no I/O, clock, randomness
 * or environment, rounding only through domain/rounding.ts, a header comment on every module.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWaterfallDefinition, WaterfallDefinitionError, type WaterfallDefinition } from '../../server/waterfall/index.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

function valid(): WaterfallDefinition {
  return {
    version: 2,
    paymentsPerYear: 12,
    recordDate: 'business-day-before-payment-date',
    classes: [
      { noteId: A, className: 'A', stepUpRatePercent: '5' },
      { noteId: B, className: 'B', stepUpRatePercent: null },
    ],
    seniorFees: [{ name: 'trustee', annualRatePercent: '0.02', fixedPerPeriod: '0' }],
    reserve: { targetAmount: '1000' },
    anticipatedRepaymentDate: '2031-03-15',
    triggers: [
      {
        name: 'trap',
        metric: 'dscrThreeMonthAverage',
        comparison: 'lt',
        threshold: '1.35',
        lookbackPeriods: 1,
        curePeriods: 2,
        effect: { type: 'trap_cash', percent: '100' },
      },
      {
        name: 'pik',
        metric: 'dscr',
        comparison: 'lt',
        threshold: '1.3',
        lookbackPeriods: 12,
        curePeriods: 1,
        effect: { type: 'defer_interest', classes: ['B'] },
      },
    ],
    steps: [
      { kind: 'senior_fees', drawReserve: true },
      { kind: 'interest', className: 'A', drawReserve: true },
      { kind: 'interest', className: 'B', drawReserve: true },
      { kind: 'reserve_top_up' },
      { kind: 'cash_trap', when: { ard: 'before' } },
      { kind: 'sweep', mode: 'sequential', classes: ['A', 'B'], includeTrappedCash: true, when: { ard: 'from' } },
      { kind: 'deferred_interest', className: 'B' },
      { kind: 'additional_interest', className: 'A' },
      { kind: 'residual' },
    ],
  };
}

function refusal(change: (d: WaterfallDefinition) => void): { message: string; details: object } {
  const definition = valid();
  change(definition);
  try {
    parseWaterfallDefinition(JSON.parse(JSON.stringify(definition)));
  } catch (error) {
    expect(error).toBeInstanceOf(WaterfallDefinitionError);
    return { message: (error as Error).message, details: (error as WaterfallDefinitionError).details };
  }
  throw new Error('the definition was accepted');
}

describe('waterfall validation', () => {
  it('accepts a definition that can run, and a version-1 definition converted', () => {
    expect(parseWaterfallDefinition(valid())).toEqual(valid());
    const v1 = parseWaterfallDefinition({
      version: 1,
      paymentsPerYear: 12,
      seniorFees: [],
      classes: [{ noteId: A, className: 'A' }],
      reserve: { targetAmount: '0' },
      principal: { mode: 'pro_rata', scheduledPerPeriod: '10' },
      cashTrap: null,
      anticipatedRepaymentDate: null,
      recordDate: 'business-day-before-payment-date',
    });
    expect(v1.steps.map((s) => s.kind)).toEqual([
      'senior_fees',
      'interest',
      'reserve_top_up',
      'scheduled_principal',
      'cash_trap',
      'residual',
    ]);
  });

  const cases: Array<[string, (d: WaterfallDefinition) => void, object, RegExp]> = [
    [
      'an unknown class in a step',
      (d) => {
        d.steps[5] = { kind: 'sweep', mode: 'sequential', classes: ['A', 'Z'], includeTrappedCash: true, when: { ard: 'from' } };
      },
      { step: 5, kind: 'sweep' },
      /unknown class Z/,
    ],
    [
      'interest out of seniority',
      (d) => {
        [d.steps[1], d.steps[2]] = [d.steps[2]!, d.steps[1]!];
      },
      { step: 2, kind: 'interest' },
      /junior class/,
    ],
    [
      'senior fees after interest',
      (d) => {
        [d.steps[0], d.steps[1]] = [d.steps[1]!, d.steps[0]!];
      },
      { step: 1, kind: 'senior_fees' },
      /before any interest/,
    ],
    [
      'the residual not last',
      (d) => {
        d.steps.splice(3, 0, { kind: 'residual' });
      },
      { step: 3, kind: 'residual' },
      /last step/,
    ],
    [
      'no residual',
      (d) => {
        d.steps.pop();
      },
      { step: 7, kind: 'additional_interest' },
      /must be the residual/,
    ],
    [
      'post-ARD interest before the sweep',
      (d) => {
        d.steps.splice(4, 0, { kind: 'additional_interest', className: 'A' });
        d.steps.splice(8, 1);
      },
      { step: 4, kind: 'additional_interest' },
      /after everything else/,
    ],
    [
      'deferred interest before its interest',
      (d) => {
        d.steps.splice(1, 0, { kind: 'deferred_interest', className: 'B' });
        d.steps.splice(7, 1);
      },
      { step: 1, kind: 'deferred_interest' },
      /after its interest/,
    ],
    [
      'a cycle through the reserve',
      (d) => {
        d.steps.splice(4, 0, { kind: 'interest', className: 'B', drawReserve: true });
        d.steps.splice(2, 1);
      },
      { step: 3, kind: 'interest' },
      /cycle/,
    ],
    [
      'a cycle through trapped cash',
      (d) => {
        d.steps[4] = { kind: 'cash_trap' };
      },
      { step: 5, kind: 'sweep' },
      /cycle/,
    ],
    [
      'an unknown trigger in a condition',
      (d) => {
        d.steps[4] = { kind: 'cash_trap', when: { ard: 'before', triggerOff: 'nope' } };
      },
      { step: 4, kind: 'cash_trap' },
      /unknown trigger nope/,
    ],
    [
      'an unknown metric',
      (d) => {
        d.triggers[0]!.metric = 'vibes';
      },
      { trigger: 'trap' },
      /unknown metric vibes/,
    ],
    [
      'a duplicate trigger',
      (d) => {
        d.triggers[1]!.name = 'trap';
      },
      { trigger: 'trap' },
      /twice/,
    ],
    [
      'a deferral of an unknown class',
      (d) => {
        d.triggers[1]!.effect = { type: 'defer_interest', classes: ['Q'] };
      },
      { trigger: 'pik', className: 'Q' },
      /unknown class Q/,
    ],
    [
      'deferred interest never paid',
      (d) => {
        d.steps.splice(6, 1);
      },
      { trigger: 'pik', className: 'B' },
      /no deferred_interest step/,
    ],
    [
      'a rapid amortization with no step on it',
      (d) => {
        d.triggers[0]!.effect = { type: 'rapid_amortization' };
      },
      { trigger: 'trap' },
      /no step runs on it/,
    ],
    [
      'a class without an interest step',
      (d) => {
        d.steps.splice(2, 1);
        d.triggers.pop();
        d.steps.splice(5, 1);
      },
      { className: 'B' },
      /no interest step/,
    ],
    [
      'a step-up without its step',
      (d) => {
        d.steps.splice(7, 1);
      },
      { className: 'A' },
      /additional_interest/,
    ],
    [
      'a condition on the ARD without an ARD',
      (d) => {
        d.anticipatedRepaymentDate = null;
      },
      { step: 4, kind: 'cash_trap' },
      /no ARD/,
    ],
    [
      'a malformed step',
      (d) => {
        (d.steps[3] as unknown as { kind: string }).kind = 'magic';
      },
      { step: 3 },
      /steps\.3/,
    ],
    [
      'the same class twice',
      (d) => {
        d.classes[1]!.className = 'A';
      },
      { className: 'A' },
      /twice/,
    ],
  ];
  for (const [name, change, details, message] of cases) {
    it(`refuses ${name}`, () => {
      const refused = refusal(change);
      expect(refused.details).toEqual(details);
      expect(refused.message).toMatch(message);
    });
  }
});

describe('server/waterfall purity rules', () => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '../../server/waterfall');
  const FORBIDDEN: Array<[RegExp, string]> = [
    [/\bawait\b|\basync\b/, 'async code'],
    [/Date\.now|new Date\s*\(|Date\.parse/, 'clock'],
    [/Math\.random|crypto\./, 'randomness'],
    [/process\.|\brequire\(/, 'environment'],
    [/\bconsole\./, 'logging'],
    [/parseFloat|\bNumber\(|Math\.(round|ceil|floor|trunc)/, 'float math'],
    [/toDecimalPlaces|toDP\(|ROUND_/, 'rounding outside domain/rounding.ts'],
  ];
  // The one exception: the metric names triggers may test come from the performance reports' pure
  // metrics module (one list), which has its own purity guard in test/performance/metrics.test.ts.
  it('every module is pure, rounds through the domain and imports only zod, the domain, its siblings and the metric names', () => {
    const problems = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((file) => {
        const source = readFileSync(join(dir, file), 'utf8');
        const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
        const found = FORBIDDEN.filter(([pattern]) => pattern.test(code)).map(([, what]) => `${file}: ${what}`);
        for (const match of code.matchAll(/from\s+['"]([^'"]+)['"]/g)) {
          if (!/^(zod|\.\/[a-z0-9-]+\.js|\.\.\/domain\/[a-z]+\.js|\.\.\/performance\/metrics\.js)$/.test(match[1]!))
            found.push(`${file}: imports ${match[1]}`);
        }
        if (!source.startsWith('/**')) found.push(`${file}: missing header comment`);
        return found;
      });
    expect(problems).toEqual([]);
  });
});
