import type { Db } from '../db/neo4j.js';
import { visibleLabel, type TopTopic } from '../segmentation/labels.js';
import type { AuditLog } from './audit-log.js';
import type { Suppressions } from './suppression.js';

/** What every process's served model must forget when a person is erased (src/affinity/run-model.ts). */
export interface ErasedDerived {
  /** Topics only the person held: deleted with their category, segment memberships and co-interest links. */
  topicIds: string[];
  /** Co-interest links (RELATED, as stored) between topics of the person that no one else holds both of. */
  related: Array<{ a: string; b: string }>;
  /** Segments that were named after such topics, with the name they have now. */
  labels: Array<{ runId: string; segmentId: string; label: string }>;
}

/** What an erasure removed besides the person: counts for the audit log, ids for every process's served model. */
export interface ErasureSummary extends ErasedDerived {
  events: number;
  /** Segments whose userCount no longer counts the person. */
  segmentsUncounted: number;
  suppressed: number;
  /** Entries of the person's consent history kept, without their user id, as entries of the audit log. */
  consentChanges: number;
}

type SegmentNaming = {
  uid: string;
  runId: string;
  segmentId: string;
  label: string | null;
  other: boolean;
  topTopics: string | null;
};

/**
 * Segments whose top topics named topics that are gone: their top topics without them, and their label made again from
 * the top topics that remain when it names a gone one (src/segmentation/labels.ts visibleLabel; "Other interests" keeps
 * its name).
 */
export function renameSegments(segments: readonly SegmentNaming[], gone: ReadonlySet<string>) {
  return segments.flatMap(({ uid, runId, segmentId, label, other, topTopics }) => {
    const top = topTopics ? (JSON.parse(topTopics) as TopTopic[]) : [];
    const kept = top.filter((t) => !gone.has(t.id));
    if (kept.length === top.length) return [];
    const name = label ?? segmentId;
    return [
      { uid, runId, segmentId, label: other ? name : visibleLabel(name, top, (id) => gone.has(id)), topTopics: JSON.stringify(kept) },
    ];
  });
}

/**
 * Erases a person and what was derived from them, in one transaction: their identities, interests, purchases and
 * sessions; the topics only they held (name, category, IN_SEGMENT, RELATED; the segments' topic counts and top topics
 * follow); the co-interest links they alone made; the ids of their events; their count in segments. Their identity
 * keys, email hash and user id join the suppression list, their consent history stays without their user id, and the
 * audit log records the erasure (counts only).
 */
export class Erasure {
  constructor(
    private readonly db: Db,
    private readonly suppressions: Suppressions,
    private readonly audit: AuditLog,
  ) {}

  /** undefined: no such person. */
  async erase(userId: string, actor: string): Promise<ErasureSummary | undefined> {
    return this.db.writeTx(
      async (tx) => {
        const [subject] = await tx.run<{ userId: string; emailHash: string | null; identities: string[] }>('privacy/read-erasure-subject', {
          userId,
        });
        if (!subject) return undefined;
        const exclusive = (await tx.run<{ topicId: string }>('privacy/find-exclusive-topics', { userId })).map((r) => r.topicId);
        const related = await tx.run<{ a: string; b: string }>('privacy/delete-sole-related', { userId, exclusive });
        const [uncounted] = await tx.run<{ segments: number }>('privacy/uncount-person', { userId });
        const [events] = await tx.run<{ events: number }>('privacy/delete-person-events', { userId });
        const [consent] = await tx.run<{ changes: number }>('privacy/anonymize-consent-changes', { userId });
        await tx.run('graph/erase-user', { userId });
        const segments = exclusive.length ? await tx.run<SegmentNaming>('privacy/delete-topics', { topicIds: exclusive }) : [];
        const renamed = renameSegments(segments, new Set(exclusive));
        if (renamed.length) await tx.run('privacy/rename-segments', { rows: renamed });
        const hashes = this.suppressions.hashesOf(subject);
        await tx.run('privacy/create-suppressions', { hashes });
        const summary: ErasureSummary = {
          topicIds: exclusive,
          related,
          labels: renamed.map(({ runId, segmentId, label }) => ({ runId, segmentId, label })),
          events: events?.events ?? 0,
          segmentsUncounted: uncounted?.segments ?? 0,
          suppressed: hashes.length,
          consentChanges: consent?.changes ?? 0,
        };
        await this.audit.record(
          'erasure',
          actor,
          {
            topics: exclusive.length,
            related: related.length,
            events: summary.events,
            segmentsUncounted: summary.segmentsUncounted,
            suppressed: hashes.length,
            consentChanges: summary.consentChanges,
          },
          tx,
        );
        return summary;
      },
      { deadline: 'batch' },
      'an erasure',
    );
  }
}
