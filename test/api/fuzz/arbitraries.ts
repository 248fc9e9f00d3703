/**
 * fast-check arbitraries derived from the zod schemas that validate requests: a schema is turned
 * into JSON Schema (z.toJSONSchema, as the OpenAPI document is) and a value is generated from it —
 * well-formed values, using real ids where a schema wants a UUID so that requests reach the code
 * behind validation — and then, most of the time, made hostile: one field replaced by a value of a
 * malformed or boundary class (the decimal text of issue 14, huge and negative numbers, wrong
 * types, unicode, deep nesting), a required field dropped, or an unknown one added.
 */
import fc from 'fast-check';
import { z } from 'zod';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = Record<string, any>;

/** Ids of real entities (notes, deals, parties, orders, RFQs, …) to use where a UUID or id is wanted. */
export interface IdPool {
  uuids: string[];
  numericIds: string[];
}

const DECIMAL_SOURCE = String.raw`^-?(0|[1-9]\d{0,30})(\.\d{1,18})?$`;

/** Decimal text that is not the wire's format (issue 14, item 3). */
export const MALFORMED_DECIMALS = [
  'abc',
  ' 100000',
  '100000 ',
  '１００',
  '100,000',
  '1e5',
  '1E-5',
  '+1',
  '.5',
  '5.',
  '0x1F',
  'NaN',
  'Infinity',
  '-Infinity',
  '',
  ' ',
  '1_000',
  '١٢٣',
  '1.2.3',
  '--1',
  '0.0000000000000000001',
  '00',
  '\u0000',
  '100\n',
  '½',
];

/** Well-formed but extreme decimals: zero, negative, 31 digits, 18 decimals, just above limits. */
export const BOUNDARY_DECIMALS = [
  '0',
  '-0',
  '-1',
  '-100000',
  '0.000000000000000001',
  `1${'0'.repeat(30)}`,
  `9${'9'.repeat(30)}`,
  `-9${'9'.repeat(30)}`,
  '9007199254740993',
  '200',
  '200.001',
  '99999999999999999999',
  '1000000000000000',
  '999999999999999.99',
  '0.001',
  '100000',
  '1000000',
  '50000000',
  '50001000',
  '99.5',
  '100',
];

const HOSTILE_SCALARS: Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  -1e308,
  2 ** 53 + 1,
  -(2 ** 53),
  1.5,
  0.1,
  // biome-ignore lint/correctness/noPrecisionLoss: a hostile client sends exactly this imprecise literal
  9223372036854775807,
  '',
  ' ',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'x'.repeat(5_000),
  '\u202e\u0000\ud83d\ude00',
  'Ω≈ç√∫',
  '<script>',
  "' or 1=1 --",
  '%00',
  '../..',
  '9223372036854775808',
  '-9223372036854775809',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '2026-02-30',
  '0000-00-00',
  '9999-12-31T23:59:59Z',
];

function deepNesting(depth: number, kind: 'array' | 'object'): Json {
  let value: Json = 1;
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

/** A value of a hostile class, for any field. */
export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...MALFORMED_DECIMALS) },
  { weight: 3, arbitrary: fc.constantFrom(...BOUNDARY_DECIMALS) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_SCALARS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 3_000 })
      .chain((depth) => fc.constantFrom(deepNesting(depth, 'array'), deepNesting(Math.min(depth, 500), 'object'))),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constant([] as Json) },
  { weight: 1, arbitrary: fc.constant({} as Json) },
);

function resolve(schema: Schema, root: Schema): Schema {
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#/$defs/'))
    return root.$defs?.[schema.$ref.slice('#/$defs/'.length)] ?? {};
  if (schema.$ref === '#') return root;
  return schema;
}

function decimalArbitrary(): fc.Arbitrary<Json> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom('99', '99.5', '100.125', '100000', '200000', '1000000', '1000.00', '25.5', '90', '0') },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 2_000_000 }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom(...BOUNDARY_DECIMALS) },
  );
}

