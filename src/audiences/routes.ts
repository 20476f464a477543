import type { ApiRouter } from '../api/route.js';
import { decodeCursor, encodeCursor, offsetCursor, offsetPage, pageQuery } from '../api/http.js';
import { streamCsv } from '../api/csv.js';
import type { Services } from '../services.js';
import type { AudienceRecord } from './audience-repository.js';
import type { SavedAudienceService } from './audience-service.js';
import {
  AudienceParams,
  CreateAudienceBody,
  CreateDestinationBody,
  CreatedDestinationSchema,
  DeliveryLogSchema,
  DestinationListSchema,
  DestinationParams,
  DestinationSchema,
  HistoryCursor,
  HistoryPageSchema,
  HistoryQuery,
  MEMBER_CSV_COLUMNS,
  MemberCsvSchema,
  MemberCursor,
  MemberPageSchema,
  OutcomeQuery,
  OutcomeSchema,
  SavedAudienceListSchema,
  SavedAudienceSchema,
  UpdateAudienceBody,
} from './schemas.js';

const ACCESS = ['marketer', 'admin'] as const;
const TAGS = ['Saved audiences'];

/** A saved audience as the API shows it. */
export function presentAudience(a: AudienceRecord) {
  return {
    id: a.id,
    name: a.name,
    where: a.definition,
    holdoutPercent: a.holdoutPercent,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    members: a.memberCount - a.holdoutCount,
    holdout: a.holdoutCount,
    evaluation: {
      status: a.evaluatedVersion === a.version ? ('current' as const) : ('pending' as const),
      version: a.version,
      runId: a.evaluatedRunId || null,
      evaluatedAt: a.evaluatedAt,
    },
    firstExportedAt: a.firstExportedAt,
    lastExportedAt: a.lastExportedAt,
    exports: a.exportCount,
    destinations: a.destinations,
  };
}

