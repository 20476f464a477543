import type { ApiRouter } from '../api/route.js';
import { decodeCursor, encodeCursor } from '../api/http.js';
import { AppError } from '../errors.js';
import type { Principal } from '../auth/principal.js';
import type { Services } from '../services.js';
import type { Actor } from './curation-repository.js';
import {
  DecisionBody,
  DecisionCursor,
  DecisionListQuery,
  DecisionListSchema,
  DecisionParams,
  DecisionSchema,
  GranularityBody,
  GranularitySchema,
} from './schemas.js';

const CURATE = ['marketer', 'admin'] as const;

function actorOf(principal: Principal | undefined): Actor {
  if (principal?.kind !== 'key') throw AppError.unauthorized();
  return { keyId: principal.keyId, name: principal.name, role: principal.role };
}

const DECIDE_ERRORS = {
  404: { description: 'A segment (of the visible run) or topic named in the decision does not exist' },
  409: { description: '`conflict`: no run yet, or the decision was reverted meanwhile; `merged`: the segment is shown as part of another' },
};

export function mountCurationRoutes(api: ApiRouter, services: Services): void {
  const curation = services.curation.service;
  api
    .route({
      method: 'post',
      path: '/v1/curation/decisions',
      summary: 'Curate segments: rename, merge, pin a topic to a segment, exclude a topic, or set the granularity',
      description:
        'Names and merges show at once on the visible run and are carried to every later run through the lineage of its ' +
        'stability report (a renamed segment that splits: every part keeps the name with a suffix until renamed; a merged ' +
        'segment that splits: the group holds every part). Pins and exclusions change what runs compute: they apply from ' +
        'the next run. Nothing is deleted: a decision is reverted, and who made and reverted it, and when, is kept.',
      tags: ['Curation'],
      access: [...CURATE],
      body: DecisionBody,
      responses: { 201: { description: 'Recorded and applied', schema: DecisionSchema }, ...DECIDE_ERRORS },
      handler: ({ body, principal, res }) => {
        res.status(201);
        return curation.decide(body, actorOf(principal));
      },
    })
    .route({
      method: 'get',
      path: '/v1/curation/decisions',
      summary: 'Curation decisions, newest first, with who made (and reverted) them and when',
      tags: ['Curation'],
      access: [...CURATE],
      query: DecisionListQuery,
      responses: { 200: { description: 'Decisions', schema: DecisionListSchema } },
      handler: async ({ query }) => {
        const after = decodeCursor(DecisionCursor, query.cursor);
        const rows = await curation.list(query.status ?? null, after?.s ?? null, query.limit + 1);
        const items = rows.slice(0, query.limit);
        const last = items[items.length - 1];
        return { items, ...(rows.length > query.limit && last ? { nextCursor: encodeCursor({ s: last.seq }) } : {}) };
      },
    })
    .route({
      method: 'get',
      path: '/v1/curation/decisions/:id',
      summary: 'One curation decision',
      tags: ['Curation'],
      access: [...CURATE],
      params: DecisionParams,
      responses: { 200: { description: 'Decision', schema: DecisionSchema } },
      handler: async ({ params }) => {
        const d = await curation.get(params.id);
        if (!d) throw AppError.notFound('Decision');
        return d;
      },
    })
    .route({
      method: 'post',
      path: '/v1/curation/decisions/:id/revert',
      summary: 'Revert a curation decision (e.g. undo a merge): it stops applying, now and in later runs, and stays in the history',
      tags: ['Curation'],
      access: [...CURATE],
      params: DecisionParams,
      responses: {
        200: { description: 'Reverted', schema: DecisionSchema },
        409: { description: '`conflict`: the decision is not active' },
      },
      handler: ({ params, principal }) => curation.revert(params.id, actorOf(principal)),
    })
    .route({
      method: 'get',
      path: '/v1/segmentation/granularity',
      summary: 'The granularity in force and what the visible run offers (natural segments, recommended cut)',
      tags: ['Curation'],
      access: ['marketer', 'admin', 'content'],
      responses: { 200: { description: 'Granularity', schema: GranularitySchema } },
      handler: () => curation.granularity(),
    })
    .route({
      method: 'put',
      path: '/v1/segmentation/granularity',
      summary: 'Choose how many segments to show (2–50, "recommended" or "natural"): a cut of the run\'s hierarchy, no new run',
      description:
        "Served by cutting the visible run's hierarchy of natural segments (each shown segment a union of whole natural " +
        'segments, so every cut nests in the finer ones) and applied to every later run. A run without a hierarchy (GDS ' +
        'engine) shows its natural segments. Recorded as a `granularity` curation decision that replaces the previous one.',
      tags: ['Curation'],
      access: [...CURATE],
      body: GranularityBody,
      responses: { 200: { description: 'The granularity now in force', schema: GranularitySchema } },
      handler: async ({ body, principal }) => {
        await curation.decide({ kind: 'granularity', target: body.target }, actorOf(principal));
        return curation.granularity();
      },
    });
}
