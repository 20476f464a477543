import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import { requestListenerOf } from './hot-path.js';

/** The HTTP server's own timeouts (HTTP_*_TIMEOUT_MS); Node's defaults are 60 s for headers and 300 s per request. */
export interface ServerTimeouts {
  /** Headers must arrive within this (slow-header clients hold a socket each). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (408 beyond). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this; behind a load balancer keep it above the balancer's idle timeout. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = { headersTimeoutMs: 10_000, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 5_000 };

/** The server timeouts of the configuration, for listen(). */
export function serverTimeoutsFrom(config: {
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_REQUEST_TIMEOUT_MS: number;
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
}): ServerTimeouts {
  return {
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
  };
}

/** Starts listening and resolves once bound; port 0 picks a free one, reported back in `port` and `baseUrl`. */
export async function listen(
  app: Express,
  port = 0,
  host = '127.0.0.1',
  timeouts: ServerTimeouts = DEFAULT_SERVER_TIMEOUTS,
): Promise<{ server: Server; port: number; baseUrl: string }> {
  // The app's hot path first when it has one (src/api/hot-path.ts), the Express app for everything else.
  const server = createServer(requestListenerOf(app));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  const addr = server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  return { server, port: bound, baseUrl: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}

/** Stops listening and drops every open connection at once (tests and benchmarks; `npm start` drains instead). */
export function closeNow(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
