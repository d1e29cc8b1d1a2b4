import type { Socket } from 'node:net';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TrustProxy } from '../config.js';
import { clientKey } from '../shared/client-address.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The client as throttles count it: its address (request.ip), an IPv6 one by its /64 (shared/client-address.ts). */
    clientKey: string;
  }
}

/**
 * Whose X-Forwarded-For Fastify believes, as its trustProxy option: the nearest `hops`
 * peers, or the peers at the listed addresses. (Fastify itself refuses a bare hop count,
 * which cannot tell a proxy from a client that connects directly; with a count, the API
 * must be reachable only through its proxies, as the README says.)
 */
export function trustedPeers(trust: TrustProxy): false | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyAddr.compile(trust);
}

/**
 * At most `maxPerAddress` open connections from one client address, so one client cannot
 * hold enough idle or slow sockets to shut everyone else out; the next one is closed as it
 * opens. Connections from trusted proxies are not counted (they carry many clients): with
 * a hop count every peer is a proxy, and the proxies' own limits apply.
 *
 * On close, connections that never sent a request are closed at once: Node closes idle
 * keep-alive connections then, but waits for these until their idle timeout, so a client
 * holding silent sockets would hold up a graceful shutdown (requests in flight still finish).
 */
export default fp(
  async function connectionLimits(app: FastifyInstance, options: { maxPerAddress: number; trustProxy: TrustProxy }) {
    const trusted = trustedPeers(options.trustProxy);
    const open = new Map<string, number>();
    const silent = new Set<Socket>();
    app.decorateRequest('clientKey', {
      getter(this: { ip: string }) {
        return clientKey(this.ip);
      },
    });
    app.server.on('request', (request: { socket: Socket }) => silent.delete(request.socket));
    app.addHook('preClose', (done) => {
      for (const socket of silent) socket.destroy();
      done();
    });
    app.server.on('connection', (socket: Socket) => {
      silent.add(socket);
      socket.once('close', () => silent.delete(socket));
      if (socket.remoteAddress === undefined || (trusted && trusted(socket.remoteAddress, 0))) return;
      const address = clientKey(socket.remoteAddress);
      const count = (open.get(address) ?? 0) + 1;
      if (count > options.maxPerAddress) {
        socket.destroy();
        return;
      }
      open.set(address, count);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left > 0) open.set(address, left);
        else open.delete(address);
      });
    });
  },
  { name: 'connection-limits' },
);
