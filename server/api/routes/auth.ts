/** Login: username and password for a JWT. Rate limited per username and per client address. */
import { z } from 'zod';
import { defineRoute } from '../route.js';
import { ApiError } from '../errors.js';
import { findUserByUsername } from '../../refdata/parties.js';
import { DUMMY_HASH, verifyPassword } from '../../auth/passwords.js';
import { issueToken } from '../../auth/tokens.js';

const credentials = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) }).strict();

const tokenResponse = z.object({
  token: z.string(),
  expiresAt: z.string(),
  user: z.object({ id: z.string(), username: z.string(), partyId: z.string(), roles: z.array(z.string()) }),
});

export const authRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/v1/auth/token',
    summary: 'Log in and receive a bearer token',
    tag: 'auth',
    access: 'public',
    body: credentials,
    response: tokenResponse,
    handler: async ({ body, services, request }) => {
      const nowMs = services.clock.now().getTime();
      const waitSeconds = Math.max(
        services.loginLimits.perUsername.hit(body.username.toLowerCase(), nowMs),
        services.loginLimits.perAddress.hit(request.socket.remoteAddress ?? 'unknown', nowMs),
      );
      if (waitSeconds > 0)
        throw new ApiError('RATE_LIMITED', `too many login attempts; retry in ${waitSeconds} s`, { retryAfterSeconds: waitSeconds });
      const user = await findUserByUsername(services.knex, body.username);
      // Verify against a dummy hash for unknown users so the response time does not tell them apart.
      const passwordOk = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !user.active || !passwordOk) throw new ApiError('INVALID_CREDENTIALS', 'unknown username or wrong password');
      const principal = { userId: user.id, username: user.username, partyId: user.partyId, roles: user.roles };
      const { token, expiresAt } = issueToken(services.jwtSecret, principal, Math.floor(nowMs / 1000));
      return { body: { token, expiresAt, user: { id: user.id, username: user.username, partyId: user.partyId, roles: user.roles } } };
    },
  }),
];
