import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/database.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
  }
}

/** Makes the open database available to routes and closes it when the app closes. */
export default fp(
  async function database(app: FastifyInstance, { db }: { db: Db }) {
    app.decorate('db', db);
    app.addHook('onClose', async () => db.destroy());
  },
  { name: 'database' },
);