/** A well-formed value for the schema (depth-limited for recursive schemas). */
export function valueOf(schema: Schema, root: Schema, ids: IdPool, depth = 0): fc.Arbitrary<Json> {
  schema = resolve(schema, root);
  if (depth > 6) return fc.constant(null);
  if ('const' in schema) return fc.constant(schema.const as Json);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as Json[]));
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (union) return fc.oneof(...union.map((option) => valueOf(option, root, ids, depth + 1)));
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return valueOf(schema.allOf[0], root, ids, depth + 1);
  switch (schema.type) {
    case 'object':
      return objectOf(schema, root, ids, depth);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      return fc.array(valueOf(schema.items ?? {}, root, ids, depth + 1), {
        minLength,
        maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 4, 4)),
      });
    }
    case 'string':
      return stringOf(schema, ids);
    case 'integer':
      return fc.integer({
        min: Math.max(schema.minimum ?? -1_000, Number.MIN_SAFE_INTEGER),
        max: Math.min(schema.maximum ?? 1_000_000, Number.MAX_SAFE_INTEGER),
      });
    case 'number':
      return fc.integer({ min: Math.ceil(schema.minimum ?? -1_000), max: Math.floor(schema.maximum ?? 1_000_000) });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
  }
}

function objectOf(schema: Schema, root: Schema, ids: IdPool, depth: number): fc.Arbitrary<Json> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const keys = Object.keys(properties);
  if (keys.length === 0) {
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      return fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), valueOf(schema.additionalProperties, root, ids, depth + 1), {
        maxKeys: 3,
      }) as fc.Arbitrary<Json>;
    }
    return fc.constant({});
  }
  const model: Record<string, fc.Arbitrary<Json>> = {};
  for (const key of keys) model[key] = valueOf(properties[key]!, root, ids, depth + 1);
  return fc.record(model, { requiredKeys: (schema.required ?? []) as string[] }) as fc.Arbitrary<Json>;
}

function stringOf(schema: Schema, ids: IdPool): fc.Arbitrary<Json> {
  if (schema.pattern === DECIMAL_SOURCE) return decimalArbitrary();
  if (schema.format === 'uuid')
    return ids.uuids.length > 0
      ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ids.uuids) }, { weight: 1, arbitrary: fc.uuid() })
      : fc.uuid();
  if (schema.format === 'date-time')
    return fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (typeof schema.pattern === 'string') {
    if (/\\d\{1,1[89]\}/.test(schema.pattern) && ids.numericIds.length > 0)
      return fc.oneof(fc.constantFrom(...ids.numericIds), fc.stringMatching(new RegExp(schema.pattern)));
    const min = schema.minLength ?? 0;
    const max = schema.maxLength ?? 10_000;
    // Cut to the length bounds rather than filter (a filter that rarely passes never ends).
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .map((s) => s.slice(0, max))
      .map((s) => (s.length >= min ? s : s.padEnd(min, s.slice(-1) || 'x')));
  }
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 24, 24);
  const text = fc.string({ minLength, maxLength: Math.max(minLength, maxLength) });
  // Free-text ids (party ids, response ids) reach the database when they are real ones.
  const fitting = ids.uuids.filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
  return fitting.length === 0 ? text : fc.oneof({ weight: 3, arbitrary: text }, { weight: 1, arbitrary: fc.constantFrom(...fitting) });
}

/** Paths to every value inside a JSON value (objects and arrays), the root included. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const found: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => found.push(...paths(item, [...prefix, i])));
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) found.push(...paths(item, [...prefix, key]));
  return found;
}

function setAt(value: Json, path: readonly (string | number)[], replacement: Json | undefined): Json | undefined {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    const next = setAt(copy[head as number] ?? null, rest, replacement);
    if (next === undefined) copy.splice(head as number, 1);
    else copy[head as number] = next;
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, Json> = { ...value };
    const next = setAt(copy[head as string] ?? null, rest, replacement);
    if (next === undefined) delete copy[head as string];
    else copy[head as string] = next;
    return copy;
  }
  return value;
}

/** A valid value made hostile in one place: replaced, dropped, or given an unknown sibling. */
export function mutated(valid: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  return valid.chain((value) => {
    const all = paths(value);
    return fc.tuple(fc.constantFrom(...all), fc.integer({ min: 0, max: 9 }), hostileValue).map(([path, how, hostile]) => {
      if (how === 0 && path.length > 0) return setAt(value, path, undefined) ?? null; // drop a field
      if (how === 1 && value !== null && typeof value === 'object' && !Array.isArray(value)) return { ...value, unexpectedField: hostile }; // unknown key
      return setAt(value, path, hostile) ?? null;
    });
  });
}

/** Valid values most of the time for reachability, hostile ones more often. */
export function requestValue(schema: z.ZodType | undefined, ids: IdPool): fc.Arbitrary<Json | undefined> {
  if (!schema) return fc.oneof(fc.constant(undefined), hostileValue);
  const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Schema;
  const valid = valueOf(root, root, ids);
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 6, arbitrary: mutated(valid) }, { weight: 1, arbitrary: hostileValue });
}
