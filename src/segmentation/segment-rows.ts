/** Segment rows as Cypher returns them, turned into SegmentRecord (what every segment reader gets). */
import type { z } from 'zod';
import type { SegmentCurationSchema } from '../curation/schemas.js';
import type { Level, SegmentQuality } from './pipeline.js';

export interface SegmentRecord {
  id: string;
  label: string;
  level: Level;
  topicCount: number;
  userCount: number;
  share: number;
  topTopics: Array<{ id: string; name: string }>;
  parentId: string | null;
  other: boolean;
  /** null for segments of runs made before quality was measured. */
  quality: SegmentQuality | null;
  /** What marketers' curation (src/curation/) made of it; null when nothing. */
  curation: SegmentCuration | null;
  /** Set on a segment shown as part of a group (curation, granularity): the group's head. Never listed. */
  mergedInto?: string;
}

/** What marketers' curation made of a segment, as the API shows it (described by SegmentCurationSchema). */
export type SegmentCuration = z.output<typeof SegmentCurationSchema>;

export type RawSegment = Omit<SegmentRecord, 'topTopics' | 'other' | 'parentId' | 'quality' | 'curation' | 'mergedInto'> & {
  autoLabel?: string | null;
  labelSource?: SegmentCuration['labelSource'] | null;
  labelDecision?: string | null;
  labelNote?: string | null;
  members?: string[] | null;
  mergeDecisions?: string[] | null;
  grouped?: 'curation' | 'granularity' | null;
  mergedInto?: string | null;
  topTopics: string | null;
  other: boolean | null;
  parentId: string | null;
  cohesion: number | null;
  conductance: number | null;
  evidence: number | null;
  significant: boolean | null;
  seedStability: number | null;
};

export function toSegment(s: RawSegment): SegmentRecord {
  return {
    id: s.id,
    label: s.label,
    level: s.level,
    topicCount: s.topicCount,
    userCount: s.userCount,
    share: s.share,
    topTopics: s.topTopics ? (JSON.parse(s.topTopics) as SegmentRecord['topTopics']) : [],
    parentId: s.parentId ?? null,
    other: s.other ?? false,
    quality:
      s.cohesion === null || s.cohesion === undefined
        ? null
        : {
            cohesion: s.cohesion,
            conductance: s.conductance ?? 0,
            evidence: s.evidence ?? 0,
            significant: s.significant ?? false,
            seedStability: s.seedStability ?? null,
          },
    curation: curationOf(s),
    ...(s.mergedInto ? { mergedInto: s.mergedInto } : {}),
  };
}

function curationOf(s: RawSegment): SegmentCuration | null {
  if (!s.autoLabel && !s.grouped) return null;
  return {
    autoLabel: s.autoLabel ?? s.label,
    labelSource: s.labelSource ?? 'auto',
    labelDecisionId: s.labelDecision ?? null,
    labelNote: s.labelNote ?? null,
    members: s.grouped ? (s.members ?? null) : null,
    mergeDecisionIds: s.grouped ? (s.mergeDecisions ?? []) : [],
    grouping: s.grouped ?? null,
  };
}
