/**
 * The core every endpoint area of ComputeNotesClient builds on: the HTTP transport (http.ts sends
 * the requests and turns failures into ApiError), the session's token, login and the health
 * probes. The area mixins in this folder add one method per endpoint and reach the API only
 * through `this.http`, so the token `login` keeps is sent by every later call.
 */
import { HttpTransport, type TransportOptions } from '../http.js';
import type { LoginResult } from '../types.js';

export class ClientCore {
  protected readonly http: HttpTransport;

  constructor(options: TransportOptions) {
    this.http = new HttpTransport(options);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  get token(): string | undefined {
    return this.http.token;
  }

  setToken(token: string | undefined): void {
    this.http.token = token;
  }

  // --- auth and health -------------------------------------------------------------------------

  async login(username: string, password: string): Promise<LoginResult> {
    const result = await this.http.request<LoginResult>('POST', '/api/v1/auth/token', { body: { username, password } });
    this.http.token = result.token;
    return result;
  }

  health(): Promise<{ status: 'ok' }> {
    return this.http.request('GET', '/healthz');
  }

  readiness(): Promise<{ status: 'ready' | 'not_ready' }> {
    return this.http.request('GET', '/readyz');
  }

  openApi(): Promise<Record<string, unknown>> {
    return this.http.request('GET', '/api/v1/openapi.json');
  }
}

/** What an area mixin extends: a class whose instances are a ClientCore (so `this.http` is there). */
// biome-ignore lint/suspicious/noExplicitAny: TypeScript accepts a class as a mixin base only if its constructor takes `...args: any[]` (TS2545).
export type ClientBase = new (...args: any[]) => ClientCore;
