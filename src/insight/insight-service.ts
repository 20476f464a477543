/**
 * Insight into an audience (a segment at thresholds, or rules): what it over-indexes on against the population, its
 * size and share, its highest-affinity people and, for a segment, how it changed since the previous run. Everything
 * is computed in memory from the people the API process holds (population-sync.ts) and the visible run's model: the
 * population's per-topic counts once per run (kept current by the population sync's change notifications), the
 * audience's own tallies per request, in slices that yield to the event loop.
 */
import { setImmediate as pause } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import type { AudienceDefinition, AudienceMembers, AudienceService } from '../affinity/audience-service.js';
import type { PopulationSync } from '../affinity/population-sync.js';
import type { RunModel } from '../affinity/run-model.js';
import type { ServedRun } from '../affinity/served-run.js';
import { ModelBuild } from '../affinity/model-build.js';
import { segmentChange, type SegmentChange } from './change.js';
import type { InsightRepository, RunStabilityRecord, SegmentSummary } from './insight-repository.js';
import { defaultMinSupport, overIndexed, rankLifts, round, type LiftRow } from './over-index.js';
import { HoldingsWalker, PopulationCounts, tallyMembers, type Tally } from './population-counts.js';

export interface InsightOptions {
  /** Members who must hold a topic (or category) for it to be listed; default defaultMinSupport(profiled). */
  minSupport?: number | undefined;
  topics: number;
  categories: number;
  people: number;
}

export interface TopicLift {
  id: string;
  name: string;
  category: string | null;
  members: number;
  memberShare: number;
  holders: number;
  holderShare: number;
  lift: number;
}

export interface CategoryLift {
  name: string;
  members: number;
  memberShare: number;
  holders: number;
  holderShare: number;
  lift: number;
}

export interface Insight {
  runId: string;
  audience: AudienceDefinition;
  /** The segment of a segment audience, as the run recorded it. */
  segment: { id: string; label: string; share: number; userCount: number | null; topicCount: number | null } | null;
  size: number;
  profiled: number;
  population: number;
  populationShare: number;
  minSupport: number;
  label: string;
  topics: TopicLift[];
  categories: CategoryLift[];
  topPeople: Array<{ user: string; affinity: number; lift: number }>;
  change: SegmentChange | null;
}

export interface CompareOptions {
  /** Members of the side a topic over-indexes in who must hold it; default defaultMinSupport of that side. */
  minSupport?: number | undefined;
  topics: number;
  categories: number;
}

/** A topic (or category) in both audiences; `lift` = its share in the first named / its share in the other. */
interface SideBySide {
  a: { members: number; share: number };
  b: { members: number; share: number };
  lift: number;
}

export interface Comparison {
  runId: string;
  population: number;
  a: ComparedAudience;
  b: ComparedAudience;
  overlap: { people: number; jaccard: number; shareOfA: number; shareOfB: number };
  minSupport: { a: number; b: number };
  topicsA: Array<{ id: string; name: string; category: string | null } & SideBySide>;
  topicsB: Array<{ id: string; name: string; category: string | null } & SideBySide>;
  categoriesA: Array<{ name: string } & SideBySide>;
  categoriesB: Array<{ name: string } & SideBySide>;
}

export interface ComparedAudience {
  audience: AudienceDefinition;
  label: string;
  size: number;
  profiled: number;
  populationShare: number;
}

interface RunContext {
  runId: string;
  stability: RunStabilityRecord | null;
  segments: SegmentSummary[];
  previous: SegmentSummary[];
}

/** Topics named in the label an insight suggests (the most over-indexed ones). */
const LABEL_TOPICS = 3;

export class InsightService {
  private counts: PopulationCounts | undefined;
  private readonly building = new ModelBuild<PopulationCounts>();
  private context: { runId: string; done: Promise<RunContext> } | undefined;

  constructor(
    private readonly sync: PopulationSync,
    private readonly run: ServedRun,
    private readonly audiences: AudienceService,
    private readonly repo: InsightRepository,
    private readonly logger: Logger,
    /** Sensitive topics (src/privacy): never listed, nor named in a label, also when the run predates their mark. */
    private readonly hidden: (topicId: string) => boolean = () => false,
  ) {
    sync.onBeforeChange((slot) => this.live().forEach((c) => c.retire(slot)));
    sync.onChange((slot) => this.live().forEach((c) => c.admit(slot)));
    // An erasure lowers the recorded userCount of the segments the person was in (src/privacy/erasure.ts): what the
    // runs recorded is read again.
    sync.onPeople((_, kind) => {
      if (kind === 'erased') this.context = undefined;
    });
  }

