import express, { type Express } from 'express';
import type { IncomingMessage } from 'node:http';
import { ApiRouter } from './api/route.js';
import { createRegistry, generateOpenApi } from './api/openapi.js';
import { errorMiddleware, notFoundHandler } from './api/http.js';
import { createMetrics } from './api/metrics.js';
import { requestDeadline } from './api/deadline.js';
import { mountOpsRoutes, openApiRouter } from './api/ops-routes.js';
import { authenticate, failedAuthLimiter } from './auth/middleware.js';
import { accessLog } from './api/access-log.js';
import { securityHeaders, securityHeadersMiddleware } from './api/security-headers.js';
import { clientRateLimit } from './api/client-rate-limit.js';
import { hotPath, setRequestListener } from './api/hot-path.js';
import { affinityHotRoute } from './affinity/hot-read.js';
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

/**
 * Builds the HTTP app around already-created services; listening is main.ts's (or a test's) business: `listen()` serves
 * it behind its hot read path unless `hotPath` (default HOT_PATH) is false.
 */
export function createApp(services: Services, options: { hotPath?: boolean } = {}): Express {
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
  const log = accessLog(logger);
  if (log) app.use(log);
  // Before sessions and credentials, which may wait on Neo4j too: the deadline counts from the request's arrival.
  app.use(requestDeadline(config.REQUEST_TIMEOUT_MS, logger));
  const headers = securityHeaders(config.PUBLIC_URL);
  app.use(securityHeadersMiddleware(headers));
  installSessions(app, services);
  // Only /v1 needs a principal; /healthz, /readyz, /metrics, /openapi.json, /docs, /auth/* and the dashboard do not
  // read credentials at all. Failed key checks have their own per-address budget (the limiter below counts by key).
  const failures = failedAuthLimiter(authFailuresPerMinute(config.RATE_LIMIT_PER_MINUTE));
  const tokens = [services.reports.shareTokens];
  app.use('/v1', authenticate(services.apiKeys, failures, tokens));
  // A session cookie rides along with any request the browser makes: state changes it authenticates must be ours.
  const sameOrigin = sameOriginCheck(config.PUBLIC_URL);
  app.use('/v1', sameOrigin);
  app.use('/auth/logout', sameOrigin);
  const limiter = clientRateLimit(config.RATE_LIMIT_PER_MINUTE);
  app.use('/v1', limiter.middleware);

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

  if (options.hotPath ?? config.HOT_PATH) {
    const listener = hotPath(
      {
        routes: [affinityHotRoute(services.affinity.reader)],
        cachedPrincipal: (key) => services.apiKeys.cachedPrincipal(key),
        tokenPrefixes: tokens.map((t) => t.prefix),
        failures,
        ipOf: (req) => expressIp(app, req),
        limiter,
        securityHeaders: headers,
        metrics,
        accessLog: log,
      },
      app,
    );
    setRequestListener(app, listener);
  }
  return app;
}

/** `req.ip` as Express computes it for this app (its `trust proxy`), for a request Express has not seen. */
function expressIp(app: Express, req: IncomingMessage): string {
  const view = Object.create(app.request, { headers: { value: req.headers }, socket: { value: req.socket } }) as { ip?: string };
  return view.ip ?? '';
}
