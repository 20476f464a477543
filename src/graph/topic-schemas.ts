import { z } from 'zod';
import { pageQuery } from '../api/http.js';

export const TopicSearchQuery = pageQuery.extend({
  q: z.string().max(200).optional().describe('Part of the topic name (case- and width-insensitive); all topics when absent'),
});

export const TopicSummarySchema = z.object({ id: z.string(), name: z.string(), category: z.string().nullable() }).openapi('TopicSummary');

export const TopicListSchema = z.object({ items: z.array(TopicSummarySchema), nextCursor: z.string().optional() }).openapi('TopicList');

export const TopicDetailSchema = TopicSummarySchema.extend({
  segmentId: z.string().nullable().describe('Coarse segment of the visible run (null when not segmented)'),
  userCount: z.number().int().describe('Consenting users interested in the topic'),
  related: z
    .array(z.object({ id: z.string(), name: z.string(), weight: z.number() }))
    .describe('Strongest co-interest neighbours in the visible run'),
}).openapi('TopicDetail');

export const TopicIdParams = z.object({ id: z.string().min(1).max(200) });
