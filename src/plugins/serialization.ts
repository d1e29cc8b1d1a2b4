import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler';

/**
 * Fastify's own response serializers (fast-json-stringify, from each route's response
 * schemas), each compiled when its route first answers with that status instead of at
 * start: compiling them all is a share of every start, and most error statuses of most
 * routes are never sent by a given process.
 */
export function serializersCompiledOnFirstUse(): SerializerFactory {
  const fastifyDefault = SerializerSelector();
  return (externalSchemas, options) => {
    const compile = fastifyDefault(externalSchemas, options);
    return (route) => {
      let serialize: ((doc: unknown) => string) | undefined;
      return (doc) => (serialize ??= compile(route))(doc);
    };
  };
}
