import express, { type RequestHandler } from 'express';
import type { ApiRouter } from '../api/route.js';
import { AppError } from '../errors.js';
import type { Services } from '../services.js';
import { fromArray, parseNdjson, stripBom, type RawItem } from './parse.js';
import { INVALID_UTF8_LINE, invalidUtf8Body, invalidUtf8Lines } from '../api/text.js';
import { EventInput, EventsBody, EventsResult, ImportResult, ProfileImportBody, ProfileRecord } from './schemas.js';

const IMPORT_TYPES = ['application/x-ndjson', 'application/json'];

function malformed(detail: string, errors?: Array<{ path: string; message: string }>) {
  return new AppError(400, 'malformed-body', detail, errors);
}

/**
 * Reads the body as text (BODY_LIMIT → 413) and turns it into numbered raw records, so that validation can judge each
 * record on its own: NDJSON lines that are not JSON become per-line rejections, not a failed request.
 */
function importBodyParser(limit: string): RequestHandler {
  // The text parser would decode invalid UTF-8 as U+FFFD without a word (merging distinct ids): the lines that are not
  // UTF-8 are found on the bytes first, and rejected by number like any other invalid line.
  const badLines = new WeakMap<object, Set<number>>();
  const text = express.text({
    type: IMPORT_TYPES,
    limit,
    verify: (req, _res, buf, encoding) => {
      if (/^utf-?8$/i.test(encoding)) {
        const bad = invalidUtf8Lines(buf);
        if (bad.size) badLines.set(req, bad);
      }
    },
  });
  return (req, res, next) => {
    text(req, res, (err?: unknown) => {
      if (err) return next(err);
      try {
        const body = stripBom(typeof req.body === 'string' ? req.body : '');
        const bad = badLines.get(req);
        let items: RawItem[];
        if (bad && req.is('application/json')) throw invalidUtf8Body();
        if (req.is('application/json')) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(body);
          } catch (e) {
            throw malformed(`The request body is not valid JSON: ${(e as Error).message}`);
          }
          if (!Array.isArray(parsed)) throw malformed('A JSON body must be an array of profile records (or send NDJSON)');
          items = fromArray(parsed);
        } else {
          items = parseNdjson(body);
          if (bad) items = items.map((i) => (bad.has(i.line) ? { line: i.line, error: INVALID_UTF8_LINE } : i));
          if (items.length === 0) throw malformed('The NDJSON body has no records');
          if (items.every((i) => 'error' in i)) {
            throw malformed(
              'The body is not NDJSON: no line is a JSON value',
              items.slice(0, 20).map((i) => ({ path: `line ${i.line}`, message: 'error' in i ? i.error : '' })),
            );
          }
        }
        req.body = items;
        next();
      } catch (e) {
        next(e);
      }
    });
  };
}

export function mountIngestRoutes(api: ApiRouter, services: Services): void {
  const { service } = services.ingest;
  // The bodies are validated record by record, so the record schemas are not reachable from the route schemas:
  // register them by hand for the $refs in ProfileImport and EventsBatch.
  api.registerSchema('ProfileRecord', ProfileRecord);
  api.registerSchema('EventInput', EventInput);
  api
    .route({
      method: 'post',
      path: '/v1/imports/profiles',
      summary: 'Import CRM profiles (NDJSON or a JSON array); invalid records are rejected by line, valid ones stored',
      tags: ['Ingestion'],
      access: ['ingest', 'admin'],
      body: ProfileImportBody,
      bodyTypes: IMPORT_TYPES,
      bodyParser: importBodyParser(services.config.BODY_LIMIT),
      deadline: 'bulk',
      responses: { 200: { description: 'Imported count and rejected lines', schema: ImportResult } },
      handler: ({ body }) => service.importProfiles(body as RawItem[]),
    })
    .route({
      method: 'post',
      path: '/v1/events',
      summary: 'Record interest events (like, unlike, view, purchase); an id seen before is a duplicate',
      tags: ['Ingestion'],
      access: ['ingest', 'admin'],
      body: EventsBody,
      deadline: 'bulk',
      responses: { 202: { description: 'Accepted, duplicate and rejected events', schema: EventsResult } },
      handler: ({ body }) => service.ingestEvents(body.events),
    });
}
