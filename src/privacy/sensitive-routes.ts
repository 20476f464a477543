import type { ApiRouter } from '../api/route.js';
import { decodeCursor, offsetCursor, offsetPage } from '../api/http.js';
import type { SensitiveService } from './sensitive-service.js';
import {
  SensitiveCategoryMarkSchema,
  SensitiveCategoryParams,
  SensitiveListQuery,
  SensitiveListSchema,
  SensitiveMarkSchema,
  SensitiveTopicParams,
} from './sensitive-schemas.js';

const ADMIN = ['admin'] as const;
const KEPT_OUT =
  'Kept out of projection, affinities, suggestions, topic search, audience rules and exports; people still see it, flagged, on their own page.';

export function mountSensitiveRoutes(api: ApiRouter, sensitive: SensitiveService): void {
  api
    .route({
      method: 'get',
      path: '/v1/sensitive-topics',
      summary: 'Sensitive categories and topics an admin marked (extension); marketers may read what is kept out',
      tags: ['Administration'],
      access: ['admin', 'marketer'],
      query: SensitiveListQuery,
      responses: { 200: { description: 'Marks: categories first, then topics marked on their own', schema: SensitiveListSchema } },
      handler: async ({ query }) => {
        const offset = decodeCursor(offsetCursor, query.cursor)?.o ?? 0;
        return offsetPage(await sensitive.list(offset, query.limit + 1), query.limit, offset);
      },
    })
    .route({
      method: 'put',
      path: '/v1/sensitive-topics/topics/:topic',
      summary: 'Mark a topic sensitive (extension)',
      description: KEPT_OUT + ' Its segment memberships and links in earlier runs are removed at once.',
      tags: ['Administration'],
      access: [...ADMIN],
      params: SensitiveTopicParams,
      responses: { 200: { description: 'Marked (also when it already was)', schema: SensitiveMarkSchema } },
      handler: ({ params }) => sensitive.markTopic(params.topic),
    })
    .route({
      method: 'delete',
      path: '/v1/sensitive-topics/topics/:topic',
      summary: 'Unmark a topic (extension): it is segmented again from the next run, unless its category is marked',
      tags: ['Administration'],
      access: [...ADMIN],
      params: SensitiveTopicParams,
      responses: { 204: { description: 'Unmarked' } },
      handler: async ({ params }) => {
        await sensitive.unmarkTopic(params.topic);
      },
    })
    .route({
      method: 'put',
      path: '/v1/sensitive-topics/categories/:category',
      summary: 'Mark a category sensitive: every topic filed under it, now and later (extension)',
      description: KEPT_OUT,
      tags: ['Administration'],
      access: [...ADMIN],
      params: SensitiveCategoryParams,
      // Every topic of the category is marked and its derived data removed before the answer.
      deadline: 'bulk',
      responses: { 200: { description: 'Marked (also when it already was)', schema: SensitiveCategoryMarkSchema } },
      handler: ({ params }) => sensitive.markCategory(params.category),
    })
    .route({
      method: 'delete',
      path: '/v1/sensitive-topics/categories/:category',
      summary: 'Unmark a category (extension): its topics are segmented again from the next run, unless marked themselves',
      tags: ['Administration'],
      access: [...ADMIN],
      params: SensitiveCategoryParams,
      deadline: 'bulk',
      responses: { 204: { description: 'Unmarked' } },
      handler: async ({ params }) => {
        await sensitive.unmarkCategory(params.category);
      },
    });
}
