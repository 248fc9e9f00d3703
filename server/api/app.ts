/**
 * The Express application: security headers, explicit body limits, the route table, and one
 * error handler that turns every failure into the error shape of API.md. Unexpected errors are
 * logged with their cause and answered with an opaque 500.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createApiDispatcher } from './dispatch.js';
import { ApiError, errorBody, httpStatusOf, isErrorCode, HTTP_STATUS_BY_CODE } from './errors.js';
import { routeHandler } from './pipeline.js';
import { isUtf8, NotUtf8Error } from './utf8.js';
import type { AnyRoute } from './route.js';
import type { AppServices } from './services.js';
import { LedgerRejection } from '../ledger/errors.js';
import { DomainError } from '../domain/errors.js';

export const JSON_BODY_LIMIT = '64kb';
const JSON_BODY_LIMIT_BYTES = 64 * 1024;

/** Where `npm run build:web` puts the web app (client/web/dist); served at `/` when present. */
export const WEB_APP_DIR = fileURLToPath(new URL('../../client/web/dist', import.meta.url));

export interface AppOptions {
  /** Directory of the built web app; null serves the API alone. Default WEB_APP_DIR. */
  webAppDir?: string | null;
}

export function createApp(services: AppServices, routes: readonly AnyRoute[], options: AppOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // API answers are `Cache-Control: no-store`; hashing every body for an ETag only cost CPU on the order path.
  app.set('etag', false);
  app.set('trust proxy', false);
  app.use(securityHeaders);
  app.use(requestLog(services));
  app.use(express.json({ limit: JSON_BODY_LIMIT, strict: true, verify: requireUtf8 }));
  for (const route of routes) app[route.method](route.path, routeHandler(route, services));
  app.use('/api', (request: Request) => {
    // originalUrl keeps the '/api' prefix the mount strips from request.path: say the path that was asked for.
    throw new ApiError('NOT_FOUND', `no route for ${request.method} ${request.originalUrl.split('?')[0]}`);
  });
  const webAppDir = options.webAppDir === undefined ? WEB_APP_DIR : options.webAppDir;
  if (webAppDir) serveWebApp(app, webAppDir);
  app.use(errorHandler(services));
  return app;
}

/**
 * The server's request handler: the API's ordinary requests through the lean dispatcher, the rest
 * (web app, unusual requests, unknown paths) through the Express application.
 */
export function createRequestHandler(
  services: AppServices,
  routes: readonly AnyRoute[],
  options: AppOptions = {},
): (request: IncomingMessage, response: ServerResponse) => void {
  const app = createApp(services, routes, options);
  const dispatch = createApiDispatcher(routes, services, {
    bodyLimitBytes: JSON_BODY_LIMIT_BYTES,
    headers: SECURITY_HEADERS,
    toErrorResponse,
  });
  return (request, response) => {
    if (!dispatch(request, response)) app(request, response);
  };
}

/** Fingerprinted bundles (Vite's `assets/name-<hash>.js`) never change under their name. */
const IMMUTABLE_ASSET = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.(js|css|woff2?|svg|png)$/;

/**
 * The built web app: fingerprinted assets cached for a year, everything else (index.html, the
 * favicon) revalidated on every load so a new build is picked up at once; any other GET that is
 * not an API path and not a file answers with index.html (client-side routes such as
 * /notes/<id>). Only files inside the build directory are served (express.static refuses `..`).
 * The directory is looked up per request, so a build made after start is served without restart.
 */
function serveWebApp(app: express.Express, root: string): void {
  const index = path.join(root, 'index.html');
  app.use(
    express.static(root, {
      index: false,
      dotfiles: 'ignore',
      redirect: false,
      setHeaders: (response, file) => {
        const relative = `/${path.relative(root, file).split(path.sep).join('/')}`;
        response.setHeader('Cache-Control', IMMUTABLE_ASSET.test(relative) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    if (request.path.startsWith('/api/') || request.path === '/ws' || path.extname(request.path) !== '') return next();
    if (!fs.existsSync(index)) {
      response.status(503).type('text/plain').send('The web app is not built: run `npm run build:web` (npm start builds it).\n');
      return;
    }
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(index);
  });
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

const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  [
    'Content-Security-Policy',
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  ],
  ['Cache-Control', 'no-store'],
];

function securityHeaders(_request: Request, response: Response, next: NextFunction): void {
  for (const [name, value] of SECURITY_HEADERS) response.setHeader(name, value);
  next();
}

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

function requireUtf8(_request: IncomingMessage, _response: ServerResponse, bytes: Buffer): void {
  if (!isUtf8(bytes)) throw new NotUtf8Error();
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
  if (error instanceof ApiError) return { status: httpStatusOf(error), body: errorBody(error.code, error.message, error.details) };
  if (error instanceof LedgerRejection) {
    return { status: HTTP_STATUS_BY_CODE[error.code], body: errorBody(error.code, error.message, error.details) };
  }
  if (error instanceof DomainError) {
    const code = isErrorCode(error.code) ? error.code : 'VALIDATION_FAILED';
    return { status: HTTP_STATUS_BY_CODE[code], body: errorBody(code, error.message) };
  }
  if (error instanceof NotUtf8Error)
    return { status: 415, body: errorBody('UNSUPPORTED_MEDIA_TYPE', 'the request body must be UTF-8 JSON') };
  // Express refuses a path parameter that is not valid percent-encoding with a URIError.
  if (error instanceof URIError)
    return { status: 400, body: errorBody('VALIDATION_FAILED', 'a path parameter is not valid percent-encoding') };
  const parserError = error as BodyParserError;
  if (parserError?.type === 'entity.parse.failed')
    return { status: 400, body: errorBody('MALFORMED_JSON', 'the request body is not valid JSON') };
  if (parserError?.type === 'entity.too.large')
    return { status: 413, body: errorBody('PAYLOAD_TOO_LARGE', `the request body exceeds ${JSON_BODY_LIMIT}`) };
  if (parserError?.type === 'charset.unsupported' || parserError?.type === 'encoding.unsupported') {
    return { status: 415, body: errorBody('UNSUPPORTED_MEDIA_TYPE', 'the request body must be UTF-8 JSON') };
  }
  // Any other refusal of the body parser (a gzip or br body that does not decompress, a stream that
  // ends early): the body could not be read, which is the client's fault, not ours.
  if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500 && parserError.expose === true) {
    return { status: 400, body: errorBody('MALFORMED_BODY', 'the request body could not be read (check its Content-Encoding and length)') };
  }
  return { status: 500, body: errorBody('INTERNAL', 'internal error') };
}
