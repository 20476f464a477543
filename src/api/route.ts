import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z, type ZodType } from 'zod';
import type { OpenAPIRegistry } from './openapi.js';
import { ProblemSchema } from './openapi.js';
import { parseOr400 } from './http.js';
import { rejectInvalidUtf8 } from './text.js';
import { AppError } from '../errors.js';
import { authorize, type Access } from '../auth/middleware.js';
import { extendDeadline, type RouteDeadline } from './deadline.js';
import type { Logger } from '../logger.js';
import type { Principal } from '../auth/principal.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal | undefined;
  req: Request;
  res: Response;
}

export interface ResponseDef {
  description: string;
  schema?: ZodType;
  contentType?: string;
  /** Several representations chosen by `Accept` (JSON or CSV): content type → schema. */
  content?: Record<string, ZodType>;
}

export interface RouteDef<PS extends AnyObject, QS extends AnyObject, BS extends ZodType> {
  method: Method;
  /** Express syntax (`/v1/segments/:id`); converted to `{id}` for the OpenAPI document. */
  path: string;
  summary: string;
  /** Longer notes for the document (deliberate choices, limits). */
  description?: string;
  tags: string[];
  access: Access;
  params?: PS;
  query?: QS;
  body?: BS;
  /** Accepted request content types (default JSON). */
  bodyTypes?: string[];
  /** Overrides the default JSON parser (e.g. NDJSON text). It must leave the parsed value in req.body. */
  bodyParser?: RequestHandler;
  /** When the body may be absent (all fields optional), an empty request counts as `{}`. */
  bodyOptional?: boolean;
  /**
   * Lowest status is the success status used when the handler returns a value. Error statuses the framework can
   * answer (400, 401, 403, 404, 413, 415, 429, 503) are added by the generator; list here only the ones a handler
   * raises itself (409, 502, a 404 without path params...). An error without a schema is a problem+json answer.
   */
  responses: Record<number, ResponseDef>;
  /** False for the few routes that never reach the database (no 503). */
  database?: boolean;
  /** `bulk` for routes with large bodies or many writes (BULK_REQUEST_TIMEOUT_MS); default `request`. */
  deadline?: RouteDeadline;
  handler: (ctx: RouteContext<z.output<PS>, z.output<QS>, z.output<BS>>) => Promise<unknown>;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: `errors` lists each bad field (`body` for the body as a whole)',
  401: 'Missing or invalid credentials',
  403: 'Role not allowed (or `cross-origin`: a state change a session cookie carries from another origin)',
  404: 'Not found',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Rate limited: per API key, person or address, and per address for failed API-key checks (see Retry-After)',
  503: 'Database unavailable (see Retry-After)',
};

const PERSON_404 = 'Not found (also: the signed-in person has been erased meanwhile)';

const problemContent = { 'application/problem+json': { schema: ProblemSchema } };

/** Every status a route can answer: what it declares, plus what validation, auth, limits and the database add. */
export function responseStatuses(
  def: Pick<RouteDef<AnyObject, AnyObject, ZodType>, 'path' | 'access' | 'params' | 'query' | 'body' | 'database'>,
): Map<number, string> {
  const out = new Map<number, string>();
  if (def.params || def.query || def.body) out.set(400, ERROR_DESCRIPTIONS[400]!);
  if (def.access !== 'public') [401, 403].forEach((s) => out.set(s, ERROR_DESCRIPTIONS[s]!));
  if (def.params) out.set(404, ERROR_DESCRIPTIONS[404]!);
  // A session can outlive its person (erased through the admin API or another session).
  if (def.access === 'person') out.set(404, PERSON_404);
  if (def.body) [413, 415].forEach((s) => out.set(s, ERROR_DESCRIPTIONS[s]!));
  if (def.path.startsWith('/v1/')) out.set(429, ERROR_DESCRIPTIONS[429]!);
  if (def.database !== false || def.access !== 'public') out.set(503, ERROR_DESCRIPTIONS[503]!);
  return out;
}

/**
 * Defines an HTTP route and its OpenAPI entry from the same zod schemas.
 * Order per request: authenticate/authorize (401/403) → content type (415) → parse → validate (400) → handler.
 */
function responseObject(status: number, r: ResponseDef) {
  const content = r.content
    ? Object.fromEntries(Object.entries(r.content).map(([type, schema]) => [type, { schema }]))
    : r.schema
      ? { [r.contentType ?? 'application/json']: { schema: r.schema } }
      : status >= 400
        ? problemContent
        : undefined;
  return content ? { description: r.description, content } : { description: r.description };
}

/** What a bulk route's deadline is (ms) and where a passed deadline is logged. */
export interface BulkDeadline {
  ms: number;
  logger: Logger;
}

