import { z } from 'zod';
import type { ApiRouter } from '../api/route.js';
import { decodeCursor, encodeCursor, pageQuery } from '../api/http.js';
import type { AuditLog } from './audit-log.js';

// `at` goes back to Neo4j's datetime(): only the form its toString gives is accepted (anything else is a 400, never a 500).
const AuditCursor = z.object({
  at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/),
  k: z.string().min(1).max(200),
});

export const AuditEntrySchema = z
  .object({
    at: z.string(),
    action: z.enum(['erasure', 'consent', 'suppression-lifted']),
    actor: z
      .string()
      .describe('`person` (the person themselves), `api-key:<key id>`, `import` (a CRM record), `login` (a person signing in again)'),
    details: z
      .record(z.string(), z.union([z.number(), z.boolean(), z.string()]))
      .describe(
        'Counts and flags only, never personal data: erasure {topics, related, events, segmentsUncounted, suppressed, consentChanges}; ' +
          'consent {purpose, granted}; suppression-lifted {lifted}',
      ),
  })
  .openapi('AuditEntry');

export const AuditListSchema = z.object({ items: z.array(AuditEntrySchema), nextCursor: z.string().optional() }).openapi('AuditList');

export function mountAuditRoutes(api: ApiRouter, audit: AuditLog): void {
  api.route({
    method: 'get',
    path: '/v1/audit',
    summary: 'Extension: the audit log of erasures, consent changes and lifted suppressions, newest first (no personal data)',
    tags: ['Administration'],
    access: ['admin'],
    query: pageQuery,
    responses: { 200: { description: 'Audit entries', schema: AuditListSchema } },
    handler: async ({ query }) => {
      const cursor = decodeCursor(AuditCursor, query.cursor);
      const rows = await audit.list(cursor ? { at: cursor.at, key: cursor.k } : null, query.limit + 1);
      const items = rows.slice(0, query.limit);
      const last = items[items.length - 1];
      return {
        items: items.map(({ key: _key, ...entry }) => entry),
        ...(rows.length > query.limit && last ? { nextCursor: encodeCursor({ at: last.at, k: last.key }) } : {}),
      };
    },
  });
}
