/**
 * The Express application: security headers, explicit body limits, the route table, and one
 * error handler that turns every failure into the error shape of API.md. Unexpected errors are
 * logged with their cause and answered with an opaque 500.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError, errorBody, isErrorCode, HTTP_STATUS_BY_CODE } from './errors.js';
import { routeHandler } from './pipeline.js';
import type { AnyRoute } from './route.js';
import type { AppServices } from './services.js';
import { LedgerRejection } from '../ledger/errors.js';
import { DomainError } from '../domain/errors.js';

export const JSON_BODY_LIMIT = '64kb';

export function createApp(services: AppServices, routes: readonly AnyRoute[]): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(securityHeaders);
  app.use(requestLog(services));
  app.use(express.json({ limit: JSON_BODY_LIMIT, strict: true }));
  for (const route of routes) app[route.method](route.path, routeHandler(route, services));
  app.use('/api', (request: Request) => {
    throw new ApiError('NOT_FOUND', `no route for ${request.method} ${request.path}`);
  });
  app.use(errorHandler(services));
  return app;
}

/** One structured log line per request, after the response: method, path, status, duration. */
function requestLog(services: AppServices) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      services.logger.info({ method: request.method, path: request.path, status: response.statusCode, durationMs }, 'request');
    });
    next();
  };
}

function securityHeaders(_request: Request, response: Response, next: NextFunction): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  response.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  );
  response.setHeader('Cache-Control', 'no-store');
  next();
}

interface BodyParserError {
  type?: string;
  status?: number;
}

function errorHandler(services: AppServices) {
  return (error: unknown, request: Request, response: Response, _next: NextFunction): void => {
    const { status, body } = toErrorResponse(error);
    if (status >= 500) services.logger.error({ err: error, method: request.method, path: request.path }, 'request failed');
    if (response.headersSent) return;
    response.status(status).json(body);
  };
}

export function toErrorResponse(error: unknown): { status: number; body: ReturnType<typeof errorBody> } {
  if (error instanceof ApiError) return { status: error.status, body: errorBody(error.code, error.message, error.details) };
  if (error instanceof LedgerRejection) {
    return { status: HTTP_STATUS_BY_CODE[error.code], body: errorBody(error.code, error.message, error.details) };
  }
  if (error instanceof DomainError) {
    const code = isErrorCode(error.code) ? error.code : 'VALIDATION_FAILED';
    return { status: HTTP_STATUS_BY_CODE[code], body: errorBody(code, error.message) };
  }
  const parserError = error as BodyParserError;
  if (parserError?.type === 'entity.parse.failed') return { status: 400, body: errorBody('MALFORMED_JSON', 'the request body is not valid JSON') };
  if (parserError?.type === 'entity.too.large') return { status: 413, body: errorBody('PAYLOAD_TOO_LARGE', `the request body exceeds ${JSON_BODY_LIMIT}`) };
  if (parserError?.type === 'charset.unsupported' || parserError?.type === 'encoding.unsupported') {
    return { status: 415, body: errorBody('UNSUPPORTED_MEDIA_TYPE', 'the request body must be UTF-8 JSON') };
  }
  return { status: 500, body: errorBody('INTERNAL', 'internal error') };
}
