import { z } from 'zod';
import { pageQuery } from '../api/http.js';
import { cleanString } from '../api/text.js';
import { ConsentStateSchema } from '../privacy/consent-schemas.js';

export const LoginQuery = z.object({
  // Only a path on this site: an absolute URL here would make the login an open redirect.
  returnTo: z
    .string()
    .max(500)
    .regex(/^\/(?![/\\])[^\s]*$/, 'must be a path on this site, like /segments')
    .optional(),
});

export const CallbackQuery = z.object({
  code: z.string().max(2000).optional(),
  state: z.string().max(500).optional(),
  error: z.string().max(500).optional(),
  error_code: z.string().max(50).optional(),
  error_description: z.string().max(2000).optional(),
});

export const MeSchema = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    identities: z.array(z.string()).describe('Identity keys, e.g. facebook:1234'),
    consent: ConsentStateSchema.describe(
      'Consent per purpose, as the person or the CRM stated it (personalization and marketing are in force only with segmentation)',
    ),
    createdAt: z.string(),
  })
  .openapi('Me');

export const MyInterestSchema = z
  .object({
    topicId: z.string(),
    name: z.string(),
    category: z.string().nullable(),
    weight: z.number(),
    sources: z.array(z.string()),
    firstSeen: z.string().nullable(),
    lastSeen: z.string().nullable(),
    sensitive: z
      .boolean()
      .describe('Marked sensitive by an admin: kept out of segmentation, affinities, suggestions and audiences (extension)'),
  })
  .openapi('MyInterest');

export const MyInterestsSchema = z.object({ items: z.array(MyInterestSchema), nextCursor: z.string().optional() }).openapi('MyInterests');

export const MyInterestsQuery = pageQuery;

export const TopicParams = z.object({ topicId: cleanString().trim().min(1).max(100) });
