import type { ApiRouter } from '../api/route.js';
import { decodeCursor, offsetCursor, offsetPage } from '../api/http.js';
import type { TopicService } from './topic-service.js';
import { TopicDetailSchema, TopicIdParams, TopicListSchema, TopicSearchQuery } from './topic-schemas.js';

const READ_ROLES = ['marketer', 'admin', 'content'] as const;

export function mountTopicRoutes(api: ApiRouter, topics: TopicService): void {
  api
    .route({
      method: 'get',
      path: '/v1/topics',
      summary: 'Search topics by name',
      tags: ['Topics'],
      access: [...READ_ROLES],
      query: TopicSearchQuery,
      responses: { 200: { description: 'Topics', schema: TopicListSchema } },
      handler: async ({ query }) => {
        const offset = decodeCursor(offsetCursor, query.cursor)?.o ?? 0;
        return offsetPage(await topics.search(query.q, offset, query.limit + 1), query.limit, offset);
      },
    })
    .route({
      method: 'get',
      path: '/v1/topics/:id',
      summary: 'One topic: its segment in the visible run, how many people follow it, related topics',
      tags: ['Topics'],
      access: [...READ_ROLES],
      params: TopicIdParams,
      responses: {
        200: { description: 'Topic', schema: TopicDetailSchema },
        400: { description: '`sensitive-topic`: the topic is marked sensitive' },
      },
      handler: ({ params }) => topics.get(params.id),
    });
}
