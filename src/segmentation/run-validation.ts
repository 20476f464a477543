/**
 * What a run must show before it may replace the visible one. A run that finds nothing (parameters no topic can meet)
 * or that leaves most people without any segment would otherwise go live and empty every segment of one at once; it
 * fails instead, with the reason, and the visible run stays. Candidates (publish: false) are validated too: they are
 * made to be published. Pure: the worker's RunRunner calls it between detection and writing, so a rejected run writes
 * nothing.
 */

/**
 * Run kinds (SegmentRun.kind, 'segmentation' when absent) validated before they complete. A run of another kind (an
 * audience's own segmentation) never becomes visible, so it is compared with nothing: leave its kind out of this set.
 */
export const VALIDATED_KINDS: ReadonlySet<string> = new Set(['segmentation']);

/**
 * A run must give a segment of one to at least this share of what the visible run covered: the share of people with
 * interests who hold a topic in some coarse segment ("coverage"), compared as rates so that a grown or shrunk
 * population does not count. Half: a run that cuts coverage by more than that is not the data changing overnight.
 */
export const MIN_COVERAGE_RATIO = 0.5;

export interface RunOutcome {
  /** Coarse segments other than "Other interests". */
  segments: number;
  /** Consenting people with at least one interest (the projection's population). */
  users: number;
  /** Of them, those with interest in a coarse segment. */
  segmentedUsers: number;
}

export interface VisibleOutcome {
  id: string;
  users?: number | undefined;
  segmentedUsers?: number | undefined;
}

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;

/** Why the run must not go live, or null when it may (always null for a kind outside VALIDATED_KINDS). */
export function rejection(run: RunOutcome, visible: VisibleOutcome | null, kind = 'segmentation'): string | null {
  if (!VALIDATED_KINDS.has(kind)) return null;
  const stays = visible ? `; run ${visible.id} stays visible` : '';
  if (run.segments === 0) {
    return (
      `rejected: the run found no segments besides "Other interests" among ${run.users} people with interests: no group of ` +
      `topics is held by enough people under these parameters (see minSupport, coreSupport, minSegmentSize)${stays}`
    );
  }
  if (visible?.users && visible.segmentedUsers !== undefined && visible.users > 0) {
    const before = visible.segmentedUsers / visible.users;
    const now = run.users > 0 ? run.segmentedUsers / run.users : 0;
    if (now < MIN_COVERAGE_RATIO * before) {
      return (
        `rejected: the run leaves most people without a segment: ${pct(now)} of people with interests hold a topic in one of its ` +
        `segments (${run.segmentedUsers} of ${run.users}), against ${pct(before)} in the visible run; a run must keep at least ` +
        `${MIN_COVERAGE_RATIO * 100}% of that${stays}`
      );
    }
  }
  return null;
}
