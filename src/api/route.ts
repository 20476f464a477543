import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z, type ZodType } from 'zod';
import type { OpenAPIRegistry } from './openapi.js';
import { ProblemSchema } from './openapi.js';
import { parseOr400 } from './http.js';
import { AppError } from '../errors.js';
import { authorize, type Access } from '../auth/middleware.js';
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

export interface RouteDef<PS extends AnyObject, QS extends AnyObject, BS extends ZodType> {
  method: Method;
  /** Express syntax (`/v1/segments/:id`); converted to `{id}` for the OpenAPI document. */
  path: string;
  summary: string;
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
  /** First entry is the success status used when the handler returns a value. */
  responses: Record<number, { description: string; schema?: ZodType; contentType?: string }>;
  handler: (ctx: RouteContext<z.output<PS>, z.output<QS>, z.output<BS>>) => Promise<unknown>;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input',
  401: 'Missing or invalid credentials',
  403: 'Role not allowed',
  404: 'Not found',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Rate limited',
  503: 'Database unavailable',
};

/**
 * Defines an HTTP route and its OpenAPI entry from the same zod schemas.
 * Order per request: authenticate/authorize (401/403) → content type (415) → parse → validate (400) → handler.
 */
export class ApiRouter {
  readonly router: Router = express.Router();

  constructor(
    private readonly registry: OpenAPIRegistry,
    private readonly jsonLimit: string,
  ) {}

  /** Names a schema in the OpenAPI components when no route schema reaches it (e.g. records validated one by one). */
  registerSchema(name: string, schema: ZodType): this {
    this.registry.register(name, schema);
    return this;
  }

  route<PS extends AnyObject, QS extends AnyObject, BS extends ZodType>(def: RouteDef<PS, QS, BS>): this {
    const statuses = Object.keys(def.responses).map(Number);
    const successStatus = statuses[0] ?? 200;
    this.register(def);

    const bodyTypes = def.bodyTypes ?? ['application/json'];
    const parser = def.bodyParser ?? express.json({ limit: this.jsonLimit, type: bodyTypes });
    const chain: RequestHandler[] = [
      (req, _res, next) => {
        authorize(req.principal, def.access);
        next();
      },
    ];
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
    for (const [status, r] of Object.entries(def.responses)) {
      responses[status] = r.schema
        ? { description: r.description, content: { [r.contentType ?? 'application/json']: { schema: r.schema } } }
        : { description: r.description };
    }
    const errorStatuses = new Set<number>([400, 503]);
    if (def.access !== 'public') [401, 403].forEach((s) => errorStatuses.add(s));
    if (def.params) errorStatuses.add(404);
    if (def.body) [413, 415].forEach((s) => errorStatuses.add(s));
    for (const s of errorStatuses) {
      if (!responses[s]) {
        responses[s] = {
          description: ERROR_DESCRIPTIONS[s]!,
          content: { 'application/problem+json': { schema: ProblemSchema } },
        };
      }
    }
    this.registry.registerPath({
      method: def.method,
      path: def.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
      summary: def.summary,
      tags: def.tags,
      ...(def.access === 'public'
        ? {}
        : { security: def.access === 'person' ? [{ session: [] }] : [{ apiKey: [] }] }),
      ...(def.access !== 'public' && def.access !== 'person'
        ? { description: `Roles: ${def.access.join(', ')}` }
        : {}),
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
