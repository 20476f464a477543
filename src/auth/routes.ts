import type { ApiRouter } from '../api/route.js';
import { decodeCursor, offsetCursor, offsetPage, pageQuery } from '../api/http.js';
import type { ApiKeyService } from './api-key-service.js';
import { ApiKeyIdParams, ApiKeyListSchema, CreateApiKeyBody, CreatedApiKeySchema, CurrentApiKeySchema } from './schemas.js';
import { ROLES } from './principal.js';
import { AppError } from '../errors.js';

export function mountApiKeyRoutes(api: ApiRouter, keys: ApiKeyService): void {
  api
    .route({
      method: 'post',
      path: '/v1/api-keys',
      summary: 'Create an API key (the key is shown once)',
      tags: ['Administration'],
      access: ['admin'],
      body: CreateApiKeyBody,
      responses: { 201: { description: 'Created', schema: CreatedApiKeySchema } },
      handler: ({ body }) => keys.create(body.name, body.role),
    })
    .route({
      method: 'get',
      path: '/v1/api-keys',
      summary: 'List API keys (never the keys themselves)',
      tags: ['Administration'],
      access: ['admin'],
      query: pageQuery,
      responses: { 200: { description: 'Keys', schema: ApiKeyListSchema } },
      handler: async ({ query }) => {
        const offset = decodeCursor(offsetCursor, query.cursor)?.o ?? 0;
        return offsetPage(await keys.list(offset, query.limit + 1), query.limit, offset);
      },
    })
    .route({
      method: 'get',
      path: '/v1/api-keys/current',
      summary: 'The calling key (extension): its id, name and role, for clients that check what they were given',
      tags: ['Administration'],
      access: ROLES,
      responses: { 200: { description: 'The key of this request', schema: CurrentApiKeySchema } },
      handler: async ({ principal }) => {
        if (principal?.kind !== 'key') throw AppError.unauthorized();
        return { id: principal.keyId, name: principal.name, role: principal.role };
      },
    })
    .route({
      method: 'delete',
      path: '/v1/api-keys/:id',
      summary: 'Revoke an API key',
      tags: ['Administration'],
      access: ['admin'],
      params: ApiKeyIdParams,
      responses: { 204: { description: 'Revoked' } },
      handler: async ({ params }) => {
        await keys.revoke(params.id);
      },
    });
}
