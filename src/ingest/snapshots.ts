/** One interest of a person from one source: topic key, weight, when it was last seen. */
export interface InterestRow {
  key: string;
  w: number;
  at: string | null;
}

/**
 * One person can hold several identities of one source (two CRM records with the same email are stitched into one
 * user). Each identity's record is a snapshot of what that identity says, but the edges carry one weight per source:
 * the source's weight on an edge is the sum over the person's identities of that source. To rebuild it when one of
 * them is re-imported, every identity of a person with more than one keeps its own snapshot (`Identity.snapshot`).
 */

/** How a snapshot is stored on an Identity: compact JSON `[[topicKey, weight, at|null], ...]`. */
export function encodeSnapshot(interests: readonly InterestRow[]): string {
  return JSON.stringify(interests.map((i) => [i.key, i.w, i.at]));
}

export function decodeSnapshot(json: string): InterestRow[] {
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((e) =>
    Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number'
      ? [{ key: e[0], w: e[1], at: typeof e[2] === 'string' ? e[2] : null }]
      : [],
  );
}

/** Sums weights per topic; an interest's time is the latest any snapshot gives (the edge keeps its earliest). */
export function combineSnapshots(snapshots: ReadonlyArray<readonly InterestRow[]>): InterestRow[] {
  const byKey = new Map<string, InterestRow>();
  for (const snapshot of snapshots) {
    for (const i of snapshot) {
      const prev = byKey.get(i.key);
      if (!prev) byKey.set(i.key, { ...i });
      else {
        prev.w += i.w;
        if (i.at && (!prev.at || i.at > prev.at)) prev.at = i.at;
      }
    }
  }
  return [...byKey.values()];
}

export type SourceIdentity = {
  key: string;
  snapshot: string | null;
};

export interface PersonPlan {
  /** The source's interests of the whole person: what the edges' source weight must become. */
  interests: InterestRow[];
  /** Snapshots to store on identities (only for people with more than one identity of the source). */
  snapshots: Array<{ key: string; snapshot: string }>;
}

/**
 * What to write for one person: `incoming` are this batch's records of theirs (by identity key), `known` every
 * identity of theirs of this source in the database (after this batch's identities were merged). An identity that
 * has no snapshot yet was the person's only one until now, so its contribution is what the edges hold today
 * (`current`, read only when needed).
 */
export function planPerson(
  incoming: ReadonlyMap<string, InterestRow[]>,
  known: readonly SourceIdentity[],
  current: () => InterestRow[],
): PersonPlan {
  const others = known.filter((k) => !incoming.has(k.key));
  if (others.length === 0 && incoming.size === 1) return { interests: [...incoming.values()][0]!, snapshots: [] };
  const snapshots: PersonPlan['snapshots'] = [];
  const parts: InterestRow[][] = [];
  for (const [key, interests] of incoming) {
    parts.push(interests);
    snapshots.push({ key, snapshot: encodeSnapshot(interests) });
  }
  let derived = false;
  for (const other of others) {
    if (other.snapshot !== null) parts.push(decodeSnapshot(other.snapshot));
    else if (!derived) {
      // Only the first identity without a snapshot can own today's weights; any further one contributed nothing.
      derived = true;
      const now = current();
      parts.push(now);
      snapshots.push({ key: other.key, snapshot: encodeSnapshot(now) });
    } else snapshots.push({ key: other.key, snapshot: encodeSnapshot([]) });
  }
  return { interests: combineSnapshots(parts), snapshots };
}
