import express from 'express';
import helmet from 'helmet';
import { describe, expect, it } from 'vitest';
import { closeNow, listen } from './listen.js';
import { helmetOptions, securityHeaders, securityHeadersMiddleware } from './security-headers.js';

async function headersOf(middleware: express.RequestHandler): Promise<Array<[string, string]>> {
  const app = express();
  app.disable('x-powered-by');
  app.use(middleware);
  app.get('/', (_req, res) => void res.end());
  const { server, baseUrl } = await listen(app);
  try {
    const res = await fetch(baseUrl);
    const out: Array<[string, string]> = [];
    res.headers.forEach((value, name) => {
      if (name !== 'date') out.push([name, value]);
    });
    return out;
  } finally {
    await closeNow(server);
  }
}

describe('recorded security headers', () => {
  it.each([undefined, 'https://segments.example'])('are the headers helmet itself sets (PUBLIC_URL %s)', async (url) => {
    const replayed = await headersOf(securityHeadersMiddleware(securityHeaders(url)));
    expect(replayed).toEqual(await headersOf(helmet(helmetOptions(url))));
    expect(replayed.map(([name]) => name)).toContain('content-security-policy');
  });
});
