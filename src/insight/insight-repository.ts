import type { Db } from '../db/neo4j.js';
import { visibleLabel, type TopTopic } from '../segmentation/labels.js';

export interface SegmentSummary {
  id: string;
  label: string;
  userCount: number;
  topicCount: number;
  other: boolean;
}

export interface RunStabilityRecord {
  previousRunId: string | null;
  segments: Array<{ id: string; overlap: number; previousId: string | null }>;
  split: Array<{ id: string; into: string[] }>;
  merged: Array<{ id: string; from: string[] }>;
  appeared: string[];
  vanished: string[];
}

export class InsightRepository {
  constructor(private readonly db: Db) {}

  /** The coarse stability the run recorded (metrics.stability), or null (first run, or a run without it). */
  async stability(runId: string): Promise<RunStabilityRecord | null> {
    const [row] = await this.db.read<{ metrics: string | null }>('insight/read-run-metrics', { runId });
    const metrics = row?.metrics ? (JSON.parse(row.metrics) as { stability?: RunStabilityRecord }) : undefined;
    const s = metrics?.stability;
    return s && Array.isArray(s.segments) ? s : null;
  }

  /** A run's coarse segments; a label naming a `hidden` topic (sensitive) is made again without it. */
  async segments(runId: string, hidden: (topicId: string) => boolean): Promise<SegmentSummary[]> {
    const rows = await this.db.read<SegmentSummary & { topTopics: string | null } & Record<string, unknown>>('insight/read-run-segments', {
      runId,
    });
    return rows.map(({ topTopics, ...s }) => ({
      ...s,
      label: visibleLabel(s.label, topTopics ? (JSON.parse(topTopics) as TopTopic[]) : [], hidden),
    }));
  }
}
