import { z } from 'zod';
import { pageQuery } from '../api/http.js';

const purpose = (what: string) => z.boolean().describe(what);

export const ConsentStateSchema = z
  .object({
    segmentation: purpose('Interests are held and segmented (without it nothing of the person is used)'),
    personalization: purpose('Content systems may read the affinities (GET /v1/users/:user/affinities)'),
    marketing: purpose('Counted in audiences, exported and delivered'),
  })
  .openapi('ConsentState');

export const ConsentBody = z
  .object({
    segmentation: z.boolean().optional(),
    personalization: z.boolean().optional(),
    marketing: z.boolean().optional(),
  })
  .strict()
  .refine((b) => b.segmentation !== undefined || b.personalization !== undefined || b.marketing !== undefined, {
    message: 'name at least one purpose: segmentation, personalization, marketing',
  })
  .describe('Purposes to set; the others stay. `{segmentation}` alone (the v1 form) sets every purpose.')
  .openapi('Consent');

export const ConsentChangeSchema = z
  .object({
    purpose: z.enum(['segmentation', 'personalization', 'marketing']),
    granted: z.boolean(),
    by: z.enum(['person', 'import']).describe('Who changed it: the person on their own page, or a CRM import'),
    at: z.string(),
  })
  .openapi('ConsentChange');

export const ConsentHistorySchema = z
  .object({ items: z.array(ConsentChangeSchema), nextCursor: z.string().optional() })
  .openapi('ConsentHistory');

export const ConsentHistoryQuery = pageQuery;
