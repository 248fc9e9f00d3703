/**
 * The exit codes of `cn`, which scripts may rely on (also printed by `cn --help`).
 */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** Usage: an unknown command, a missing or malformed argument. Nothing was sent. */
  usage: 1,
  /** The API refused the request (HTTP 4xx other than 401): validation, market rules, state, permission. */
  rejected: 2,
  /** Not reachable or not authenticated: network failure, timeout, HTTP 401 or 5xx, no credentials. */
  unavailable: 3,
  /** `cn recon` found reconciliation breaks. */
  breaks: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
