import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';

declare module 'fastify' {
  interface FastifyInstance {
    /** Set when REDIS_URL is: state shared by every API process (the login throttles). */
    redis: Redis | undefined;
  }
}

const CONNECT_WAIT_MS = 2000;

/**
 * Connects to Redis when REDIS_URL is set. Redis is optional at every moment: the start
 * does not wait long for it, and while it is down, commands fail at once (no offline queue,
 * a short timeout) so callers can fall back instead of hanging; ioredis keeps reconnecting.
 */
export default fp(
  async function redis(app: FastifyInstance, { url }: { url: string | undefined }) {
    if (!url) {
      app.decorate('redis', undefined);
      return;
    }
    // Loaded only when configured, to keep it off the start of a shop without Redis.
    const { Redis } = await import('ioredis');
    const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 500 });
    // Without a listener every failed reconnect would be printed; the limiters log the outage once.
    client.on('error', (error) => app.log.debug({ err: error }, 'Redis connection error'));
    await waitForReady(client);
    if (client.status !== 'ready') app.log.warn(`Redis at ${redactedUrl(url)} is not answering yet; throttling per process until it is`);
    app.decorate('redis', client);
    app.addHook('onClose', async () => client.disconnect());
  },
  { name: 'redis' },
);

function waitForReady(client: Redis): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, CONNECT_WAIT_MS);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function redactedUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
