import type { Db } from '../db/neo4j.js';
import type { Interest, RelatedTopic } from './scoring.js';

export type CurrentRunRow = {
  newestId: string | null;
  newestCreatedAt: string | null;
  hintedId: string | null;
  hintedStatus: string | null;
  hintedCreatedAt: string | null;
};

export interface UserInterestsRow {
  userId: string;
  consent?: boolean;
  interests: Interest[];
  removed: string[];
}

export interface AffinityWriteRow {
  userId: string;
  /** The JSON document served by GET /v1/users/:user/affinities (without `user`). */
  doc: string;
  segments: Array<{ segmentId: string; affinity: number; lift: number; topics: string[] }>;
}

export interface AudienceRow {
  userId: string;
  affinity: number;
  lift: number;
  address: string | null;
}

export class AffinityRepository {
  constructor(private readonly db: Db) {}

  async currentRun(hinted: string | undefined): Promise<CurrentRunRow> {
    const [row] = await this.db.read<CurrentRunRow>('affinity/find-current-run', { hinted: hinted ?? null });
    return row ?? { newestId: null, newestCreatedAt: null, hintedId: null, hintedStatus: null, hintedCreatedAt: null };
  }

  async runModel(runId: string) {
    const [segments, memberships, related] = await Promise.all([
      this.db.read<{ segmentId: string; label: string | null; share: number | null }>('affinity/read-run-segments', { runId }),
      this.db.read<{ topicId: string; segmentId: string }>('affinity/read-run-memberships', { runId }),
      this.db.read<RelatedTopic & { topicId: string } & Record<string, unknown>>('affinity/read-run-related', { runId }),
    ]);
    return { segments, memberships, related };
  }

  userInterests(userIds: string[]): Promise<UserInterestsRow[]> {
    return this.db.read<UserInterestsRow & Record<string, unknown>>('affinity/read-user-interests', { userIds });
  }

  streamConsentingInterests(onRow: (row: UserInterestsRow) => void): Promise<number> {
    return this.db.stream('affinity/stream-consenting-interests', {}, (r) => onRow(r as unknown as UserInterestsRow));
  }

  async writeAffinities(runId: string, rows: AffinityWriteRow[], onBatch?: (done: number, total: number) => void): Promise<void> {
    await this.db.writeBatches('affinity/write-user-affinities', rows, { batchSize: 2000, params: { runId }, ...(onBatch ? { onBatch } : {}) });
  }

  async writeShares(runId: string, shares: Map<string, number>): Promise<void> {
    const rows = [...shares.entries()].map(([segmentId, share]) => ({ segmentId, share }));
    await this.db.writeBatches('affinity/write-segment-shares', rows, { params: { runId } });
  }

  /** Clears, in bounded transactions, what older runs left on users this run did not recompute. */
  async clearStale(runId: string): Promise<number> {
    let total = 0;
    for (;;) {
      const [row] = await this.db.write<{ cleared: number }>('affinity/clear-stale-affinities', { runId, limit: 5000 });
      total += row?.cleared ?? 0;
      if (!row || row.cleared < 5000) return total;
    }
  }

  streamDocs(onRow: (row: { userId: string; doc: string; keys: string[] }) => void): Promise<number> {
    return this.db.stream('affinity/stream-affinity-docs', {}, (r) => onRow(r as { userId: string; doc: string; keys: string[] }));
  }

  readDocs(refs: string[]): Promise<Array<{ ref: string; userId: string | null; doc: string | null }>> {
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

  async addresses(userIds: string[]): Promise<Map<string, string>> {
    const rows = await this.db.read<{ userId: string; address: string | null }>('affinity/read-user-addresses', { userIds });
    return new Map(rows.map((r) => [r.userId, r.address ?? r.userId]));
  }
}
