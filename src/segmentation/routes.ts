import type { ApiRouter } from '../api/route.js';
import { decodeCursor, offsetCursor, offsetPage, pageQuery } from '../api/http.js';
import type { Services } from '../services.js';
import { mountTopicRoutes } from '../graph/topic-routes.js';
import {
  IdParams,
  RunAcceptedSchema,
  RunListSchema,
  RunParamsBody,
  RunSchema,
  SegmentDetailSchema,
  SegmentListQuery,
  SegmentListSchema,
  SegmentTopicListSchema,
  TopicGraphSchema,
} from './schemas.js';

const RUN_ROLES = ['marketer', 'admin'] as const;
const READ_ROLES = ['marketer', 'admin', 'content'] as const;

export function mountSegmentationRoutes(api: ApiRouter, services: Services): void {
  const { segmentation } = services;
  api
    .route({
      method: 'post',
      path: '/v1/segmentation/runs',
      summary: 'Start a segmentation run (runs in the background; one at a time)',
      tags: ['Segmentation'],
      access: [...RUN_ROLES],
      body: RunParamsBody,
      bodyOptional: true,
      responses: {
        202: { description: 'Queued', schema: RunAcceptedSchema },
        409: { description: 'Another run is queued or running' },
      },
      handler: ({ body }) => segmentation.runs.startRun(body),
    })
    .route({
      method: 'get',
      path: '/v1/segmentation/runs',
      summary: 'Segmentation runs, newest first',
      tags: ['Segmentation'],
      access: [...RUN_ROLES],
      query: pageQuery,
      responses: { 200: { description: 'Runs', schema: RunListSchema } },
      handler: async ({ query }) => {
        const offset = decodeCursor(offsetCursor, query.cursor)?.o ?? 0;
        return offsetPage(await segmentation.runs.listRuns(offset, query.limit + 1), query.limit, offset);
      },
    })
    .route({
      method: 'get',
      path: '/v1/segmentation/runs/:id',
      summary: 'One segmentation run: status, parameters, metrics (with stability) or error',
      tags: ['Segmentation'],
      access: [...RUN_ROLES],
      params: IdParams,
      responses: { 200: { description: 'Run', schema: RunSchema } },
      handler: ({ params }) => segmentation.runs.getRun(params.id),
    })
    .route({
      method: 'get',
      path: '/v1/segments',
      summary: 'Segments of the newest succeeded run (runId is null before the first run)',
      tags: ['Segments'],
      access: [...READ_ROLES],
      query: SegmentListQuery,
      responses: { 200: { description: 'Segments', schema: SegmentListSchema } },
      handler: async ({ query }) => {
        const offset = decodeCursor(offsetCursor, query.cursor)?.o ?? 0;
        const { runId, items } = await segmentation.runs.listSegments(query.level, offset, query.limit + 1);
        return { runId, ...offsetPage(items, query.limit, offset) };
      },
    })
    .route({
      // Before /v1/segments/:id, which would otherwise take "graph" for a segment id.
      method: 'get',
      path: '/v1/segments/graph',
      summary: 'Extension: the topic graph of the newest run (topics with their segment, co-interest links) in one answer',
      tags: ['Segments'],
      access: [...READ_ROLES],
      responses: { 200: { description: 'Topic graph', schema: TopicGraphSchema } },
      handler: () => segmentation.runs.topicGraph(),
    })
    .route({
      method: 'get',
      path: '/v1/segments/:id',
      summary: 'One segment of the newest succeeded run, with the run metrics',
      tags: ['Segments'],
      access: [...READ_ROLES],
      params: IdParams,
      responses: { 200: { description: 'Segment', schema: SegmentDetailSchema } },
      handler: ({ params }) => segmentation.runs.getSegment(params.id),
    })
    .route({
      method: 'get',
      path: '/v1/segments/:id/topics',
      summary: 'Every topic of a segment, most central first',
      tags: ['Segments'],
      access: [...READ_ROLES],
      params: IdParams,
      query: pageQuery,
      responses: { 200: { description: 'Topics', schema: SegmentTopicListSchema } },
      handler: async ({ params, query }) => {
        const offset = decodeCursor(offsetCursor, query.cursor)?.o ?? 0;
        return offsetPage(await segmentation.runs.segmentTopics(params.id, offset, query.limit + 1), query.limit, offset);
      },
    });
  mountTopicRoutes(api, segmentation.topics);
}
