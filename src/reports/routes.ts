import type { Request, Response } from 'express';
import type { ApiRouter } from '../api/route.js';
import { decodeCursor, encodeCursor } from '../api/http.js';
import type { Services } from '../services.js';
import { AppError } from '../errors.js';
import type { Principal } from '../auth/principal.js';
import { checkDefinition } from '../insight/routes.js';
import { RenderBusyError } from './renderer.js';
import type { ReportChart, ReportFormat } from './report-service.js';
import type { ReportSpec } from './share-link-repository.js';
import {
  ReportDocumentSchema,
  ReportExportBody,
  ReportFileSchema,
  SharedExportQuery,
  ShareLinkBody,
  ShareLinkCreatedSchema,
  ShareLinkCursor,
  ShareLinkListQuery,
  ShareLinkListSchema,
  ShareLinkParams,
} from './schemas.js';

const MARKETERS = ['marketer', 'admin'] as const;

const FILE_RESPONSES = {
  200: {
    description: 'The report file',
    content: { 'application/pdf': ReportFileSchema, 'image/png': ReportFileSchema, 'text/csv': ReportFileSchema },
  },
  404: { description: "The report's segment is unknown, or not a top-level (coarse) segment" },
  429: {
    description: '`render-busy`: renders are at capacity (REPORT_RENDER_CONCURRENCY running, REPORT_RENDER_QUEUE waiting); see Retry-After',
  },
  503: {
    description:
      '`renderer-unavailable` (no Chromium at CHROMIUM_PATH, or it failed) or `render-timeout` (REPORT_RENDER_TIMEOUT_MS passed); also the database',
  },
};

/**
 * Where headless Chromium reaches this process: the address and port the request came in on (a loopback or local
 * interface), never the Host header, which the client chose.
 */
function localOrigin(req: Request): string {
  const address = req.socket.localAddress ?? '127.0.0.1';
  return `http://${address.includes(':') ? `[${address}]` : address}:${req.socket.localPort}`;
}

async function sendFile(res: Response, file: Promise<{ body: Buffer; type: string; filename: string }>): Promise<undefined> {
  try {
    const f = await file;
    res.status(200).type(f.type).setHeader('content-disposition', `attachment; filename="${f.filename}"`);
    res.setHeader('cache-control', 'no-store');
    res.end(f.body);
  } catch (err) {
    if (err instanceof RenderBusyError) res.setHeader('Retry-After', '5');
    throw err;
  }
  return undefined;
}

/** The report a share link stands for (the route's access already requires one). */
function sharedSpec(principal: Principal | undefined): ReportSpec & { expiresAt: string } {
  if (principal?.kind !== 'share') throw AppError.unauthorized();
  return { ...principal.report, expiresAt: principal.expiresAt };
}

export function mountReportRoutes(api: ApiRouter, services: Services): void {
  const { reports, config } = services;
  api
    .route({
      method: 'post',
      path: '/v1/reports/export',
      summary: "Extension: a segment or audience report as PDF (headless Chromium over the dashboard's report view), a PNG chart, or CSV",
      tags: ['Reports'],
      access: MARKETERS,
      body: ReportExportBody,
      deadline: 'bulk',
      responses: FILE_RESPONSES,
      handler: async ({ body, req, res }) => {
        const audience = await checkDefinition(services, body.audience, 'body.audience');
        const { spec } = await reports.service.resolve(audience, body.title);
        return sendFile(res, reports.service.file(spec, body.format as ReportFormat, body.chart as ReportChart, localOrigin(req)));
      },
    })
    .route({
      method: 'post',
      path: '/v1/reports/share-links',
      summary: 'Extension: a link that opens a report read-only, without an API key, until it expires or is revoked',
      tags: ['Reports'],
      access: MARKETERS,
      body: ShareLinkBody,
      responses: {
        201: { description: 'Created; the token is shown once', schema: ShareLinkCreatedSchema },
        404: { description: "The report's segment is unknown, or not a top-level (coarse) segment" },
      },
      handler: async ({ body, principal, req }) => {
        const audience = await checkDefinition(services, body.audience, 'body.audience');
        const { spec } = await reports.service.resolve(audience, body.title);
        const by = principal?.kind === 'key' ? `${principal.name} (${principal.keyId})` : 'unknown';
        const link = await reports.links.create(spec, body.expiresInHours * 3_600_000, by);
        const base = config.PUBLIC_URL?.replace(/\/$/, '') ?? `${req.protocol}://${req.get('host')}`;
        return { ...link, url: `${base}/#/shared/${link.token}` };
      },
    })
    .route({
      method: 'get',
      path: '/v1/reports/share-links',
      summary: 'Extension: share links, newest first (with their status; never their tokens)',
      tags: ['Reports'],
      access: MARKETERS,
      query: ShareLinkListQuery,
      responses: { 200: { description: 'Share links', schema: ShareLinkListSchema } },
      handler: async ({ query }) => {
        const after = decodeCursor(ShareLinkCursor, query.cursor);
        const rows = await reports.links.list(after && { createdAtMs: after.t, id: after.i }, query.limit + 1);
        const items = rows.slice(0, query.limit);
        const last = items[items.length - 1];
        return {
          items,
          ...(rows.length > query.limit && last ? { nextCursor: encodeCursor({ t: Date.parse(last.createdAt), i: last.id }) } : {}),
        };
      },
    })
    .route({
      method: 'delete',
      path: '/v1/reports/share-links/:id',
      summary: 'Extension: revoke a share link (it stops working at once; it stays listed as revoked)',
      tags: ['Reports'],
      access: MARKETERS,
      params: ShareLinkParams,
      responses: { 204: { description: 'Revoked' } },
      handler: async ({ params }) => {
        await reports.links.revoke(params.id);
      },
    })
    .route({
      method: 'get',
      path: '/v1/reports/shared',
      summary: "Extension: the report a share link opens (read-only; the link's token is the bearer credential)",
      description: 'An expired or revoked link: 401 `share-link-expired` / `share-link-revoked`. Any other route: 403.',
      tags: ['Reports'],
      access: 'share',
      responses: { 200: { description: 'The report', schema: ReportDocumentSchema } },
      handler: async ({ principal }) => {
        const spec = sharedSpec(principal);
        return { ...(await reports.service.document(spec)), expiresAt: spec.expiresAt };
      },
    })
    .route({
      method: 'get',
      path: '/v1/reports/shared/export',
      summary: 'Extension: the shared report as PDF, PNG chart or CSV',
      tags: ['Reports'],
      access: 'share',
      query: SharedExportQuery,
      deadline: 'bulk',
      responses: FILE_RESPONSES,
      handler: async ({ principal, query, req, res }) => {
        const spec = sharedSpec(principal);
        return sendFile(res, reports.service.file(spec, query.format as ReportFormat, query.chart as ReportChart, localOrigin(req)));
      },
    });
}
