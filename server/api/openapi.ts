/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests, so the
 * published contract cannot drift from what the server accepts.
 */
import { z } from 'zod';
import type { AnyRoute } from './route.js';
import { errorSchema } from './schemas.js';
import { HTTP_STATUS_BY_CODE } from './errors.js';

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}

function parameters(route: AnyRoute): unknown[] {
  const out: unknown[] = [];
  for (const name of route.path.match(/:([A-Za-z]+)/g) ?? []) {
    out.push({ name: name.slice(1), in: 'path', required: true, schema: { type: 'string' } });
  }
  if (route.query) {
    const schema = jsonSchema(route.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      out.push({ name, in: 'query', required: (schema.required ?? []).includes(name), schema: property });
    }
  }
  return out;
}

function operation(route: AnyRoute): Record<string, unknown> {
  const status = String(route.successStatus ?? 200);
  const op: Record<string, unknown> = {
    summary: route.summary,
    tags: [route.tag],
    'x-access': route.access === 'public' || route.access === 'user' ? route.access : [...route.access],
    parameters: parameters(route),
    responses: {
      [status]: {
        description: 'success',
        content: { 'application/json': { schema: route.response ? jsonSchema(route.response, 'output') : {} } },
      },
      '4XX': {
        description: 'rejected; see the error codes',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  };
  if (route.access !== 'public') op.security = [{ bearer: [] }];
  if (route.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } };
  if (route.idempotent) {
    (op.parameters as unknown[]).push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      schema: { type: 'string', maxLength: 200 },
    });
  }
  return op;
}

export function buildOpenApi(routes: readonly AnyRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...(paths[path] ?? {}), [route.method]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Compute Notes Exchange API',
      version: '1',
      description: 'Trading and settlement of compute notes. Prices, quantities and cash are decimal strings.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: jsonSchema(errorSchema, 'output') },
    },
    'x-error-codes': HTTP_STATUS_BY_CODE,
  };
}
