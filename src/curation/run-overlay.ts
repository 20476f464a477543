/**
 * From decisions to what a run shows: each active decision carried to the run through the lineage of the runs in
 * between, the granularity's cut of the run's hierarchy, the overlay planned (overlay.ts) and the groups' figures.
 * Shared by the worker (a new run, its groups measured with the run's own people) and the API processes (the
 * visible run, changed at once; groups counted in the database).
 */
import { cutHierarchy, type GroupStats, type Hierarchy, leavesOf } from '../segmentation/hierarchy.js';
import { carry, type Lineage, stepsBetween } from '../segmentation/lineage.js';
import type { GroupFigures, SegmentQuality } from '../segmentation/pipeline.js';
import type { Decision, Granularity, OverlayRows, OwnSegment } from './curation-repository.js';
import { type PlacedDecision, planOverlay } from './overlay.js';

export type LineageOf = (runId: string) => Promise<Lineage | null>;

/**
 * A decision's segments in run `runId`: carried from the run where it applied last along the lineage in between. When
 * that run is not an ancestor (lineage lost), the ids the run still has (ids are stable while segments keep their topics).
 */
export async function carryTo(d: Decision, runId: string, present: ReadonlySet<string>, lineageOf: LineageOf): Promise<string[]> {
  const from = d.targetsRunId ?? d.runId;
  const ids = d.targetsRunId ? d.targets : d.segmentIds;
  if (from === runId) return ids;
  const steps = from ? await stepsBetween(from, runId, lineageOf) : null;
  return steps ? carry(ids, steps) : ids.filter((id) => present.has(id));
}

/** The granularity in force: the newest active granularity decision ("natural" when there is none). */
export function granularitySetting(decisions: readonly Decision[]): { setting: Granularity; decision: Decision | null } {
  const d = decisions.filter((x) => x.kind === 'granularity').sort((a, b) => b.seq - a.seq)[0];
  return { setting: d?.granularity ?? 'natural', decision: d ?? null };
}

/** How many segments (besides "Other interests") a setting asks of a run; null: the natural segments. */
export function targetCount(setting: Granularity, hierarchy: Hierarchy | null): number | null {
  if (setting === 'natural' || !hierarchy) return null;
  const k = setting === 'recommended' ? hierarchy.recommended : setting;
  return k < hierarchy.leaves.length ? k : null;
}

export interface BuiltOverlay {
  rows: OverlayRows;
  /** Where each rename and merge applies in the run (remembered as the decisions' targets). */
  placed: PlacedDecision[];
  /** Segments shown, "Other interests" aside. */
  served: number;
  /** The cut applied (null: natural segments). */
  cut: number | null;
}

/** Figures already known for a group, by its members (e.g. a group the run shows now, unchanged by a decision). */
export interface KnownGroup {
  members: readonly string[];
  userCount: number;
  share: number;
  quality: SegmentQuality | null;
}

/**
 * `placed` are the active renames and merges carried to this run; `measure` gives the figures of groups neither the
 * hierarchy nor `known` has (merges that are no cut of it).
 */
export async function buildOverlay(
  segments: readonly OwnSegment[],
  placed: readonly PlacedDecision[],
  setting: Granularity,
  hierarchy: Hierarchy | null,
  measure: (groups: ReadonlyArray<readonly string[]>) => Promise<GroupFigures[]>,
  current: readonly KnownGroup[] = [],
): Promise<BuiltOverlay> {
  const cut = targetCount(setting, hierarchy);
  const cutGroups = cut === null ? [] : cutHierarchy(hierarchy!, cut).filter((g) => g.members.length >= 2);
  const plan = planOverlay(
    segments,
    placed,
    cutGroups.map((g) => g.members),
  );
  const own = new Map(segments.map((s) => [s.id, s]));
  const known = new Map<string, Omit<KnownGroup, 'members'>>();
  for (const g of current) known.set(groupKey(g.members), g);
  if (hierarchy) for (const [key, g] of measuredGroups(hierarchy)) known.set(key, { ...g, quality: { ...g.quality, seedStability: null } });
  const unknown = plan.groups.filter((g) => !known.has(groupKey(g.members)));
  const figures = unknown.length > 0 ? await measure(unknown.map((g) => g.members)) : [];
  const measured = new Map(unknown.map((g, i) => [g.head, figures[i]!]));
  const rows: OverlayRows = {
    labels: [...plan.labels].map(([id, l]) => ({ id, label: l.label, source: l.source, decisionId: l.decisionId, note: l.note })),
    groups: plan.groups.map((g) => {
      const node = known.get(groupKey(g.members));
      const f = measured.get(g.head);
      return {
        head: g.head,
        members: g.members,
        decisionIds: g.decisionIds,
        grouped: g.decisionIds.length > 0 ? 'curation' : 'granularity',
        userCount: node?.userCount ?? f?.userCount ?? 0,
        share: node?.share ?? f?.share ?? 0,
        topicCount: g.members.reduce((n, id) => n + (own.get(id)?.topicCount ?? 0), 0),
        topTopics: JSON.stringify(g.topTopics),
        quality: node ? node.quality : (f?.quality ?? null),
      };
    }),
  };
  const hidden = plan.groups.reduce((n, g) => n + g.members.length - 1, 0);
  return { rows, placed: [...placed], served: segments.filter((s) => !s.other).length - hidden, cut };
}

/** Figures of the hierarchy's measured groups, by their members. */
function measuredGroups(h: Hierarchy): Map<string, GroupStats> {
  const out = new Map<string, GroupStats>();
  for (const [node, stats] of Object.entries(h.groups)) {
    out.set(groupKey(leavesOf(Number(node), h.leaves.length, h.merges).map((l) => h.leaves[l]!)), stats);
  }
  return out;
}

function groupKey(ids: readonly string[]): string {
  return [...ids].sort().join(' ');
}