export class ApiRouter {
  readonly router: Router = express.Router();

  constructor(
    private readonly registry: OpenAPIRegistry,
    private readonly jsonLimit: string,
    private readonly bulk?: BulkDeadline,
  ) {}

  /** Names a schema in the OpenAPI components when no route schema reaches it (e.g. records validated one by one). */
  registerSchema(name: string, schema: ZodType): this {
    this.registry.register(name, schema);
    return this;
  }

  /** Adds an operation that is served outside this router (Swagger UI, the document itself) to the document. */
  describe(def: { method: Method; path: string; summary: string; tags: string[]; responses: Record<number, ResponseDef> }): this {
    this.registry.registerPath({
      method: def.method,
      path: def.path,
      summary: def.summary,
      tags: def.tags,
      responses: Object.fromEntries(Object.entries(def.responses).map(([status, r]) => [status, responseObject(Number(status), r)])),
    });
    return this;
  }

  route<PS extends AnyObject, QS extends AnyObject, BS extends ZodType>(def: RouteDef<PS, QS, BS>): this {
    // Credentials are resolved on /v1 only (app.ts): a protected route elsewhere would never see its principal.
    if (def.access !== 'public' && !def.path.startsWith('/v1/')) {
      throw new Error(`${def.method.toUpperCase()} ${def.path}: routes that need a principal live under /v1`);
    }
    const statuses = Object.keys(def.responses).map(Number);
    const successStatus = Math.min(...statuses, 599);
    this.register(def);

    const bodyTypes = def.bodyTypes ?? ['application/json'];
    const parser = def.bodyParser ?? express.json({ limit: this.jsonLimit, type: bodyTypes, verify: rejectInvalidUtf8 });
    const chain: RequestHandler[] = [];
    if (def.deadline === 'bulk' && this.bulk) chain.push(extendDeadline(this.bulk.ms, this.bulk.logger));
    chain.push((req, _res, next) => {
      authorize(req.principal, def.access);
      next();
    });
    if (def.body) {
      chain.push((req, _res, next) => {
        // An explicit `Content-Length: 0` without a type is an absent body, not an unsupported one.
        const empty = req.headers['content-length'] === '0' && !req.headers['content-type'];
        const matched = empty ? null : req.is(bodyTypes);
        if (matched === null) {
          if (!def.bodyOptional) throw AppError.badRequest('A request body is required');
        } else if (matched === false) {
          throw AppError.unsupportedMediaType(bodyTypes);
        }
        next();
      }, parser);
    }
    chain.push(async (req, res) => {
      const params = def.params ? parseOr400(def.params, req.params, 'params') : {};
      const query = def.query ? parseOr400(def.query, req.query, 'query') : {};
      const rawBody = req.body === undefined && def.bodyOptional ? {} : req.body;
      const body = def.body ? parseOr400(def.body, rawBody, 'body') : undefined;
      const result = await def.handler({
        params: params as z.output<PS>,
        query: query as z.output<QS>,
        body: body as z.output<BS>,
        principal: req.principal,
        req,
        res,
      });
      if (res.headersSent) return;
      if (result === undefined) res.status(successStatus).end();
      else res.status(successStatus).json(result);
    });
    this.router[def.method](def.path, ...chain);
    return this;
  }

  private register(def: RouteDef<AnyObject, AnyObject, ZodType>) {
    const responses: Record<string, unknown> = {};
    for (const [status, description] of responseStatuses(def)) responses[status] = { description, content: problemContent };
    for (const [status, r] of Object.entries(def.responses)) responses[status] = responseObject(Number(status), r);
    const roles =
      def.access === 'share'
        ? "A report's share link token (`Authorization: Bearer nss_…`), read-only"
        : def.access !== 'public' && def.access !== 'person'
          ? `Roles: ${def.access.join(', ')}`
          : undefined;
    const description = [def.description, roles].filter(Boolean).join('\n\n');
    this.registry.registerPath({
      method: def.method,
      path: def.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
      summary: def.summary,
      tags: def.tags,
      ...(def.access === 'public'
        ? {}
        : { security: def.access === 'person' ? [{ session: [] }] : def.access === 'share' ? [{ shareLink: [] }] : [{ apiKey: [] }] }),
      ...(description ? { description } : {}),
      request: {
        ...(def.params ? { params: def.params } : {}),
        ...(def.query ? { query: def.query } : {}),
        ...(def.body
          ? {
              body: {
                required: !def.bodyOptional,
                content: Object.fromEntries((def.bodyTypes ?? ['application/json']).map((t) => [t, { schema: def.body! }])),
              },
            }
          : {}),
      },
      responses: responses as never,
    });
  }
}