  /** The counts changes must reach: the current run's and the one being built (once each: they can be the same). */
  private live(): PopulationCounts[] {
    const out: PopulationCounts[] = [];
    if (this.counts) out.push(this.counts);
    const pending = this.building.pending;
    if (pending && pending !== this.counts) out.push(pending);
    return out;
  }

  /** A run became visible here: count its population in the background (requests would otherwise wait for it). */
  prepare(): void {
    const model = this.run.current;
    if (model && this.sync.isWarm) void this.populationOf(model).catch(() => undefined);
  }

  /** The population's counts for a run's model, once everyone is loaded; built once per run. */
  async populationOf(model: RunModel): Promise<PopulationCounts> {
    await this.sync.settled();
    if (this.counts?.model === model) return this.counts;
    return this.building.of(
      model,
      () => new PopulationCounts(this.sync.store, model),
      (counts, ms) => {
        if (this.run.current === model) this.counts = counts;
        this.logger.debug({ runId: model.runId, people: counts.people, ms }, 'insight population counted');
      },
    );
  }

  /** What the run recorded about its segments and the previous run's (read once per run). */
  private runContext(runId: string): Promise<RunContext> {
    if (this.context?.runId === runId) return this.context.done;
    const done = (async () => {
      const [stability, segments] = await Promise.all([this.repo.stability(runId), this.repo.segments(runId, this.hidden)]);
      const previous = stability?.previousRunId ? await this.repo.segments(stability.previousRunId, this.hidden) : [];
      return { runId, stability, segments, previous };
    })();
    const entry = { runId, done };
    this.context = entry;
    done.catch(() => {
      if (this.context === entry) this.context = undefined;
    });
    return done;
  }

  /** The audience's members and tallies, with the population they are measured against (one model for all three). */
  private async measure(
    def: AudienceDefinition,
    people: number,
  ): Promise<{ members: AudienceMembers; group: Tally; population: PopulationCounts }> {
    const members = await this.audiences.members(def, people);
    const population = await this.populationOf(members.model);
    const group = await tallyMembers(new HoldingsWalker(this.sync.store, members.model), members.slots, () => pause());
    return { members, group, population };
  }

  async insight(def: AudienceDefinition, opts: InsightOptions): Promise<Insight> {
    const { members, group, population } = await this.measure(def, opts.people);
    const { model } = members;
    const minSupport = opts.minSupport ?? defaultMinSupport(group.people);
    const topics = overIndexed(group, population, 'topics', { minSupport, minLift: 1, limit: Math.max(opts.topics, LABEL_TOPICS) })
      .map((r) => this.topicRow(model, r))
      .filter((t) => !this.hidden(t.id));
    const categories = overIndexed(group, population, 'categories', { minSupport, minLift: 0, limit: opts.categories }).map((r) => ({
      name: model.categories[r.key]!,
      ...shares(r),
    }));
    let segment: Insight['segment'] = null;
    let change: SegmentChange | null = null;
    if ('segment' in def) {
      const context = await this.runContext(model.runId);
      const summary = context.segments.find((s) => s.id === def.segment);
      segment = {
        id: def.segment,
        label: model.visibleLabelOf(def.segment, this.hidden),
        share: round(model.shareOf(def.segment) ?? 0, 6),
        userCount: summary?.userCount ?? null,
        topicCount: summary?.topicCount ?? null,
      };
      change = segmentChange(def.segment, context.stability, context.segments, context.previous);
    }
    const populationSize = Math.max(population.people, group.people);
    return {
      runId: model.runId,
      audience: def,
      segment,
      size: members.slots.length,
      profiled: group.people,
      population: populationSize,
      populationShare: populationSize > 0 ? round(group.people / populationSize, 6) : 0,
      minSupport,
      label: topics
        .slice(0, LABEL_TOPICS)
        .map((t) => t.name)
        .join(' · '),
      topics: topics.slice(0, opts.topics),
      categories,
      topPeople: members.top.map((r) => ({ user: r.address, affinity: r.affinity, lift: r.lift })),
      change,
    };
  }

