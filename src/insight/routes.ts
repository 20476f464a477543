import type { ApiRouter } from '../api/route.js';
import type { Services } from '../services.js';
import type { AudienceDefinition } from '../affinity/audience-service.js';
import { requirePlacedNegations } from '../affinity/routes.js';
import { namedTopics } from '../affinity/rules.js';
import { SegmentParams } from '../affinity/schemas.js';
import { AudienceInsightBody, CompareBody, ComparisonSchema, InsightSchema, SegmentInsightQuery } from './schemas.js';

const MARKETERS = ['marketer', 'admin'] as const;

const NOT_FOUND = { 404: { description: 'A segment named is unknown, or not a top-level (coarse) segment' } };
const SENSITIVE = {
  400: { description: 'Invalid body; `sensitive-topic` when a rule names a sensitive topic or category' },
};
const NO_RUN = { 409: { description: '`no-segmentation-run`: rules were given before any run has succeeded' } };

/**
 * Rules are checked as POST /v1/audiences/query checks them: negations need a positive condition beside them, and a
 * condition naming a sensitive topic or category answers 400 `sensitive-topic` (src/privacy/sensitive-service.ts).
 */
export async function checkDefinition(services: Services, def: AudienceDefinition, path: string): Promise<AudienceDefinition> {
  if ('where' in def) {
    requirePlacedNegations(def.where, `${path}.where`);
    await services.privacy.marks.refuseSensitive(namedTopics(def.where, `${path}.where`));
  }
  return def;
}

export function mountInsightRoutes(api: ApiRouter, services: Services): void {
  const { insight } = services;
  api
    .route({
      method: 'get',
      path: '/v1/segments/:id/insight',
      summary:
        "Extension: what makes a segment's audience different — over-indexed topics and categories, size, top people, change since the previous run",
      description:
        "Lift of a topic = share of the audience's profiled members holding it / share of the population holding it, " +
        'listed with its support (the counts). The population: consenting people with an interest in a segment of the ' +
        'visible run (docs/affinity.md). Computed in memory from the people this process holds.',
      tags: ['Insight'],
      access: MARKETERS,
      params: SegmentParams,
      query: SegmentInsightQuery,
      responses: { 200: { description: 'Insight', schema: InsightSchema }, ...NOT_FOUND },
      handler: ({ params, query }) =>
        insight.insight(
          { segment: params.id, minAffinity: query.minAffinity, minLift: query.minLift },
          { minSupport: query.minSupport, topics: query.topics, categories: query.categories, people: query.people },
        ),
    })
    .route({
      method: 'post',
      path: '/v1/audiences/insight',
      summary: 'Extension: insight into any audience (a segment at thresholds, or rules as in POST /v1/audiences/query)',
      tags: ['Insight'],
      access: MARKETERS,
      body: AudienceInsightBody,
      responses: { 200: { description: 'Insight', schema: InsightSchema }, ...SENSITIVE, ...NOT_FOUND, ...NO_RUN },
      handler: async ({ body }) => {
        const { audience, ...opts } = body;
        return insight.insight(await checkDefinition(services, audience, 'body.audience'), opts);
      },
    })
    .route({
      method: 'post',
      path: '/v1/audiences/compare',
      summary: 'Extension: two audiences (or segments) side by side — sizes, overlap, topics that over-index in one against the other',
      tags: ['Insight'],
      access: MARKETERS,
      body: CompareBody,
      responses: { 200: { description: 'Comparison', schema: ComparisonSchema }, ...SENSITIVE, ...NOT_FOUND, ...NO_RUN },
      handler: async ({ body }) => {
        const { a, b, ...opts } = body;
        return insight.compare(await checkDefinition(services, a, 'body.a'), await checkDefinition(services, b, 'body.b'), opts);
      },
    });
}
