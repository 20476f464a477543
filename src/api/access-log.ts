import { pinoHttp, type HttpLogger } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';

/**
 * One info line per answered request (pino-http), or undefined when info is below the level. pino-http builds two child
 * loggers per request whatever the level: a third of what a cached affinity read allocated (docs/benchmarks.md), so
 * below info it is left out; 5xx are logged by errorMiddleware at error level either way. The hot read path
 * (src/api/hot-path.ts) calls the same instance on the requests it answers.
 */
export function accessLog(logger: Logger): HttpLogger | undefined {
  if (!logger.isLevelEnabled('info')) return undefined;
  return pinoHttp({
    logger,
    genReqId: (req) => (req.headers['x-request-id'] as string | undefined) ?? randomUUID(),
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    // pino-http binds the serialized request to a child logger on every request, whatever the level: a small summary
    // (no headers) keeps that cheap on the hot read paths and never carries credentials.
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
