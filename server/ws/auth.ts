/**
 * Authentication of a WebSocket session: the same JWT as REST (verifyToken pins algorithm,
 * issuer, audience and age), plus the token's `exp`, which the gateway enforces for the whole
 * life of the connection, not only at the handshake.
 *
 * Guarantees: a session is never authenticated with a token that is already past its `exp`
 * (verifyToken's clock tolerance does not extend a session).
 */
import jwt from 'jsonwebtoken';
import { TokenError, verifyToken, type Principal } from '../auth/tokens.js';

export interface SessionIdentity {
  principal: Principal;
  expiresAtSeconds: number;
}

/** Returns the identity of a valid, unexpired token, or throws TokenError. */
export function authenticateToken(secret: string, token: string, nowSeconds: number): SessionIdentity {
  const principal = verifyToken(secret, token, nowSeconds);
  const payload = jwt.decode(token);
  const exp = typeof payload === 'object' && payload !== null ? payload.exp : undefined;
  if (typeof exp !== 'number') throw new TokenError('token has no expiry');
  if (exp <= nowSeconds) throw new TokenError('jwt expired');
  return { principal, expiresAtSeconds: exp };
}

/** The token of an `Authorization: Bearer <token>` header, or null when the header is malformed. */
export function bearerToken(header: string): string | null {
  const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header);
  return match?.[1] ?? null;
}
