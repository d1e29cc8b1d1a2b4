import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { type Actor, type RoleId, assertAdmin } from '../shared/access.js';
import { UnauthorizedError } from '../shared/errors.js';
import { MAX_ID } from '../shared/schemas.js';

/** What a token carries: the customer id (sub), its role, and the customer's token version. */
export interface TokenClaims {
  sub: string;
  role: number;
  ver: number;
}

/** The live customer behind a token, or undefined for a deleted or unknown one. */
export type FindTokenHolder = (id: number) => Promise<{ id: number; role_id: RoleId; token_version: number } | undefined>;

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
/** A customer id as we sign it: a positive integer in plain digits ("2.0" or "02" is not one). */
const SUBJECT = /^[1-9][0-9]{0,9}$/;

/**
 * Verifies bearer tokens. Which customer holds a token is asked of `findTokenHolder`, given
 * by the app, so this plugin depends on no domain module.
 */
export default fp(
  async function auth(app: FastifyInstance, options: { config: Config; findTokenHolder: FindTokenHolder }) {
    await app.register(fastifyJwt, {
      secret: options.config.jwtSecret,
      // @fastify/jwt reads a number as seconds.
      sign: { algorithm: 'HS256', expiresIn: options.config.jwtExpiresInSeconds },
      // Only HS256: a token saying `alg: none` or any other algorithm is refused; a token
      // without an expiry or a subject is refused too, however well signed. Verified tokens
      // are cached (by a hash of the token, never past its expiry): a client sends the same
      // token with every request. Revocation does not depend on this: the customer's token
      // version is checked against the database on every request.
      verify: { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'], cache: 10_000 },
    });

    app.decorate('signToken', (claims: TokenClaims) => app.jwt.sign(claims));
    app.decorateRequest('actor', null as unknown as Actor);

    app.decorate('authenticate', async (request: FastifyRequest) => {
      const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
      if (!token) throw new UnauthorizedError('Send Authorization: Bearer <token>.');
      const claims = verifyToken(app, token);
      // The live row decides: a deleted customer, or one whose password changed since, loses its tokens.
      const holder = await options.findTokenHolder(Number(claims.sub));
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
  let claims: TokenClaims & { exp?: unknown };
  try {
    claims = app.jwt.verify<TokenClaims & { exp?: unknown }>(token);
  } catch {
    throw new UnauthorizedError('The token is invalid or expired.');
  }
  const wellFormed =
    typeof claims.sub === 'string' &&
    SUBJECT.test(claims.sub) &&
    Number(claims.sub) <= MAX_ID &&
    Number.isSafeInteger(claims.ver) &&
    typeof claims.exp === 'number';
  if (!wellFormed) throw new UnauthorizedError('The token is invalid or expired.');
  return claims;
}
