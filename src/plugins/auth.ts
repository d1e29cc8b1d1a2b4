import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { findTokenHolder } from '../modules/customers/customers.service.js';
import { type Actor, assertAdmin } from '../shared/access.js';
import { UnauthorizedError } from '../shared/errors.js';

/** What a token carries: the customer id (sub), its role, and the customer's token version. */
export interface TokenClaims {
  sub: string;
  role: number;
  ver: number;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims;
    user: TokenClaims;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook for a scope of routes that need a valid token. */
    authenticate: (request: FastifyRequest) => Promise<void>;
    /** onRequest hook, after authenticate, for admin-only routes. */
    requireAdmin: (request: FastifyRequest) => Promise<void>;
    signToken: (claims: TokenClaims) => string;
  }
  interface FastifyRequest {
    /** The caller; set by `authenticate`, so read it only in protected scopes. */
    actor: Actor;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i; // the scheme name ignores case (RFC 9110)

export default fp(
  async function auth(app: FastifyInstance, { config }: { config: Config }) {
    await app.register(fastifyJwt, {
      secret: config.jwtSecret,
      // @fastify/jwt reads a number as seconds.
      sign: { algorithm: 'HS256', expiresIn: config.jwtExpiresInSeconds },
      // Only HS256: a token saying `alg: none` or any other algorithm is refused. Verified
      // tokens are cached (by a hash of the token, never past its expiry): a client sends the
      // same token with every request. Revocation does not depend on this: the customer's
      // token version is checked against the database on every request.
      verify: { algorithms: ['HS256'], cache: 10_000 },
    });

    app.decorate('signToken', (claims: TokenClaims) => app.jwt.sign(claims));
    app.decorateRequest('actor', null as unknown as Actor);

    app.decorate('authenticate', async (request: FastifyRequest) => {
      const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
      if (!token) throw new UnauthorizedError('Send Authorization: Bearer <token>.');
      const claims = verifyToken(app, token);
      const customerId = Number(claims.sub);
      // The live row decides: a deleted customer, or one whose password changed since, loses its tokens.
      const holder = Number.isSafeInteger(customerId) ? await findTokenHolder(app.db, customerId) : undefined;
      if (!holder || holder.token_version !== claims.ver) {
        throw new UnauthorizedError('This token is no longer valid; log in again.');
      }
      request.actor = { id: holder.id, role_id: holder.role_id };
    });

    app.decorate('requireAdmin', async (request: FastifyRequest) => assertAdmin(request.actor));
  },
  { name: 'auth', dependencies: ['database'] },
);

function verifyToken(app: FastifyInstance, token: string): TokenClaims {
  try {
    const claims = app.jwt.verify<TokenClaims>(token);
    if (typeof claims.sub !== 'string' || typeof claims.ver !== 'number') throw new Error('missing claims');
    return claims;
  } catch {
    throw new UnauthorizedError('The token is invalid or expired.');
  }
}
