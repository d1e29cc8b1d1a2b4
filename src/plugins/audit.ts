import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/**
 * A route that changes who may do what (logins, roles, deletions, order states) names its
 * security event in `config.audit`; its outcome is then logged with the request id (pino
 * adds `reqId`), the acting customer and the target. `details` picks what is worth
 * keeping from the body, so no password, hash or token can reach a log line.
 */
export interface AuditRule {
  event: string;
  details?: (body: Record<string, unknown>, succeeded: boolean) => Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    audit?: AuditRule;
  }
}

export default fp(
  async function audit(app: FastifyInstance) {
    app.addHook('onResponse', (request, reply, done) => {
      const rule = request.routeOptions.config.audit;
      if (rule) logAudited(request, reply, rule);
      else if (reply.statusCode === 403) request.log.warn(eventFields(request, reply, 'access.denied'), 'access denied');
      done();
    });
  },
  { name: 'audit' },
);

function logAudited(request: FastifyRequest, reply: FastifyReply, rule: AuditRule): void {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const succeeded = reply.statusCode < 400;
  const fields = { ...eventFields(request, reply, rule.event), ...rule.details?.(body, succeeded) };
  if (succeeded) request.log.info(fields, `${rule.event} succeeded`);
  else request.log.warn(fields, `${rule.event} refused`);
}

function eventFields(request: FastifyRequest, reply: FastifyReply, event: string) {
  const params = request.params as { id?: unknown } | undefined;
  return {
    event,
    status: reply.statusCode,
    actor: request.actor?.id ?? null,
    target: params?.id ?? null,
    ip: request.ip,
  };
}
