/**
 * JSON Web Tokens for API access. Signing and verification pin everything an attacker could
 * otherwise choose: the algorithm (HS256 only, so `alg: none` and key-confusion tokens fail), the
 * issuer, the audience, a maximum age, and the presence of `exp`.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ROLES, type Role } from './roles.js';

export const TOKEN_ISSUER = 'compute-notes-exchange';
export const TOKEN_AUDIENCE = 'cnx-api';
export const TOKEN_LIFETIME_SECONDS = 8 * 60 * 60;
const ALGORITHM = 'HS256';

/**
 * Given a string, jsonwebtoken tries to parse it as a public key and then builds a secret key, on
 * every call (a fifth of the CPU of the order path when profiled). The key object is built once.
 */
const keyObjects = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keyObjects.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keyObjects.set(secret, key);
  }
  return key;
}

export interface Principal {
  userId: string;
  username: string;
  partyId: string;
  roles: Role[];
}

export interface IssuedToken {
  token: string;
  expiresAt: string;
}

export function issueToken(secret: string, principal: Principal, nowSeconds: number): IssuedToken {
  const exp = nowSeconds + TOKEN_LIFETIME_SECONDS;
  const token = jwt.sign(
    { sub: principal.userId, username: principal.username, partyId: principal.partyId, roles: principal.roles, iat: nowSeconds, exp },
    keyOf(secret),
    { algorithm: ALGORITHM, issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE },
  );
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

export class TokenError extends Error {}

const CLAIM_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Tokens whose signature and claims were verified, with the times that still have to be checked
 * on every use. A token string cannot change, so its signature needs checking once; exp, nbf and
 * the maximum age are re-checked each time. Without this, HMAC and JSON parsing of the token were
 * a tenth of the order path's CPU. Bounded: emptied when full.
 */
interface VerifiedToken {
  principal: Principal;
  exp: number;
  iat: number | null;
  nbf: number | null;
}
const VERIFIED_TOKENS_MAX = 50_000;
const verifiedTokens = new Map<string, VerifiedToken>();

function stillValid(entry: VerifiedToken, nowSeconds: number): boolean {
  if (nowSeconds >= entry.exp + CLOCK_TOLERANCE_SECONDS) return false;
  if (entry.nbf !== null && entry.nbf > nowSeconds + CLOCK_TOLERANCE_SECONDS) return false;
  if (entry.iat !== null && nowSeconds >= entry.iat + TOKEN_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS) return false;
  return true;
}

/** Returns the principal of a valid token, or throws TokenError (never a library error). */
export function verifyToken(secret: string, token: string, nowSeconds: number): Principal {
  const cacheKey = `${secret.length}:${secret}:${token}`;
  const cached = verifiedTokens.get(cacheKey);
  if (cached && stillValid(cached, nowSeconds)) return cached.principal;
  const entry = verifyTokenFully(secret, token, nowSeconds);
  if (verifiedTokens.size >= VERIFIED_TOKENS_MAX) verifiedTokens.clear();
  verifiedTokens.set(cacheKey, entry);
  return entry.principal;
}

function verifyTokenFully(secret: string, token: string, nowSeconds: number): VerifiedToken {
  let payload: jwt.JwtPayload | string;
  try {
    payload = jwt.verify(token, keyOf(secret), {
      algorithms: [ALGORITHM],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      maxAge: `${TOKEN_LIFETIME_SECONDS}s`,
      clockTimestamp: nowSeconds,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
  } catch (error) {
    throw new TokenError(error instanceof Error ? error.message : 'invalid token');
  }
  if (typeof payload === 'string' || typeof payload.exp !== 'number') throw new TokenError('token has no expiry');
  const { sub, username, partyId, roles } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || typeof username !== 'string' || typeof partyId !== 'string' || !Array.isArray(roles)) {
    throw new TokenError('token is missing claims');
  }
  // A signed token is still only as good as its claims: ids reach SQL as uuid parameters, so a
  // malformed one would fail in the database (a 500) instead of being refused here (issue 14).
  if (!CLAIM_UUID.test(sub) || !CLAIM_UUID.test(partyId)) throw new TokenError('token has malformed claims');
  if (
    username.length === 0 ||
    username.length > 100 ||
    !roles.every((r) => typeof r === 'string' && (ROLES as readonly string[]).includes(r))
  ) {
    throw new TokenError('token has malformed claims');
  }
  return {
    principal: { userId: sub, username, partyId, roles: roles as Role[] },
    exp: payload.exp,
    iat: typeof payload.iat === 'number' ? payload.iat : null,
    nbf: typeof payload.nbf === 'number' ? payload.nbf : null,
  };
}
