import type { ApiRouter } from '../api/route.js';
import { decodeCursor, encodeCursor, offsetPage, pageQuery, requireSameRun, runOffsetCursor, STALE_CURSOR_RESPONSE } from '../api/http.js';
import type { Services } from '../services.js';
import type { RunRecord } from './repository.js';
import type { Stability } from './stability.js';
import {
  IdParams,
  RunAcceptedSchema,
  RunComparisonSchema,
  RunCursor,
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

/** The contract lists `startedAt` for every run: null until the run leaves the queue. */
function presentRun(run: RunRecord) {
  return { ...run, startedAt: run.startedAt ?? null };
}

/** A comparison without the per-segment overlaps (the run's metrics carry those). */
function presentChange(s: Stability) {
  return { nmi: s.nmi, sharedTopics: s.sharedTopics, split: s.split, merged: s.merged, appeared: s.appeared, vanished: s.vanished };
}

export function mountSegmentationRoutes(api: ApiRouter, services: Services): void {
  const { segmentation, affinity } = services;
  api
    .route({
      method: 'post',
      path: '/v1/segmentation/runs',
      summary: 'Queue a segmentation run (a worker process runs it; one at a time); `publish: false` prepares a candidate',
      tags: ['Segmentation'],
      access: [...RUN_ROLES],
      body: RunParamsBody,
      bodyOptional: true,
      responses: {
        202: { description: 'Queued', schema: RunAcceptedSchema },
        409: { description: '`run-in-progress`: another run is queued or running' },
      },
      handler: ({ body }) => segmentation.queue.enqueue(body),
    })
    .route({
      method: 'get',
      path: '/v1/segmentation/runs',
      summary: 'Segmentation runs, newest first (keyset cursor: runs started meanwhile do not shift later pages)',
      tags: ['Segmentation'],
      access: [...RUN_ROLES],
      query: pageQuery,
      responses: { 200: { description: 'Runs', schema: RunListSchema } },
      handler: async ({ query }) => {
        const after = decodeCursor(RunCursor, query.cursor);
        const rows = await segmentation.queue.listRuns(after && { createdAtMs: after.t, id: after.i }, query.limit + 1);
        const items = rows.slice(0, query.limit);
        const last = items[items.length - 1];
        return {
          items: items.map(presentRun),
          ...(rows.length > query.limit && last ? { nextCursor: encodeCursor({ t: Date.parse(last.createdAt), i: last.id }) } : {}),
        };
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
      handler: async ({ params }) => presentRun(await segmentation.queue.getRun(params.id)),
    })
    .route({
      method: 'get',
      path: '/v1/segmentation/runs/:id/compare',
      summary:
        'Extension: what would change if this run became the visible one (NMI, splits, merges, appeared, vanished, dominant segments)',
      description:
        'Topics: the same figures a run records against the run it followed (metrics.stability), computed against the visible ' +
        'run. People: every consenting person scored under both runs with their interests as they are now, in the API ' +
        'process that holds them in memory (scanned in slices that yield).',
      tags: ['Segmentation'],
      access: [...RUN_ROLES],
      params: IdParams,
      responses: {
        200: { description: 'Comparison with the visible run', schema: RunComparisonSchema },
        409: { description: '`run-not-succeeded`: the run has not succeeded' },
      },
      handler: async ({ params }) => {
        const topics = await segmentation.comparer.compare(params.id);
        const people = await affinity.dominant.compare(topics.run);
        return {
          runId: params.id,
          visibleRunId: topics.visibleRunId,
          publishable: topics.publishable,
          ...presentChange(topics.coarse),
          people: { compared: people.people, dominantChanged: people.changed },
          fine: presentChange(topics.fine),
        };
      },
    })
    .route({
      method: 'post',
      path: '/v1/segmentation/runs/:id/publish',
      summary: 'Extension: make a succeeded candidate run the visible one (segments, affinities and audiences follow it)',
      tags: ['Segmentation'],
      access: [...RUN_ROLES],
      params: IdParams,
      responses: {
        200: { description: 'The run, now visible (publishing the visible run again changes nothing)', schema: RunSchema },
        409: {
          description:
            '`run-not-succeeded`; `run-in-progress` (a run queued or running takes its ids from the visible run); ' +
            '`run-outdated` (it was prepared against another visible run, or its segments were removed by retention)',
        },
      },
      handler: async ({ params }) => presentRun(await segmentation.publisher.publish(params.id)),
    })
    .route({
      method: 'get',
      path: '/v1/segments',
      summary: 'Segments of the visible run (runId is null before the first run)',
      tags: ['Segments'],
      access: [...READ_ROLES],
      query: SegmentListQuery,
      responses: { 200: { description: 'Segments; the cursor pins the run', schema: SegmentListSchema }, ...STALE_CURSOR_RESPONSE },
      handler: async ({ query }) => {
        const cursor = decodeCursor(runOffsetCursor, query.cursor);
        const offset = cursor?.o ?? 0;
        const { runId, items } = await segmentation.segments.listSegments(query.level, offset, query.limit + 1);
        requireSameRun(cursor?.r, runId);
        if (runId === null) return { runId, items: [] };
        return { runId, ...offsetPage(items, query.limit, offset, { r: runId }) };
      },
    })
    .route({
      // Before /v1/segments/:id, which would otherwise take "graph" for a segment id.
      method: 'get',
      path: '/v1/segments/graph',
      summary: 'Extension: the topic graph of the visible run (topics with their segment, co-interest links) in one answer',
      description:
        'Deliberately not paginated: it is one consistent picture of one run for drawing, and its size is bounded by the ' +
        'run itself (segmented topics only, at most `relatedPerTopic` links per topic). Lists that grow with the data ' +
        '(topics of a segment, audiences) are paginated.',
      tags: ['Segments'],
      access: [...READ_ROLES],
      responses: { 200: { description: 'Topic graph', schema: TopicGraphSchema } },
      handler: () => segmentation.segments.topicGraph(),
    })
    .route({
      method: 'get',
      path: '/v1/segments/:id',
      summary: 'One segment of the visible run, with the run metrics',
      tags: ['Segments'],
      access: [...READ_ROLES],
      params: IdParams,
      responses: { 200: { description: 'Segment', schema: SegmentDetailSchema } },
      handler: ({ params }) => segmentation.segments.getSegment(params.id),
    })
    .route({
      method: 'get',
      path: '/v1/segments/:id/topics',
      summary: 'Every topic of a segment, most central first',
      tags: ['Segments'],
      access: [...READ_ROLES],
      params: IdParams,
      query: pageQuery,
      responses: { 200: { description: 'Topics; the cursor pins the run', schema: SegmentTopicListSchema }, ...STALE_CURSOR_RESPONSE },
      handler: async ({ params, query }) => {
        const cursor = decodeCursor(runOffsetCursor, query.cursor);
        const offset = cursor?.o ?? 0;
        const { runId, items } = await segmentation.segments.segmentTopics(params.id, offset, query.limit + 1);
        requireSameRun(cursor?.r, runId);
        return offsetPage(items, query.limit, offset, { r: runId });
      },
    });
}
