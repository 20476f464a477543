import express, { type RequestHandler } from 'express';
import type { ApiRouter } from '../api/route.js';
import { AppError } from '../errors.js';
import type { Services } from '../services.js';
import {
  EventInput,
  EventsBody,
  EventsRequestBody,
  EventsResult,
  ImportResult,
  ProfileImportBody,
  ProfileRecord,
  RawBody,
} from './schemas.js';

const IMPORT_TYPES = ['application/x-ndjson', 'application/json'];

/** The charset of the request (utf-8 when absent); one TextDecoder cannot read is a 415, as body-parser answered. */
function charsetOf(contentType: string | undefined): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1]?.toLowerCase() ?? 'utf-8';
  try {
    new TextDecoder(charset);
  } catch {
    throw new AppError(415, 'unsupported-media-type', `Unsupported charset "${charset.toUpperCase()}"`);
  }
  return charset;
}

/**
 * Reads the body as bytes (BODY_LIMIT → 413) and nothing more: decoding, parsing and validation happen in a worker
 * thread (src/ingest/import-pool.ts), so a large body costs the request loop no CPU.
 */
function rawBodyParser(types: string[], limit: string, kindOf: (isJson: boolean) => 'json' | 'ndjson'): RequestHandler {
  const raw = express.raw({ type: types, limit });
  return (req, res, next) => {
    raw(req, res, (err?: unknown) => {
      if (err) return next(err);
      try {
        const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        req.body = new RawBody(bytes, kindOf(Boolean(req.is('application/json'))), charsetOf(req.headers['content-type']));
        next();
      } catch (e) {
        next(e);
      }
    });
  };
}

export function mountIngestRoutes(api: ApiRouter, services: Services): void {
  const { pool } = services.ingest;
  // The bodies are validated record by record, so the record schemas are not reachable from the route schemas:
  // register them by hand for the $refs in ProfileImport and the events body.
  api.registerSchema('ProfileRecord', ProfileRecord);
  api.registerSchema('EventInput', EventInput);
  api.registerSchema('EventsBatch', EventsBody);
  api
    .route({
      method: 'post',
      path: '/v1/imports/profiles',
      summary: 'Import CRM profiles (NDJSON or a JSON array); invalid records are rejected by line, valid ones stored',
      tags: ['Ingestion'],
      access: ['ingest', 'admin'],
      body: ProfileImportBody,
      bodyTypes: IMPORT_TYPES,
      bodyParser: rawBodyParser(IMPORT_TYPES, services.config.BODY_LIMIT, (isJson) => (isJson ? 'json' : 'ndjson')),
      deadline: 'bulk',
      responses: { 200: { description: 'Imported count and rejected lines', schema: ImportResult } },
      handler: ({ body }) => pool.importProfiles(body),
    })
    .route({
      method: 'post',
      path: '/v1/events',
      summary: 'Record interest events (like, unlike, view, purchase); an id seen before is a duplicate',
      tags: ['Ingestion'],
      access: ['ingest', 'admin'],
      body: EventsRequestBody,
      bodyParser: rawBodyParser(['application/json'], services.config.BODY_LIMIT, () => 'json'),
      deadline: 'bulk',
      responses: { 202: { description: 'Accepted, duplicate and rejected events', schema: EventsResult } },
      handler: ({ body }) => pool.ingestEvents(body),
    });
}
