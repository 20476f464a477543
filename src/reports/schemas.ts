import { z } from 'zod';
import { pageQuery } from '../api/http.js';
import { AudienceDefinitionSchema, InsightSchema } from '../insight/schemas.js';

const title = z.string().trim().min(1).max(200).optional().describe("Shown on the report (default: the segment's label)");
const format = z
  .enum(['pdf', 'png', 'csv'])
  .describe('`pdf`: the report printed by headless Chromium; `png`: one chart of it; `csv`: its topic and category figures');
const chart = z.enum(['topics', 'categories']).default('topics').describe('For `png`: which chart (default topics)');

export const ReportExportBody = z
  .object({ audience: AudienceDefinitionSchema, title, format, chart })
  .strict()
  .openapi('ReportExportRequest');

export const SharedExportQuery = z.object({ format, chart });

export const ShareLinkBody = z
  .object({
    audience: AudienceDefinitionSchema,
    title,
    expiresInHours: z
      .number()
      .int()
      .min(1)
      .max(2160)
      .default(168)
      .describe('Hours until the link stops working (1 hour to 90 days; default 7 days)'),
  })
  .strict()
  .openapi('ShareLinkRequest');

const ShareLinkFields = {
  id: z.string(),
  title: z.string(),
  report: z.object({ audience: AudienceDefinitionSchema, title: z.string() }),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  createdBy: z.string().describe('The API key that created it'),
  status: z.enum(['active', 'expired', 'revoked']),
};

export const ShareLinkCreatedSchema = z
  .object({
    ...ShareLinkFields,
    token: z.string().describe('Shown once: the link carries it, the service keeps only its hash'),
    url: z.string().describe("The dashboard's read-only report view; the token sits in the fragment, which browsers never send to servers"),
  })
  .openapi('ShareLinkCreated');

export const ShareLinkListSchema = z
  .object({ items: z.array(z.object(ShareLinkFields)), nextCursor: z.string().optional() })
  .openapi('ShareLinkList');

export const ShareLinkListQuery = pageQuery;
export const ShareLinkCursor = z.object({ t: z.number().int(), i: z.string() });
export const ShareLinkParams = z.object({ id: z.string().min(1).max(100) });

export const ReportDocumentSchema = z
  .object({
    title: z.string(),
    audience: AudienceDefinitionSchema,
    generatedAt: z.string(),
    expiresAt: z.string().describe('When the link that opened it stops working'),
    insight: InsightSchema,
  })
  .openapi('ReportDocument');

export const ReportFileSchema = z.string().openapi('ReportFile', { format: 'binary', description: 'PDF, PNG or CSV' });
