import { createHmac, randomBytes } from 'node:crypto';

// Standard Webhooks (https://www.standardwebhooks.com), so a consumer can verify a delivery
// with an off-the-shelf library instead of code of ours.

/** A secret is "whsec_" and the base64 of its key's bytes. */
const SECRET_PREFIX = 'whsec_';

/** Sent on every attempt; the version lets a receiver tell our signing scheme apart should it ever change. */
const USER_AGENT = 'ecommerce-api-webhooks/1';

export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/**
 * `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`. The key is the secret's decoded
 * bytes, not its text: that is what the spec's libraries use, so any other key would verify
 * nowhere. Signing the id and timestamp too stops a captured body being replayed later
 * under another id or time.
 */
export function signature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** The headers of one attempt. While two secrets are valid (a rotation) it carries a signature by each, so a consumer holding either accepts it. */
export function webhookHeaders(secrets: string[], id: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((secret) => signature(secret, id, timestampSeconds, body)).join(' '),
  };
}
