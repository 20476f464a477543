import type { Db } from '../db/neo4j.js';
import type { PersonRecord } from './interest-store.js';
import { RunModel, type MembershipRow, type RelatedRow, type SegmentRow } from './run-model.js';

export interface ResolvedPerson extends PersonRecord {
  ref: string;
}

/** People per read when refreshing changed ones. */
export const PEOPLE_BATCH = 1000;

export class AffinityRepository {
  constructor(private readonly db: Db) {}

  /**
   * The same rows as resolvePeople, handed over as they arrive (background reloads of changed people: the rows of a
   * batch are converted and applied piece by piece between other work, not in one block).
   */
  eachResolvedPerson(refs: readonly string[], onRow: (row: ResolvedPerson) => void): Promise<number> {
    return this.db.stream(
      'affinity/resolve-people',
      { refs },
      (r) => {
        if (r.userId !== null) onRow(r as unknown as ResolvedPerson);
      },
      { deadline: 'batch' },
    );
  }

  /** Everyone, one row each, in the order the database finds them; the number of rows. */
  streamPeople(onRow: (row: PersonRecord) => void): Promise<number> {
    return this.db.stream('affinity/stream-people', {}, (r) => onRow(r as unknown as PersonRecord));
  }

  /** People by the address callers use (identity key or user id) as they are now; unknown or erased ones are absent. */
  async resolvePeople(refs: readonly string[]): Promise<ResolvedPerson[]> {
    const rows = await this.db.read<(ResolvedPerson & Record<string, unknown>) | { ref: string; userId: null }>('affinity/resolve-people', {
      refs,
    });
    return rows.filter((r): r is ResolvedPerson & Record<string, unknown> => r.userId !== null);
  }

  /**
   * A run's model, memberships and RELATED edges streamed into it row by row. Background work (a run becoming visible):
   * a topic per row, so it gets the stream deadline, not a request's.
   */
  async runModel(runId: string, halfLifeMs: Float64Array | null = null): Promise<RunModel> {
    const segments = await this.db.read<SegmentRow & Record<string, unknown>>(
      'affinity/read-run-segments',
      { runId },
      { deadline: 'batch' },
    );
    const model = new RunModel(runId, segments, halfLifeMs);
    await this.db.stream('affinity/read-run-memberships', { runId }, (r) => model.addMembership(r as unknown as MembershipRow));
    await this.db.stream('affinity/read-run-related', { runId }, (r) => model.addRelated(r as unknown as RelatedRow));
    return model;
  }

  async findSegment(runId: string, segmentId: string): Promise<{ segmentId: string; level: string; label: string | null } | undefined> {
    const [row] = await this.db.read<{ segmentId: string; level: string; label: string | null }>('affinity/find-segment', {
      runId,
      segmentId,
    });
    return row;
  }

  async purchasers(p: { topicKey: string | null; sku: string | null; days: number | null }): Promise<string[]> {
    return (await this.db.read<{ userId: string }>('affinity/match-purchase-rule', p)).map((r) => r.userId);
  }

  async interested(topicKey: string, minWeight: number): Promise<string[]> {
    return (await this.db.read<{ userId: string }>('affinity/match-interest-rule', { topicKey, minWeight })).map((r) => r.userId);
  }

  /** One batch of the cleanup of what older versions stored per person; how many edges and people it touched. */
  async dropStoredAffinities(limit: number): Promise<number> {
    const [row] = await this.db.write<{ done: number }>('affinity/drop-stored-affinities', { limit }, { deadline: 'batch' });
    return row?.done ?? 0;
  }
}
