import type { ApiRouter } from '../api/route.js';
import { decodeCursor, offsetCursor, offsetPage } from '../api/http.js';
import type { Services } from '../services.js';
import { SegmentTopicListSchema } from '../segmentation/schemas.js';
import {
  AudienceRunParams,
  AudienceSegmentationAccepted,
  AudienceSegmentationBody,
  AudienceSegmentationSchema,
  AudienceSegmentParams,
  AudienceTopicsQuery,
  MAX_AUDIENCE_USERS,
  MIN_AUDIENCE_USERS,
} from './schemas.js';

const MARKETERS = ['marketer', 'admin'] as const;

export function mountAudienceSegmentationRoutes(api: ApiRouter, services: Services): void {
  const service = services.audienceSegmentation;
  api
    .route({
      method: 'post',
      path: '/v1/audiences/segmentation',
      summary: "Segment any audience: the same pipeline over an audience's members only, as a run of its own",
      description:
        'The audience is a rule (as in POST /v1/audiences/query), a saved audience (its members outside the holdout) or an ' +
        'uploaded list of user references, resolved now. A ' +
        'run worker segments its members (kind `audience`) who consent to segmentation and marketing, without sensitive ' +
        "topics; its segments are read with GET /v1/audiences/segmentation/{id} and never replace the population's " +
        'segments, segments of one or audiences (never published, never a candidate). It shares the one run slot with ' +
        `population runs (409 while any run is queued or running). ${MIN_AUDIENCE_USERS}–${MAX_AUDIENCE_USERS} members.`,
      tags: ['Audiences'],
      access: [...MARKETERS],
      body: AudienceSegmentationBody,
      responses: {
        202: { description: 'Queued', schema: AudienceSegmentationAccepted },
        400: { description: 'Invalid audience or parameters; `sensitive-topic` when the rule names a sensitive topic or category' },
        404: { description: 'A segment in the rule, or the saved audience, is unknown' },
        409: { description: '`run-in-progress`: another run is queued or running' },
        422: { description: '`audience-too-small` / `audience-too-large`' },
      },
      handler: ({ body, res }) => {
        res.status(202);
        return service.start(body.audience, body.params);
      },
    })
    .route({
      method: 'get',
      path: '/v1/audiences/segmentation/:id',
      summary: "An audience's segmentation: its status and, once it has succeeded, the audience's own segments",
      tags: ['Audiences'],
      access: [...MARKETERS],
      params: AudienceRunParams,
      responses: { 200: { description: 'Audience segmentation', schema: AudienceSegmentationSchema } },
      handler: ({ params }) => service.get(params.id),
    })
    .route({
      method: 'get',
      path: '/v1/audiences/segmentation/:id/segments/:segmentId/topics',
      summary: "Every topic of one of an audience's segments, most central first",
      tags: ['Audiences'],
      access: [...MARKETERS],
      params: AudienceSegmentParams,
      query: AudienceTopicsQuery,
      responses: { 200: { description: 'Topics', schema: SegmentTopicListSchema } },
      handler: async ({ params, query }) => {
        const offset = decodeCursor(offsetCursor, query.cursor)?.o ?? 0;
        // An audience run never changes once it has succeeded: offsets stay valid.
        return offsetPage(await service.topics(params.id, params.segmentId, offset, query.limit + 1), query.limit, offset);
      },
    });
}
