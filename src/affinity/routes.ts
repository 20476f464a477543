import type { Response } from 'express';
import type { ApiRouter } from '../api/route.js';
import { decodeCursor, encodeCursor, requireSameRun, sendJson, STALE_CURSOR_RESPONSE } from '../api/http.js';
import { streamCsv } from '../api/csv.js';
import type { Services } from '../services.js';
import { AppError } from '../errors.js';
import { UserParams } from '../users/user-schemas.js';
import { misplacedNegations, namedTopics, type Rule } from './rules.js';
import type { AudienceRow } from './audience-service.js';
import {
  AUDIENCE_CSV_COLUMNS,
  AudienceCursor,
  AsOfQuery,
  AudienceQuery,
  AudienceQueryBody,
  AudienceCsvSchema,
  AudiencePageSchema,
  BatchAffinitiesBody,
  BatchAffinitiesSchema,
  SegmentParams,
  UserAffinitiesSchema,
} from './schemas.js';

/** Who reads segments of one (also the hot read path's roles, hot-read.ts). */
export const READERS = ['content', 'marketer', 'admin'] as const;

const asOfMs = (asOf: string | undefined) => (asOf === undefined ? Date.now() : Date.parse(asOf));
const AUDIENCE = ['marketer', 'admin'] as const;

/** An audience member as the API shows it. */
const present = (row: AudienceRow) => ({ user: row.address, affinity: row.affinity, lift: row.lift });

/** The whole audience as CSV: `user,affinity,lift`, as the JSON pages present them. */
function streamAudienceCsv(res: Response, filename: string, pages: AsyncIterable<AudienceRow[]>): Promise<void> {
  return streamCsv(res, filename, AUDIENCE_CSV_COLUMNS, pages, (row) => {
    const m = present(row);
    return [m.user, m.affinity, m.lift];
  });
}

/** 400 naming every negation that has no positive condition beside it in an `all` (rules.ts explains why). */
export function requirePlacedNegations(rule: Rule, path: string): void {
  const misplaced = misplacedNegations(rule, path);
  if (misplaced.length > 0) {
    throw AppError.badRequest(
      'A negation needs a positive condition beside it in `all`',
      misplaced.map((at) => ({ path: at, message: '`not` is only allowed inside `all` next to a positive condition' })),
    );
  }
}

export function mountAffinityRoutes(api: ApiRouter, services: Services): void {
  const { affinity } = services;
  api
    .route({
      method: 'get',
      path: '/v1/users/:user/affinities',
      summary: "Segment of one: a user's affinity to each segment, lift, topics and suggested topics",
      tags: ['Segment of one'],
      access: READERS,
      params: UserParams,
      query: AsOfQuery,
      responses: { 200: { description: 'Affinities', schema: UserAffinitiesSchema } },
      handler: async ({ params, query, res }) => sendJson(res, await affinity.reader.forUser(params.user, asOfMs(query.asOf))),
    })
    .route({
      method: 'post',
      path: '/v1/affinities/batch',
      summary: 'Segments of one for up to 1000 users at once',
      tags: ['Segment of one'],
      access: READERS,
      body: BatchAffinitiesBody,
      responses: { 200: { description: 'Affinities of the known users; unknown addresses in `missing`', schema: BatchAffinitiesSchema } },
      handler: async ({ body, res }) => sendJson(res, await affinity.reader.forUsers(body.users, asOfMs(body.asOf))),
    })
    .route({
      method: 'get',
      path: '/v1/segments/:id/audience',
      summary: 'Users with affinity to a segment (paginated JSON, or the whole audience as CSV with Accept: text/csv)',
      tags: ['Audiences'],
      access: AUDIENCE,
      params: SegmentParams,
      query: AudienceQuery,
      responses: {
        200: {
          description: 'Audience page, by affinity descending. With `Accept: text/csv`: the whole audience as CSV (user,affinity,lift)',
          content: { 'application/json': AudiencePageSchema, 'text/csv': AudienceCsvSchema },
        },
        ...STALE_CURSOR_RESPONSE,
      },
      handler: async ({ params, query, req, res }) => {
        const filter = { minAffinity: query.minAffinity, minLift: query.minLift };
        if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
          await streamAudienceCsv(res, `audience-${params.id}.csv`, affinity.audiences.audienceAll(params.id, filter));
          return undefined;
        }
        const c = decodeCursor(AudienceCursor, query.cursor);
        const page = await affinity.audiences.audiencePage(params.id, filter, c && { affinity: c.a, userId: c.u }, query.limit);
        requireSameRun(c?.r, page.runId);
        return {
          items: page.rows.map(present),
          ...(page.last ? { nextCursor: encodeCursor({ a: page.last.affinity, u: page.last.userId, r: page.runId }) } : {}),
          ...(page.total === undefined ? {} : { total: page.total }),
        };
      },
    })
    .route({
      method: 'post',
      path: '/v1/audiences/query',
      summary: 'Audience from rules: segment affinity/lift combined with purchases and interests (all/any/not); CSV with Accept: text/csv',
      tags: ['Audiences'],
      access: AUDIENCE,
      body: AudienceQueryBody,
      responses: {
        200: {
          description: 'Matching users by affinity to the ranking segment, descending. With `Accept: text/csv`: all of them as CSV',
          content: { 'application/json': AudiencePageSchema, 'text/csv': AudienceCsvSchema },
        },
        400: { description: 'Invalid rule; `sensitive-topic` when an interest or purchase condition names a sensitive topic or category' },
        404: { description: 'A segment in the rule (or `rankBy`) is unknown, or not a top-level (coarse) segment' },
        ...STALE_CURSOR_RESPONSE,
      },
      handler: async ({ body, req, res }) => {
        requirePlacedNegations(body.where, 'body.where');
        await services.privacy.marks.refuseSensitive(namedTopics(body.where, 'body.where'));
        if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
          await streamAudienceCsv(res, 'audience.csv', affinity.audiences.ruleAll(body.where, body.rankBy));
          return undefined;
        }
        const c = decodeCursor(AudienceCursor, body.cursor, 'body.cursor');
        const page = await affinity.audiences.rulePage(body.where, body.rankBy, c && { affinity: c.a, userId: c.u }, body.limit);
        requireSameRun(c?.r, page.runId);
        return {
          items: page.items,
          ...(page.last ? { nextCursor: encodeCursor({ a: page.last.affinity, u: page.last.userId, r: page.runId }) } : {}),
        };
      },
    });
}
