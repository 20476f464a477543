import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The security headers helmet sets on every answer, as `[name, value, name, value, …]`. Our directives are static
 * (no per-request nonce), so helmet is run once, on a stand-in response, and the headers it set are replayed: by the
 * Express middleware below and by the hot read path (src/api/hot-path.ts), which therefore send exactly helmet's set.
 */
export function securityHeaders(publicUrl: string | undefined): readonly string[] {
  const middleware = helmet(helmetOptions(publicUrl));
  const headers: string[] = [];
  const recorder = {
    setHeader(name: string, value: unknown) {
      if (typeof value !== 'string') throw new Error(`helmet set ${name} to a ${typeof value}: only strings are replayed`);
      headers.push(name, value);
    },
    removeHeader() {
      // X-Powered-By: the app never sets it (app.disable('x-powered-by')).
    },
  };
  let failure: unknown;
  let done = false;
  middleware({} as never, recorder as never, (err?: unknown) => {
    failure = err;
    done = true;
  });
  if (failure || !done) throw new Error(`helmet could not be recorded: ${String(failure ?? 'it did not finish at once')}`);
  return headers;
}

/** The service's helmet configuration. */
export function helmetOptions(publicUrl: string | undefined): HelmetOptions {
  return {
    contentSecurityPolicy: {
      directives: {
        // The dashboard draws with WebGL (sigma) and Swagger UI ships inline styles.
        'img-src': ["'self'", 'data:', 'blob:'],
        'style-src': ["'self'", "'unsafe-inline'"],
        // Upgrading to https would break a plain-http deployment (and the loopback default).
        'upgrade-insecure-requests': publicUrl?.startsWith('https:') ? [] : null,
      },
    },
  };
}

/** Sets the recorded headers (what helmet's middleware would set, without its per-request work). */
export function securityHeadersMiddleware(headers: readonly string[]): RequestHandler {
  return (_req, res, next) => {
    for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i]!, headers[i + 1]!);
    next();
  };
}
