import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { randomUUID } from 'node:crypto';
import { ApiRouter } from './api/route.js';
import { createRegistry, generateOpenApi } from './api/openapi.js';
import { errorMiddleware, notFoundHandler, problem, sendProblem } from './api/http.js';
import { createMetrics } from './api/metrics.js';
import { requestDeadline } from './api/deadline.js';
import { mountOpsRoutes, openApiRouter } from './api/ops-routes.js';
import { authenticate, failedAuthLimiter } from './auth/middleware.js';
import { sameOriginCheck } from './auth/origin-check.js';
import { mountApiKeyRoutes } from './auth/routes.js';
import { installSessions, mountPeopleRoutes } from './people/index.js';
import { mountIngestRoutes } from './ingest/routes.js';
import { mountUserRoutes } from './users/routes.js';
import { mountTopicRoutes } from './graph/index.js';
import { mountSegmentationRoutes } from './segmentation/routes.js';
import { mountAffinityRoutes } from './affinity/routes.js';
import { mountSavedAudienceRoutes } from './audiences/routes.js';
import { mountRefreshRoutes } from './refresh/routes.js';
import { mountCurationRoutes } from './curation/routes.js';
import { mountInsightRoutes } from './insight/routes.js';
import { mountReportRoutes } from './reports/routes.js';
import { mountSensitiveRoutes } from './privacy/sensitive-routes.js';
import { mountConsentRoutes } from './privacy/consent-routes.js';
import { mountAudienceSegmentationRoutes } from './audience-segmentation/routes.js';
import { mountAuditRoutes } from './privacy/audit-routes.js';
import { mountDashboard } from './dashboard/routes.js';
import type { Services } from './services.js';

/**
 * Failed API-key checks allowed per client address and minute: plenty for a misconfigured client to notice its
 * mistake, far too few to guess a key. A lower overall rate limit lowers it too (tests use that).
 */
export function authFailuresPerMinute(ratePerMinute: number): number {
  return Math.min(30, ratePerMinute);
}

/** Builds the HTTP app around already-created services; listening is main.ts's (or a test's) business. */
export function createApp(services: Services): Express {
  const { config, logger } = services;
  const app = express();
  app.disable('x-powered-by');
  // Only proxies named in TRUST_PROXY may say who the client is; by default X-Forwarded-For is ignored, so no client
  // can choose the address its rate limits count against.
  app.set('trust proxy', config.TRUST_PROXY);
  app.set('query parser', 'extended');

  const metrics = createMetrics();
  const registry = createRegistry();
  const api = new ApiRouter(registry, config.BODY_LIMIT, { ms: config.BULK_REQUEST_TIMEOUT_MS, logger });

  app.use(metrics.middleware);
  // pino-http builds two child loggers per request whatever the level: a third of what a cached affinity read
  // allocated (docs/benchmarks.md). Its lines are info, so below info it is left out; 5xx are logged by
  // errorMiddleware at error level either way.
  if (logger.isLevelEnabled('info')) {
    app.use(
      pinoHttp({
        logger,
        genReqId: (req) => (req.headers['x-request-id'] as string | undefined) ?? randomUUID(),
        autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
        // pino-http binds the serialized request to a child logger on every request, whatever the level: a small
        // summary (no headers) keeps that cheap on the hot read paths and never carries credentials.
        serializers: {
          req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
            id: req.id,
            method: req.method,
            url: req.url,
            remoteAddress: req.remoteAddress,
          }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
      }),
    );
  }
  // Before sessions and credentials, which may wait on Neo4j too: the deadline counts from the request's arrival.
  app.use(requestDeadline(config.REQUEST_TIMEOUT_MS, logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // The dashboard draws with WebGL (sigma) and Swagger UI ships inline styles.
          'img-src': ["'self'", 'data:', 'blob:'],
          'style-src': ["'self'", "'unsafe-inline'"],
          // Upgrading to https would break a plain-http deployment (and the loopback default).
          'upgrade-insecure-requests': config.PUBLIC_URL?.startsWith('https:') ? [] : null,
        },
      },
    }),
  );
  installSessions(app, services);
  // Only /v1 needs a principal; /healthz, /readyz, /metrics, /openapi.json, /docs, /auth/* and the dashboard do not
  // read credentials at all. Failed key checks have their own per-address budget (the limiter below counts by key).
  app.use(
    '/v1',
    authenticate(services.apiKeys, failedAuthLimiter(authFailuresPerMinute(config.RATE_LIMIT_PER_MINUTE)), [services.reports.shareTokens]),
  );
  // A session cookie rides along with any request the browser makes: state changes it authenticates must be ours.
  const sameOrigin = sameOriginCheck(config.PUBLIC_URL);
  app.use('/v1', sameOrigin);
  app.use('/auth/logout', sameOrigin);
  app.use(
    '/v1',
    rateLimit({
      windowMs: 60_000,
      limit: config.RATE_LIMIT_PER_MINUTE,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      // X-Forwarded-For is ignored on purpose unless TRUST_PROXY names the proxy: no warning about it.
      validate: { xForwardedForHeader: false },
      keyGenerator: (req) =>
        req.principal?.kind === 'key'
          ? `key:${req.principal.keyId}`
          : req.principal?.kind === 'person'
            ? `person:${req.principal.userId}`
            : req.principal?.kind === 'share'
              ? `share:${req.principal.linkId}`
              : `ip:${ipKeyGenerator(req.ip ?? '')}`,
      handler: (_req, res) => sendProblem(res, problem(429, 'rate-limited', 'Too many requests; slow down')),
    }),
  );

  mountOpsRoutes(api, services.db, metrics);
  mountApiKeyRoutes(api, services.apiKeys);
  mountIngestRoutes(api, services);
  mountSegmentationRoutes(api, services);
  mountRefreshRoutes(api, services);
  mountTopicRoutes(api, services.graph.topics);
  mountCurationRoutes(api, services);
  mountAffinityRoutes(api, services);
  mountSavedAudienceRoutes(api, services);
  mountUserRoutes(api, services.users);
  mountInsightRoutes(api, services);
  mountReportRoutes(api, services);
  mountAudienceSegmentationRoutes(api, services);
  mountPeopleRoutes(api, services);
  mountSensitiveRoutes(api, services.privacy.marks);
  mountConsentRoutes(api, services);
  mountAuditRoutes(api, services.privacy.audit);

  app.use(api.router);
  app.use(openApiRouter(() => generateOpenApi(registry)));
  mountDashboard(app, services);
  app.use((req) => notFoundHandler(req));
  app.use(errorMiddleware(logger));
  return app;
}
