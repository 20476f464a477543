import { z } from 'zod';
import { pageQuery } from '../api/http.js';
import { cleanString } from '../api/text.js';

export const SensitiveTopicParams = z.object({
  topic: cleanString().trim().min(1).max(200).describe('Topic id (`t_…`) or name'),
});

export const SensitiveCategoryParams = z.object({
  category: cleanString()
    .trim()
    .min(1)
    .max(200)
    .describe('Category name (matched like topic names: case, width and spacing do not matter)'),
});

export const SensitiveListQuery = pageQuery;

export const SensitiveMarkSchema = z
  .object({
    kind: z.enum(['category', 'topic']),
    id: z.string().nullable().describe('The topic id (topics only)'),
    name: z.string(),
    key: z.string().describe('Normalized name'),
    category: z.string().nullable().describe("The topic's category (topics only)"),
    markedAt: z.string().nullable(),
  })
  .openapi('SensitiveMark');

export const SensitiveCategoryMarkSchema = SensitiveMarkSchema.extend({
  topics: z.number().int().describe('Topics filed under the category now (later ones are marked as they arrive)'),
}).openapi('SensitiveCategoryMark');

export const SensitiveListSchema = z
  .object({ items: z.array(SensitiveMarkSchema), nextCursor: z.string().optional() })
  .openapi('SensitiveMarkList');
