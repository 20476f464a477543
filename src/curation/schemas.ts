import { z } from 'zod';
import { pageQuery } from '../api/http.js';
import { cleanString } from '../api/text.js';
import { MAX_GRANULARITY, MIN_GRANULARITY } from '../segmentation/hierarchy.js';

const SegmentId = cleanString().trim().min(1).max(200);
const TopicIdField = cleanString().trim().min(1).max(500);
const Label = cleanString().trim().min(1).max(120);

export const GranularityTarget = z
  .union([z.number().int().min(MIN_GRANULARITY).max(MAX_GRANULARITY), z.enum(['recommended', 'natural'])])
  .describe(
    `Segments to show (${MIN_GRANULARITY}–${MAX_GRANULARITY}, "Other interests" aside), "recommended" (the largest cut whose every segment is significant) or "natural" (the run's own segments)`,
  );

export const DecisionBody = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('rename'), segmentId: SegmentId, label: Label }).strict(),
    z
      .object({
        kind: z.literal('merge'),
        segmentIds: z.array(SegmentId).min(2).max(50).describe('The first is the segment the others are merged into (its id is kept)'),
        label: Label.optional().describe('Name of the merged segment (default: named after its most central topics)'),
      })
      .strict(),
    z.object({ kind: z.literal('pin'), topicId: TopicIdField, segmentId: SegmentId }).strict(),
    z.object({ kind: z.literal('exclude'), topicId: TopicIdField }).strict(),
    z.object({ kind: z.literal('granularity'), target: GranularityTarget }).strict(),
  ])
  .openapi('CurationDecisionInput');

export const GranularityBody = z.object({ target: GranularityTarget }).strict().openapi('GranularityInput');

const ActorSchema = z.object({ keyId: z.string(), name: z.string(), role: z.string() }).openapi('CurationActor');

export const DecisionSchema = z
  .object({
    id: z.string(),
    seq: z.number().int().describe('Order of decisions (a newer name wins)'),
    kind: z.enum(['rename', 'merge', 'pin', 'exclude', 'granularity']),
    status: z.enum(['active', 'reverted', 'replaced']).describe('replaced: a newer granularity took its place'),
    segmentIds: z.array(z.string()).describe('As given, in the run it was made on'),
    label: z.string().nullable(),
    topicId: z.string().nullable(),
    granularity: z.union([z.number(), z.string()]).nullable(),
    runId: z.string().nullable().describe('The visible run when it was made'),
    targets: z.array(z.string()).describe("Its segments in run `targetsRunId`, carried there through the runs' lineage"),
    targetsRunId: z.string().nullable(),
    at: z.string(),
    by: ActorSchema,
    revertedAt: z.string().nullable(),
    revertedBy: ActorSchema.nullable(),
  })
  .openapi('CurationDecision');

export const DecisionListQuery = pageQuery.extend({
  status: z.enum(['active', 'reverted', 'replaced']).optional().describe('Only decisions in this state'),
});

export const DecisionCursor = z.object({ s: z.number().int() });

export const DecisionListSchema = z
  .object({ items: z.array(DecisionSchema), nextCursor: z.string().optional() })
  .openapi('CurationDecisionList');

export const GranularitySchema = z
  .object({
    runId: z.string().nullable(),
    setting: z.union([z.number(), z.enum(['recommended', 'natural'])]),
    decisionId: z.string().nullable(),
    natural: z.number().int().nullable().describe('Natural segments of the visible run ("Other interests" aside)'),
    recommended: z.number().int().nullable(),
    shown: z.number().int().nullable().describe('Segments shown now (after merges and the granularity)'),
    cuttable: z.boolean().describe('Whether the visible run has a hierarchy to cut (in-process engine)'),
    min: z.number().int(),
    max: z.number().int(),
  })
  .openapi('Granularity');

export const DecisionParams = z.object({ id: z.string().min(1).max(200) });

export const SegmentCurationSchema = z
  .object({
    autoLabel: z.string().describe('The name the run gave it'),
    labelSource: z
      .enum(['auto', 'rename', 'inherited', 'merge', 'group'])
      .describe(
        "Where `label` comes from: the run, a rename, a rename inherited through a split, a merge's name, a group's automatic name",
      ),
    labelDecisionId: z.string().nullable(),
    labelNote: z.string().nullable().describe('Why the name looks as it does (a renamed segment that split)'),
    members: z.array(z.string()).nullable().describe("A group: the run's segments shown as this one, itself first"),
    mergeDecisionIds: z.array(z.string()),
    grouping: z.enum(['curation', 'granularity']).nullable(),
  })
  .openapi('SegmentCuration');
