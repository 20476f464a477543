import express, { type Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';
import type { ApiRouter } from './route.js';
import type { Db } from '../db/neo4j.js';
import type { Metrics } from './metrics.js';
import { AppError } from '../errors.js';

const Health = z.object({ status: z.literal('ok') }).openapi('Health');
const Ready = z.object({ status: z.literal('ready'), neo4j: z.literal('up') }).openapi('Ready');

export function mountOpsRoutes(api: ApiRouter, db: Db, metrics: Metrics): void {
  api
    .route({
      method: 'get',
      path: '/healthz',
      summary: 'The process is up (touches neither credentials nor the database)',
      tags: ['Operations'],
      access: 'public',
      database: false,
      responses: { 200: { description: 'Up', schema: Health } },
      handler: async () => ({ status: 'ok' }),
    })
    .route({
      method: 'get',
      path: '/readyz',
      summary: 'Ready when Neo4j answers',
      tags: ['Operations'],
      access: 'public',
      responses: { 200: { description: 'Ready', schema: Ready } },
      handler: async () => {
        if (!(await db.ping())) throw AppError.unavailable('Neo4j does not answer');
        return { status: 'ready', neo4j: 'up' };
      },
    })
    .route({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      tags: ['Operations'],
      access: 'public',
      database: false,
      responses: { 200: { description: 'Prometheus text format', schema: z.string(), contentType: 'text/plain' } },
      handler: async ({ res }) => {
        res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    })
    // Served by openApiRouter below; listed so the document describes every operation of the contract.
    .describe({
      method: 'get',
      path: '/openapi.json',
      summary: 'This OpenAPI document, generated from the route schemas',
      tags: ['Operations'],
      responses: { 200: { description: 'OpenAPI 3.1', schema: z.record(z.string(), z.unknown()) } },
    })
    .describe({
      method: 'get',
      path: '/docs',
      summary: 'Swagger UI over /openapi.json',
      tags: ['Operations'],
      responses: { 200: { description: 'HTML page', schema: z.string(), contentType: 'text/html' } },
    });
}

/** The document is generated from the registry on first request, after every feature has added its routes. */
export function openApiRouter(generate: () => unknown): Router {
  let doc: unknown;
  const get = () => (doc ??= generate());
  const router = express.Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(get());
  });
  router.use('/docs', swaggerUi.serve, (req: express.Request, res: express.Response, next: express.NextFunction) =>
    swaggerUi.setup(get() as swaggerUi.JsonObject)(req, res, next),
  );
  return router;
}
