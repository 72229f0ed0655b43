import type { FastifyInstance } from 'fastify';
import { invalidField } from '../errors/app-error.js';

/**
 * The last line of defence behind the schemas: no string with a NUL character reaches a handler,
 * whatever route it came through (a body without a schema, a query, a path parameter). PostgreSQL
 * refuses NUL in text, so such a value would otherwise fail inside a query as a 500; the schemas
 * already refuse it, with their own rule, in every field they describe.
 */
export function installNulGuard(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    const field = fieldWithNul(request.body, '') ?? fieldWithNul(request.query, '') ?? fieldWithNul(request.params, '');
    if (field !== undefined) throw invalidField(field || 'body', 'must not contain NUL characters');
  });
}

/** The dotted path of the first string holding NUL in a parsed value, or undefined. */
export function fieldWithNul(value: unknown, root: string): string | undefined {
  // An explicit stack rather than recursion: a 16 KB body may nest thousands of levels deep.
  const stack: [unknown, string][] = [[value, root]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [item, path] = next;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return path;
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) stack.push([child, path ? `${path}.${key}` : key]);
    }
  }
  return undefined;
}
