import express, { type Express } from 'express';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Services } from '../services.js';
import { clientBundle } from './bundle.js';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/**
 * Serves the dashboard: one HTML page at `/`, the client bundle and stylesheet under `/assets/`. The page talks only
 * to the public HTTP API (see docs/api.md), so it needs nothing from the services but config.
 */
export function mountDashboard(app: Express, services: Services): void {
  const production = services.config.NODE_ENV === 'production';
  const html = readFileSync(here('./index.html'), 'utf8');
  const css = readFileSync(here('./styles.css'), 'utf8');
  const router = express.Router();

  router.get('/', (_req, res) => {
    res.type('html').set('cache-control', 'no-cache').send(html);
  });
  router.get('/assets/app.css', (_req, res) => {
    res.type('css').set('cache-control', 'no-cache').send(css);
  });
  router.get('/assets/app.js', async (_req, res) => {
    const bundle = await clientBundle(production);
    // express adds an ETag and answers 304 to a matching If-None-Match, so revalidation is cheap.
    res.type('application/javascript').set('cache-control', 'no-cache').send(bundle.js);
  });
  // Warm the bundle so the first page load does not wait for esbuild (a failure surfaces on the request instead);
  // tests build it only when a test asks for the page, so other test files pay nothing.
  if (services.config.NODE_ENV !== 'test') {
    clientBundle(production).catch((err: unknown) => services.logger.error({ err }, 'dashboard bundle failed'));
  }
  app.use(router);
}