export function mountSavedAudienceRoutes(api: ApiRouter, services: Services): void {
  const audiences: SavedAudienceService = services.audiences.service;
  const users = services.users;
  api
    .route({
      method: 'post',
      path: '/v1/audiences',
      summary: 'Save an audience: a rule (as POST /v1/audiences/query takes it) kept current by the service, with an optional holdout',
      description:
        'Members are evaluated in the background after every change of the visible run and of a member (docs/audiences.md); ' +
        '`evaluation.status` is `pending` until then. A segment condition must name a top-level segment of the visible run (404).',
      tags: TAGS,
      access: ACCESS,
      body: CreateAudienceBody,
      responses: { 201: { description: 'Saved', schema: SavedAudienceSchema }, 404: { description: 'A segment in the rule is unknown' } },
      handler: async ({ body }) => presentAudience(await audiences.create(body)),
    })
    .route({
      method: 'get',
      path: '/v1/audiences',
      summary: 'Saved audiences, newest first',
      tags: TAGS,
      access: ACCESS,
      query: pageQuery,
      responses: { 200: { description: 'Saved audiences', schema: SavedAudienceListSchema } },
      handler: async ({ query }) => {
        const offset = decodeCursor(offsetCursor, query.cursor)?.o ?? 0;
        const page = offsetPage(await audiences.list(offset, query.limit + 1), query.limit, offset);
        return { ...page, items: page.items.map(presentAudience) };
      },
    })
    .route({
      method: 'get',
      path: '/v1/audiences/:id',
      summary: 'A saved audience: definition, size (members and holdout), evaluation, exports',
      tags: TAGS,
      access: ACCESS,
      params: AudienceParams,
      responses: { 200: { description: 'The audience', schema: SavedAudienceSchema } },
      handler: async ({ params }) => presentAudience(await audiences.require(params.id)),
    })
    .route({
      method: 'patch',
      path: '/v1/audiences/:id',
      summary: 'Rename a saved audience or change its rule (re-evaluated in the background); the holdout stays as created',
      tags: TAGS,
      access: ACCESS,
      params: AudienceParams,
      body: UpdateAudienceBody,
      responses: { 200: { description: 'The audience', schema: SavedAudienceSchema } },
      handler: async ({ params, body }) => presentAudience(await audiences.update(params.id, body)),
    })
    .route({
      method: 'delete',
      path: '/v1/audiences/:id',
      summary: 'Delete a saved audience, its destinations, queued deliveries and membership history',
      tags: TAGS,
      access: ACCESS,
      params: AudienceParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ params }) => audiences.delete(params.id),
    })
    .route({
      method: 'get',
      path: '/v1/audiences/:id/members',
      summary:
        'Current members outside the holdout, by user id (paginated JSON, or the whole audience as CSV with Accept: text/csv: an export)',
      description: "A CSV download counts as an export: the first one starts the outcome report's clock.",
      tags: TAGS,
      access: ACCESS,
      params: AudienceParams,
      query: pageQuery,
      responses: {
        200: {
          description: 'Members. With `Accept: text/csv`: every member outside the holdout as CSV (user,enteredAt)',
          content: { 'application/json': MemberPageSchema, 'text/csv': MemberCsvSchema },
        },
      },
      handler: async ({ params, query, req, res }) => {
        if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
          const pages = await audiences.exportMembers(params.id);
          await streamCsv(res, `audience-${params.id}.csv`, MEMBER_CSV_COLUMNS, pages, (m) => [m.user, m.enteredAt]);
          return undefined;
        }
        const after = decodeCursor(MemberCursor, query.cursor)?.u ?? '';
        const page = await audiences.members(params.id, after, query.limit);
        return { items: page.items, ...(page.next !== undefined ? { nextCursor: encodeCursor({ u: page.next }) } : {}) };
      },
    })
    .route({
      method: 'get',
      path: '/v1/audiences/:id/history',
      summary: 'Membership history: every stint (entered, exited) of every person, holdout flagged, by person then time',
      tags: TAGS,
      access: ACCESS,
      params: AudienceParams,
      query: HistoryQuery,
      responses: { 200: { description: 'Stints', schema: HistoryPageSchema } },
      handler: async ({ params, query }) => {
        const userId = query.user === undefined ? null : await users.require(query.user);
        const after = decodeCursor(HistoryCursor, query.cursor) ?? { u: '', s: -1 };
        const page = await audiences.history(params.id, userId, after, query.limit);
        return { items: page.items, ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}) };
      },
    })
    .route({
      method: 'get',
      path: '/v1/audiences/:id/outcome',
      summary: 'Outcome against the holdout: purchases after the export, treated vs holdout, difference with a 95% interval',
      description:
        'The people who were members at `since` (default: the first export), outside the holdout (treated) and in it; ' +
        "purchase rate = share with at least one purchase after `since`. Difference of rates with Newcombe's hybrid score " +
        'interval; relative lift with the Katz log interval (docs/audiences.md says why).',
      tags: TAGS,
      access: ACCESS,
      params: AudienceParams,
      query: OutcomeQuery,
      responses: {
        200: { description: 'The report', schema: OutcomeSchema },
        409: { description: '`no-holdout`: the audience has no holdout; `not-exported`: no export yet and no `since`' },
      },
      handler: async ({ params, query }) => audiences.outcome(params.id, query.since),
    })
    .route({
      method: 'post',
      path: '/v1/audiences/:id/destinations',
      summary:
        'Add a webhook destination: signed deliveries of audience.entered/exited (and segment.split/merged); the secret is shown once',
      description:
        'Current members are sent as `audience.entered` first (backfill), then every change. Deliveries carry up to ' +
        'WEBHOOK_BATCH_EVENTS events, are signed per Standard Webhooks and retried with backoff (docs/audiences.md).',
      tags: TAGS,
      access: ACCESS,
      params: AudienceParams,
      body: CreateDestinationBody,
      responses: { 201: { description: 'Created, with its signing secret', schema: CreatedDestinationSchema } },
      handler: async ({ params, body }) => audiences.addDestination(params.id, body),
    })
    .route({
      method: 'get',
      path: '/v1/audiences/:id/destinations',
      summary: "An audience's destinations with their queue and last delivery",
      tags: TAGS,
      access: ACCESS,
      params: AudienceParams,
      responses: { 200: { description: 'Destinations', schema: DestinationListSchema } },
      handler: async ({ params }) => ({ items: await audiences.listDestinations(params.id) }),
    })
    .route({
      method: 'get',
      path: '/v1/audiences/:id/destinations/:destinationId',
      summary: 'One destination (never its secret)',
      tags: TAGS,
      access: ACCESS,
      params: DestinationParams,
      responses: { 200: { description: 'The destination', schema: DestinationSchema } },
      handler: async ({ params }) => audiences.destination(params.id, params.destinationId),
    })
    .route({
      method: 'delete',
      path: '/v1/audiences/:id/destinations/:destinationId',
      summary: 'Remove a destination and what is queued for it',
      tags: TAGS,
      access: ACCESS,
      params: DestinationParams,
      responses: { 204: { description: 'Removed' } },
      handler: async ({ params }) => audiences.deleteDestination(params.id, params.destinationId),
    })
    .route({
      method: 'get',
      path: '/v1/audiences/:id/destinations/:destinationId/deliveries',
      summary: "A destination's delivery log, newest first: state, attempts, last status or error",
      tags: TAGS,
      access: ACCESS,
      params: DestinationParams,
      query: pageQuery,
      responses: { 200: { description: 'Deliveries', schema: DeliveryLogSchema } },
      handler: async ({ params, query }) => {
        const offset = decodeCursor(offsetCursor, query.cursor)?.o ?? 0;
        return offsetPage(await audiences.deliveries(params.id, params.destinationId, offset, query.limit + 1), query.limit, offset);
      },
    });
}
