/**
 * What curation makes of one run's coarse segments: the labels marketers gave (or inherited through a split), and the
 * groups shown as one segment (merges, and the granularity's cut of the run's hierarchy). The run's own segments are
 * never changed: a group is shown under its head's id with the members' sums, the other members are hidden behind it
 * (`mergedInto`), and a revert restores them. Pure: decisions come in with their targets already carried to this run
 * (lineage.ts).
 */
export type DecisionKind = 'rename' | 'merge' | 'pin' | 'exclude' | 'granularity';

/** An active decision, its segment ids carried to the run being curated. */
export interface PlacedDecision {
  id: string;
  seq: number;
  kind: DecisionKind;
  /** rename: the new name; merge: the group's name (optional). */
  label: string | null;
  /** The segments it applies to in this run (merge: the members, head first). */
  targets: readonly string[];
}

/** A coarse segment as the run computed it (before curation). */
export interface RunSegment {
  id: string;
  label: string;
  other: boolean;
  userCount: number;
  topTopics: ReadonlyArray<{ id: string; name: string }>;
}

export type LabelSource = 'rename' | 'inherited' | 'merge' | 'group';

export interface LabelPlan {
  label: string;
  source: LabelSource;
  /** The decision that named it (null: the automatic name of a group). */
  decisionId: string | null;
  /** Why the name looks as it does, in words (a split's suffix). */
  note: string | null;
}

export interface GroupPlan {
  /** The segment whose id the group is shown under. */
  head: string;
  /** Head first, then by size. */
  members: string[];
  /** Merge decisions behind it, oldest first (empty for a group of the granularity alone). */
  decisionIds: string[];
  /** Whether the granularity's cut made (part of) it. */
  granularity: boolean;
  /** The members' top topics, interleaved by size (at most 5). */
  topTopics: Array<{ id: string; name: string }>;
}

export interface OverlayPlan {
  groups: GroupPlan[];
  /** Label of every visible segment whose label is not the run's own. */
  labels: Map<string, LabelPlan>;
}

const TOP_TOPICS = 5;
const LABEL_TOPICS = 3;

/**
 * Groups: every active merge and every group of the granularity's cut, joined where they share a segment (merging A
 * with B, then B with C, shows A + B + C). "Other interests" never joins a group. A group is shown under the head of
 * its oldest merge decision (the segment the marketer merged the others into), else under its largest member.
 * Labels: the newest decision naming a visible segment wins (a rename, or a merge's name on its head); a decision
 * whose segment has split names every part with a suffix ("Runners (2)") until one is renamed; a group without a name
 * is named after its members' most central topics.
 */
export function planOverlay(
  segments: readonly RunSegment[],
  decisions: readonly PlacedDecision[],
  granularityGroups: ReadonlyArray<readonly string[]> = [],
): OverlayPlan {
  const byId = new Map(segments.map((s) => [s.id, s]));
  const eligible = (id: string) => byId.has(id) && !byId.get(id)!.other;
  const bySize = (a: string, b: string) => byId.get(b)!.userCount - byId.get(a)!.userCount || (a < b ? -1 : a > b ? 1 : 0);

  // ---- groups: union-find over merges and the granularity's groups
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const join = (ids: readonly string[]) => {
    const present = ids.filter(eligible);
    for (const id of present) if (!parent.has(id)) parent.set(id, id);
    for (let i = 1; i < present.length; i++) parent.set(find(present[i]!), find(present[0]!));
    return present.length;
  };
  const fromGranularity = new Set<string>();
  for (const g of granularityGroups) if (join(g) >= 2) for (const id of g) if (eligible(id)) fromGranularity.add(id);
  const merges = decisions.filter((d) => d.kind === 'merge').sort((a, b) => a.seq - b.seq);
  for (const m of merges) join(m.targets);

  const components = new Map<string, string[]>();
  for (const id of parent.keys()) {
    const root = find(id);
    components.set(root, [...(components.get(root) ?? []), id]);
  }
  const groups: GroupPlan[] = [];
  for (const members of components.values()) {
    if (members.length < 2) continue;
    const inGroup = new Set(members);
    const behind = merges.filter((m) => m.targets.some((t) => inGroup.has(t)));
    const head = behind.map((m) => m.targets[0]!).find((t) => inGroup.has(t)) ?? [...members].sort(bySize)[0]!;
    const ordered = [head, ...members.filter((m) => m !== head).sort(bySize)];
    groups.push({
      head,
      members: ordered,
      decisionIds: behind.map((m) => m.id),
      granularity: members.some((m) => fromGranularity.has(m)),
      topTopics: interleave(
        ordered.map((id) => byId.get(id)!.topTopics),
        TOP_TOPICS,
      ),
    });
  }
  groups.sort((a, b) => bySize(a.head, b.head));

  // ---- labels of what stays visible: the heads and the segments in no group
  const hidden = new Set(groups.flatMap((g) => g.members.slice(1)));
  const groupOf = new Map(groups.map((g) => [g.head, g]));
  const labels = new Map<string, LabelPlan>();
  for (const s of segments) {
    if (hidden.has(s.id)) continue;
    let best: { seq: number; plan: LabelPlan } | undefined;
    const offer = (seq: number, plan: LabelPlan) => {
      if (!best || seq > best.seq) best = { seq, plan };
    };
    for (const d of decisions) {
      if (d.kind !== 'rename' || d.label === null || !d.targets.includes(s.id)) continue;
      const parts = d.targets.filter((t) => byId.has(t));
      if (parts.length <= 1) offer(d.seq, { label: d.label, source: 'rename', decisionId: d.id, note: null });
      else {
        offer(d.seq, {
          label: `${d.label} (${parts.indexOf(s.id) + 1})`,
          source: 'inherited',
          decisionId: d.id,
          note: `“${d.label}” split into ${parts.length} segments since it was named; rename this one to drop the suffix`,
        });
      }
    }
    const group = groupOf.get(s.id);
    if (group) {
      for (const d of merges) {
        if (d.label !== null && group.decisionIds.includes(d.id))
          offer(d.seq, { label: d.label, source: 'merge', decisionId: d.id, note: null });
      }
      if (!best) {
        const names = group.topTopics.slice(0, LABEL_TOPICS).map((t) => t.name);
        labels.set(s.id, { label: names.length ? names.join(' · ') : s.label, source: 'group', decisionId: null, note: null });
        continue;
      }
    }
    if (best) labels.set(s.id, best.plan);
  }
  return { groups, labels };
}

/** Round-robin over lists (first items of each, then second items...), without repeats, at most `limit`. */
function interleave<T extends { id: string }>(lists: ReadonlyArray<readonly T[]>, limit: number): T[] {
  const out: T[] = [];
  const seen = new Set<string>();
  for (let i = 0; out.length < limit && lists.some((l) => i < l.length); i++) {
    for (const l of lists) {
      const x = l[i];
      if (x && !seen.has(x.id) && out.length < limit) {
        seen.add(x.id);
        out.push(x);
      }
    }
  }
  return out;
}
