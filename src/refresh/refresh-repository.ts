import type { Db } from '../db/neo4j.js';
import type { RunRequest } from '../segmentation/run-queue.js';

export type PolicyTrigger = 'schedule' | 'drift';

/** The refresh policy as stored (one RefreshPolicy node per database). */
export interface StoredPolicy {
  schedule: string | null;
  timezone: string | null;
  driftThreshold: number | null;
  /** What each triggered run asks for (parameters, publish, half-lives). */
  run: RunRequest;
  updatedAt: string | null;
  version: number;
  lastRunId: string | null;
  lastTrigger: PolicyTrigger | null;
  lastTriggeredAt: string | null;
  lastSkipped: string | null;
}

interface RawPolicy extends Omit<StoredPolicy, 'run'> {
  run: string | null;
}

export const EMPTY_POLICY: StoredPolicy = {
  schedule: null,
  timezone: null,
  driftThreshold: null,
  run: {},
  updatedAt: null,
  version: 0,
  lastRunId: null,
  lastTrigger: null,
  lastTriggeredAt: null,
  lastSkipped: null,
};

function toPolicy(raw: RawPolicy | undefined): StoredPolicy {
  if (!raw) return EMPTY_POLICY;
  return {
    schedule: raw.schedule ?? null,
    timezone: raw.timezone ?? null,
    driftThreshold: raw.driftThreshold ?? null,
    run: raw.run ? (JSON.parse(raw.run) as RunRequest) : {},
    updatedAt: raw.updatedAt ?? null,
    version: raw.version ?? 0,
    lastRunId: raw.lastRunId ?? null,
    lastTrigger: raw.lastTrigger ?? null,
    lastTriggeredAt: raw.lastTriggeredAt ?? null,
    lastSkipped: raw.lastSkipped ?? null,
  };
}

export class RefreshRepository {
  constructor(private readonly db: Db) {}

  async getPolicy(): Promise<StoredPolicy> {
    const [row] = await this.db.read<{ policy: RawPolicy }>('refresh/get-policy');
    return toPolicy(row?.policy);
  }

  async setPolicy(p: {
    schedule: string | null;
    timezone: string | null;
    driftThreshold: number | null;
    run: RunRequest;
  }): Promise<StoredPolicy> {
    const [row] = await this.db.write<{ policy: RawPolicy }>('refresh/set-policy', { ...p, run: JSON.stringify(p.run) });
    return toPolicy(row?.policy);
  }

  async markInterestsChanged(userIds: readonly string[]): Promise<void> {
    await this.db.write('refresh/mark-interests-changed', { userIds });
  }

  /** People, and those whose interests changed since `since` (ISO). */
  async drift(since: string): Promise<{ people: number; changed: number }> {
    const [row] = await this.db.read<{ people: number; changed: number }>('refresh/count-drift', { since });
    return row ?? { people: 0, changed: 0 };
  }

  /** True for the one process that claims schedule tick `tickMs`. */
  async claimTick(tickMs: number): Promise<boolean> {
    return (await this.db.write('refresh/claim-tick', { tickMs })).length > 0;
  }

  async recordTrigger(trigger: PolicyTrigger, runId: string | null, skipped: string | null): Promise<void> {
    await this.db.write('refresh/record-trigger', { trigger, runId, skipped });
  }
}
