import type { Deps } from '../deps.js';
import type { Hooks } from '../hooks.js';
import type { InsightService } from '../insight/insight-service.js';
import type { TokenVerifier } from '../auth/middleware.js';
import { ReportRenderer } from './renderer.js';
import { ReportService } from './report-service.js';
import { ShareLinkRepository } from './share-link-repository.js';
import { SHARE_TOKEN_PREFIX, ShareLinkService } from './share-links.js';

/** Reports (JSON, CSV, PDF and PNG through headless Chromium) and their share links. */
export function createReports(deps: Deps, hooks: Hooks, insight: InsightService) {
  const { config } = deps;
  const links = new ShareLinkService(new ShareLinkRepository(deps.db), deps.secretKey);
  const renderer = new ReportRenderer({
    executablePath: config.CHROMIUM_PATH,
    concurrency: config.REPORT_RENDER_CONCURRENCY,
    queue: config.REPORT_RENDER_QUEUE,
    timeoutMs: config.REPORT_RENDER_TIMEOUT_MS,
    logger: deps.logger,
  });
  hooks.on('shutdown', () => renderer.close());
  const shareTokens: TokenVerifier = { prefix: SHARE_TOKEN_PREFIX, verify: (token) => links.verify(token) };
  return { links, renderer, service: new ReportService(insight, links, renderer, config.REPORT_RENDER_TIMEOUT_MS), shareTokens };
}

export type Reports = ReturnType<typeof createReports>;