  /**
   * Two audiences side by side: sizes, how many people are in both, and the topics (and categories) that over-index
   * in each against the other: lift = share of its profiled members holding it / share of the other's, with the
   * minimum support applied on the side it over-indexes in.
   */
  async compare(a: AudienceDefinition, b: AudienceDefinition, opts: CompareOptions): Promise<Comparison> {
    let ma = await this.measure(a, 0);
    let mb = await this.measure(b, 0);
    // A run became visible between the two: measure the first again, so both sides use one run.
    if (ma.members.model !== mb.members.model) ma = await this.measure(a, 0);
    if (ma.members.model !== mb.members.model) mb = await this.measure(b, 0);
    const { model } = mb.members;
    const both = overlapOf(ma.members.slots, mb.members.slots, this.sync.store.slotCount);
    const sizeA = ma.members.slots.length;
    const sizeB = mb.members.slots.length;
    const support = { a: opts.minSupport ?? defaultMinSupport(ma.group.people), b: opts.minSupport ?? defaultMinSupport(mb.group.people) };
    const population = Math.max(mb.population.people, ma.group.people, mb.group.people);
    const sides = (kind: 'topics' | 'categories', limit: number) => {
      const ab = rankLifts(ma.group[kind], ma.group.people, (k) => mb.group[kind][k] ?? 0, mb.group.people, {
        minSupport: support.a,
        minLift: 1,
        limit,
      });
      const ba = rankLifts(mb.group[kind], mb.group.people, (k) => ma.group[kind][k] ?? 0, ma.group.people, {
        minSupport: support.b,
        minLift: 1,
        limit,
      });
      const flip = (r: LiftRow): LiftRow => ({
        ...r,
        members: r.reference,
        memberShare: r.referenceShare,
        reference: r.members,
        referenceShare: r.memberShare,
      });
      return {
        ab: ab.map((r) => sideBySide(r)),
        ba: ba.map((r) => sideBySide(flip(r), r.lift)),
        keysAb: ab.map((r) => r.key),
        keysBa: ba.map((r) => r.key),
      };
    };
    const topics = sides('topics', opts.topics);
    const categories = sides('categories', opts.categories);
    const topicInfo = (key: number) => {
      const id = this.sync.store.topics.idOf(key);
      return { id, name: model.nameOf(id) ?? id, category: model.categoryOf(id) ?? null };
    };
    const compared = (def: AudienceDefinition, m: typeof ma): ComparedAudience => ({
      audience: def,
      label: 'segment' in def ? model.visibleLabelOf(def.segment, this.hidden) : 'Audience from rules',
      size: m.members.slots.length,
      profiled: m.group.people,
      populationShare: population > 0 ? round(m.group.people / population, 6) : 0,
    });
    return {
      runId: model.runId,
      population,
      a: compared(a, ma),
      b: compared(b, mb),
      overlap: {
        people: both,
        jaccard: sizeA + sizeB - both > 0 ? round(both / (sizeA + sizeB - both), 6) : 0,
        shareOfA: sizeA > 0 ? round(both / sizeA, 6) : 0,
        shareOfB: sizeB > 0 ? round(both / sizeB, 6) : 0,
      },
      minSupport: support,
      topicsA: topics.ab.map((r, i) => ({ ...topicInfo(topics.keysAb[i]!), ...r })).filter((t) => !this.hidden(t.id)),
      topicsB: topics.ba.map((r, i) => ({ ...topicInfo(topics.keysBa[i]!), ...r })).filter((t) => !this.hidden(t.id)),
      categoriesA: categories.ab.map((r, i) => ({ name: model.categories[categories.keysAb[i]!]!, ...r })),
      categoriesB: categories.ba.map((r, i) => ({ name: model.categories[categories.keysBa[i]!]!, ...r })),
    };
  }

  private topicRow(model: RunModel, r: LiftRow): TopicLift {
    const id = this.sync.store.topics.idOf(r.key);
    return { id, name: model.nameOf(id) ?? id, category: model.categoryOf(id) ?? null, ...shares(r) };
  }
}

/** People in both slot lists (each list holds a person once). */
function overlapOf(a: Int32Array, b: Int32Array, slots: number): number {
  const inA = new Uint8Array(slots);
  for (const s of a) inA[s] = 1;
  let n = 0;
  for (const s of b) if (s < slots && inA[s] === 1) n++;
  return n;
}

/** A comparison row: `members` are the first audience's, `reference` the other's; lift as ranked. */
function sideBySide(r: LiftRow, lift = r.lift): SideBySide {
  return { a: { members: r.members, share: r.memberShare }, b: { members: r.reference, share: r.referenceShare }, lift };
}

/** A lift row in the API's words: members of the audience, holders in the population. */
function shares(r: LiftRow) {
  return { members: r.members, memberShare: r.memberShare, holders: r.reference, holderShare: r.referenceShare, lift: r.lift };
}
