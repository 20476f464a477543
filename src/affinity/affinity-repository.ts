import type { Db } from '../db/neo4j.js';
import type { Interest, RelatedTopic } from './scoring.js';

export interface UserInterestsRow {
  userId: string;
  consent: boolean;
  interests: Interest[];
  removed: string[];
}

/** An incremental update's row also says which run the user's prepared (not yet visible) document belongs to. */
export interface ChangedUserRow extends UserInterestsRow {
  nextRunId: string | null;
  nextStatus: string | null;
}

export interface DocWrite {
  /** The JSON document served by GET /v1/users/:user/affinities (without `user`). */
  doc: string;
  segments: Array<{ segmentId: string; affinity: number; lift: number; topics: string[] }>;
}

export interface AffinityWriteRow extends DocWrite {
  userId: string;
}

/** Visible run's document (`doc`, `segments`; ignored without a visible run) and, when given, the prepared run's. */
export interface UserWriteRow extends AffinityWriteRow {
  next: DocWrite | null;
}

/** A stored document as readers see it: the prepared one once its run succeeded, else the current one. */
export interface StoredDocRow {
  userId: string;
  doc: string | null;
  runId: string | null;
  consent: boolean;
}

export interface AudienceRow {
  userId: string;
  affinity: number;
  lift: number;
  address: string | null;
}

/** Users (or edges) per transaction of the batched cleanups. */
export const CLEANUP_BATCH = 5000;

export class AffinityRepository {
  constructor(private readonly db: Db) {}

  /** The newest succeeded run: the one readers see. */
  async visibleRun(): Promise<string | null> {
    const [row] = await this.db.read<{ runId: string }>('affinity/find-visible-run');
    return row?.runId ?? null;
  }

  async runModel(runId: string) {
    const [segments, memberships, related] = await Promise.all([
      this.db.read<{ segmentId: string; label: string | null; share: number | null }>('affinity/read-run-segments', { runId }),
      this.db.read<{ topicId: string; segmentId: string }>('affinity/read-run-memberships', { runId }),
      this.db.read<RelatedTopic & { topicId: string } & Record<string, unknown>>('affinity/read-run-related', { runId }),
    ]);
    return { segments, memberships, related };
  }

  userInterests(userIds: string[]): Promise<ChangedUserRow[]> {
    return this.db.read<ChangedUserRow & Record<string, unknown>>('affinity/read-user-interests', { userIds });
  }

  /** Every user (consenting or not), for a full recompute. */
  streamUserInterests(onRow: (row: UserInterestsRow) => void): Promise<number> {
    return this.db.stream('affinity/stream-user-interests', {}, (r) => onRow(r as unknown as UserInterestsRow));
  }

  /** A full recompute's documents and edges for `runId`, beside the visible ones. */
  async writeNext(
    runId: string,
    emptyDoc: string,
    rows: AffinityWriteRow[],
    onBatch?: (done: number, total: number) => void,
  ): Promise<void> {
    await this.db.writeBatches('affinity/write-next-affinities', rows, {
      batchSize: 2000,
      params: { runId, emptyDoc },
      ...(onBatch ? { onBatch } : {}),
    });
  }

  /** An incremental update: see cypher/affinity/write-user-affinities.cypher for what each run id means. */
  async writeUsers(
    p: { runId: string | null; nextRunId: string | null; keepRunId: string | null; emptyDoc: string; emptyNextDoc: string },
    rows: UserWriteRow[],
  ): Promise<void> {
    await this.db.writeBatches('affinity/write-user-affinities', rows, { batchSize: 2000, params: p });
  }

  async writeShares(runId: string, shares: Map<string, number>): Promise<void> {
    const rows = [...shares.entries()].map(([segmentId, share]) => ({ segmentId, share }));
    await this.db.writeBatches('affinity/write-segment-shares', rows, { params: { runId } });
  }

  /** One bounded transaction of a batched cleanup statement; the number of users or edges it handled. */
  async batch(
    name: 'promote-next-affinities' | 'drop-run-next-affinities' | 'drop-stale-next-affinities' | 'drop-run-affinity-edges',
    runId: string,
  ): Promise<number> {
    const [row] = await this.db.write<{ done: number }>(`affinity/${name}`, { runId, limit: CLEANUP_BATCH });
    return row?.done ?? 0;
  }

  async usersOffRun(runId: string): Promise<string[]> {
    const ids: string[] = [];
    await this.db.stream('affinity/stream-users-off-run', { runId }, (r) => ids.push((r as { userId: string }).userId));
    return ids;
  }

  streamDocs(onRow: (row: StoredDocRow & { keys: string[] }) => void): Promise<number> {
    return this.db.stream('affinity/stream-affinity-docs', {}, (r) => onRow(r as unknown as StoredDocRow & { keys: string[] }));
  }

  streamNextDocs(runId: string, onRow: (row: StoredDocRow & { keys: string[] }) => void): Promise<number> {
    return this.db.stream('affinity/stream-next-affinity-docs', { runId }, (r) => onRow(r as unknown as StoredDocRow & { keys: string[] }));
  }

  readDocs(refs: string[]): Promise<Array<{ ref: string; userId: string | null; doc: string | null; runId: string | null; consent: boolean }>> {
    return this.db.read('affinity/read-affinity-docs', { refs });
  }

  async findSegment(runId: string, segmentId: string): Promise<{ segmentId: string; level: string; label: string | null } | undefined> {
    const [row] = await this.db.read<{ segmentId: string; level: string; label: string | null }>('affinity/find-segment', { runId, segmentId });
    return row;
  }

  async countAudience(p: { runId: string; segmentId: string; minAffinity: number; minLift: number }): Promise<number> {
    const [row] = await this.db.read<{ total: number }>('affinity/count-audience', p);
    return row?.total ?? 0;
  }

  audiencePage(p: {
    runId: string;
    segmentId: string;
    minAffinity: number;
    minLift: number;
    after: { affinity: number; userId: string } | undefined;
    limit: number;
  }): Promise<AudienceRow[]> {
    return this.db.read<AudienceRow & Record<string, unknown>>('affinity/read-audience-page', {
      runId: p.runId,
      segmentId: p.segmentId,
      minAffinity: p.minAffinity,
      minLift: p.minLift,
      afterAffinity: p.after?.affinity ?? null,
      afterUser: p.after?.userId ?? '',
      limit: p.limit,
    });
  }

  segmentMembers(runId: string, segmentId: string, minAffinity: number, minLift: number): Promise<Array<{ userId: string; affinity: number; lift: number }>> {
    return this.db.read('affinity/match-segment-rule', { runId, segmentId, minAffinity, minLift });
  }

  async purchasers(p: { topicKey: string | null; sku: string | null; days: number | null }): Promise<string[]> {
    return (await this.db.read<{ userId: string }>('affinity/match-purchase-rule', p)).map((r) => r.userId);
  }

  async interested(topicKey: string, minWeight: number): Promise<string[]> {
    return (await this.db.read<{ userId: string }>('affinity/match-interest-rule', { topicKey, minWeight })).map((r) => r.userId);
  }

  /** Addresses of the users that still exist and consent; the others are absent from the map. */
  async addresses(userIds: string[]): Promise<Map<string, string>> {
    const rows = await this.db.read<{ userId: string; address: string | null }>('affinity/read-user-addresses', { userIds });
    return new Map(rows.map((r) => [r.userId, r.address ?? r.userId]));
  }
}
