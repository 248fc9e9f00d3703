/**
 * The SDK's HTTP transport: one `request` that sends JSON with the bearer token and turns every
 * failure into an `ApiError` carrying the API's code, message and details (API.md "Errors").
 *
 * Guarantees: a response body is parsed as JSON text and returned as is, so decimal strings stay
 * strings; a request that never got an answer (DNS, refused connection, timeout) is an ApiError
 * with status 0 and code NETWORK_ERROR, so callers handle one error type.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The server could not be reached (status 0). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }

  /** Validation issues (`details.issues`) of a 400 VALIDATION_FAILED, as `path: message` lines. */
  get issues(): string[] {
    const issues = this.details.issues;
    if (!Array.isArray(issues)) return [];
    return issues.map(
      (issue: { path?: unknown; message?: unknown }) => `${String(issue.path ?? '') || '(body)'}: ${String(issue.message ?? '')}`,
    );
  }
}

export interface TransportOptions {
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
  /** Abort a request that has not answered within this time (default 30 s). */
  timeoutMs?: number;
}

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  body?: unknown;
  as?: 'json' | 'text';
  idempotencyKey?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class HttpTransport {
  token: string | undefined;
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
    this.token = options.token;
    // Bind: a browser's fetch throws "Illegal invocation" when called as a method of another object.
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const as = options.as ?? 'json';
    const headers: Record<string, string> = { accept: as === 'json' ? 'application/json' : 'text/csv' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        signal: controller.signal,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      text = await response.text();
    } catch (error) {
      const reason = controller.signal.aborted ? `no answer within ${this.timeoutMs} ms` : describe(error);
      throw new ApiError(0, 'NETWORK_ERROR', `cannot reach ${this.baseUrl}: ${reason}`);
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw errorFrom(response.status, text, `${method} ${path}`);
    if (as === 'text') return text as T;
    return (text ? JSON.parse(text) : null) as T;
  }
}

function errorFrom(status: number, text: string, what: string): ApiError {
  let error: { code?: string; message?: string; details?: Record<string, unknown> } = {};
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
  } catch {
    // Not a JSON error body (e.g. a proxy's page): report the status alone.
  }
  return new ApiError(status, error.code ?? 'HTTP_ERROR', error.message ?? `${what} answered ${status}`, error.details ?? {});
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

/** `?a=1&b=x` from the defined values, or '' when there are none. */
export function queryString(query: Record<string, QueryValue>): string {
  const pairs = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}

export function segment(id: string): string {
  return encodeURIComponent(id);
}
