/**
 * Keeps saved audiences' memberships current (a background job: one process at a time holds its lease). It needs the
 * population in memory (PopulationSync, ServedRun: the same objects the API process serves audiences from) and:
 * - evaluates an audience fully when it is new or its definition changed, when another run becomes visible, and when
 *   this process takes the job over (changes made while nobody evaluated would otherwise be missed): every member now
 *   against the members stored, and only the differences are written;
 * - evaluates the people who changed (interests, consent, erasure: from this process's hooks and every other one's
 *   through the change feed, via PopulationSync.onPeople) against every audience, in batches, as soon as they are
 *   reloaded;
 * - sends new destinations the members they missed (backfill), and purges what deleted audiences left.
 * Every change of membership queues one event per destination in the same transaction (apply-memberships), so the
 * outbox never misses one; holdout members are recorded but never queued.
 */
import type { Logger } from '../logger.js';
import type { AudienceIndex } from '../affinity/audience-index.js';
import type { PopulationSync } from '../affinity/population-sync.js';
import type { ServedRun } from '../affinity/served-run.js';
import { evaluate, isSegment, leaves, type Leaf, type Rule } from '../affinity/rules.js';
import { topicKey } from '../graph/topic-key.js';
import type { RunRecord } from '../segmentation/repository.js';
import { sleep, Wakeup, type Job } from '../jobs/job-host.js';
import type { AudienceDefinition, AudienceRepository, MembershipRow, SegmentEventRow } from './audience-repository.js';
import type { DestinationRepository } from './destination-repository.js';
import { inHoldout } from './holdout.js';
import { segmentEvents } from './segment-events.js';

/** People per incremental pass (one database read per purchase or interest condition, one write). */
const PEOPLE_BATCH = 2000;
/** How often the list of audiences is read (new or changed definitions from any process). */
const POLL_MS = 1000;
const BACKFILL_BATCH = 5000;
const PURGE_BATCH = 5000;
const PURGE_EVERY_MS = 10_000;
const ERROR_BACKOFF_MS = 1000;

export interface EvaluatorDeps {
  audiences: AudienceRepository;
  destinations: DestinationRepository;
  sync: PopulationSync;
  run: ServedRun;
  /** A run record (its metrics list the splits and merges of its segments). */
  getRun: (id: string) => Promise<RunRecord | undefined>;
  secretKey: string;
  logger: Logger;
  /** Events were queued: the delivery job may look now. */
  onQueued?: () => void;
}

export class AudienceEvaluator implements Job {
  readonly name = 'audience-evaluator';
  private readonly dirty = new Set<string>();
  /** Erased people among the dirty ones: once re-evaluated, anything left of them in audiences is swept. */
  private readonly erased = new Set<string>();
  private readonly wakeup = new Wakeup();
  private active = false;
  private lastTime = 0;
  private lastPurge = 0;
  private readonly log: Logger;

  constructor(private readonly deps: EvaluatorDeps) {
    this.log = deps.logger.child({ job: this.name });
    deps.sync.onPeople((userIds, kind) => {
      if (!this.active) return;
      for (const id of userIds) {
        this.dirty.add(id);
        if (kind === 'erased') this.erased.add(id);
      }
      this.wakeup.wake();
    });
  }

  /** Look now (an audience was created or changed, a run became visible). */
  nudge(): void {
    this.wakeup.wake();
  }

  async run(signal: AbortSignal): Promise<void> {
    this.active = true;
    this.dirty.clear();
    this.erased.clear();
    // Changes made while no process evaluated were not heard: every audience is evaluated in full once.
    let everything = true;
    try {
      while (!signal.aborted) {
        try {
          await this.pass(everything, signal);
          everything = false;
        } catch (err) {
          if (signal.aborted) break;
          this.log.warn({ err }, 'audience evaluation failed; trying again');
          await sleep(ERROR_BACKOFF_MS, signal);
          continue;
        }
        await this.wakeup.wait(this.dirty.size > 0 ? 0 : POLL_MS, signal);
      }
    } finally {
      this.active = false;
    }
  }

  /** A strictly increasing clock: events of successive passes keep their order in the outbox. */
  private now(): Date {
    this.lastTime = Math.max(Date.now(), this.lastTime + 1);
    return new Date(this.lastTime);
  }

  private async pass(everything: boolean, signal: AbortSignal): Promise<void> {
    const defs = await this.deps.audiences.definitions();
    for (const def of defs) {
      if (signal.aborted) return;
      const runId = this.deps.run.current?.runId ?? '';
      if (everything || def.evaluatedVersion !== def.version || def.evaluatedRunId !== runId) await this.evaluateFully(def);
    }
    while (this.dirty.size > 0 && !signal.aborted) {
      const ids: string[] = [];
      for (const id of this.dirty) {
        ids.push(id);
        if (ids.length === PEOPLE_BATCH) break;
      }
      for (const id of ids) this.dirty.delete(id);
      try {
        await this.evaluatePeople(ids, defs);
        const gone = ids.filter((id) => this.erased.has(id));
        if (gone.length > 0) {
          await this.deps.audiences.eraseMembers(gone);
          for (const id of gone) this.erased.delete(id);
        }
      } catch (err) {
        for (const id of ids) this.dirty.add(id);
        throw err;
      }
    }
    await this.backfill(signal);
    if (Date.now() - this.lastPurge > PURGE_EVERY_MS) {
      this.lastPurge = Date.now();
      await this.purge(signal);
    }
  }

  /** The audience index when a rule needs one and there is a visible run. */
  private async indexFor(rules: readonly Rule[]): Promise<AudienceIndex | null> {
    await this.deps.sync.settled();
    if (!this.deps.run.current || !rules.some((r) => leaves(r).some(isSegment))) return null;
    return this.deps.run.audienceIndex();
  }

  /** Everyone against the definition; writes the differences with the members stored. */
  async evaluateFully(def: AudienceDefinition): Promise<void> {
    const started = Date.now();
    const index = await this.indexFor([def.definition]);
    const runId = index?.model.runId ?? this.deps.run.current?.runId ?? '';
    const matched = new Map<Leaf, Set<string>>();
    for (const leaf of leaves(def.definition)) {
      let ids: Iterable<string>;
      if (isSegment(leaf)) {
        const segment = index?.model.segmentSlot(leaf.segment);
        ids =
          index && segment !== undefined
            ? index.scores(segment, { minAffinity: leaf.minAffinity ?? 0, minLift: leaf.minLift ?? 0 }).keys()
            : [];
      } else if ('purchased' in leaf) {
        const { topic, sku, withinDays } = leaf.purchased;
        ids = await this.deps.audiences.purchasers({
          topicKey: topic ? topicKey(topic) : null,
          sku: sku ?? null,
          days: withinDays ?? null,
        });
      } else {
        ids = await this.deps.audiences.interested(topicKey(leaf.interest.topic), leaf.interest.minWeight ?? 0);
      }
      matched.set(leaf, new Set(ids));
    }
    const members = evaluate(def.definition, (leaf) => matched.get(leaf)!);
    const stored = await this.deps.audiences.currentMembers(def.id);
    const rows: MembershipRow[] = [];
    for (const userId of members) if (!stored.has(userId)) rows.push(this.row(def, userId, true));
    for (const userId of stored) if (!members.has(userId)) rows.push(this.row(def, userId, false));
    const changes = await this.deps.audiences.apply(rows, this.now());
    let events: SegmentEventRow[] = [];
    // A run became visible since the last evaluation: tell the destinations which of the audience's segments split
    // or merged (the first evaluation has nothing to compare with).
    if (runId !== '' && def.evaluatedRunId !== null && def.evaluatedRunId !== runId) {
      const run = await this.deps.getRun(runId);
      events = segmentEvents(run, def.definition);
    }
    await this.deps.audiences.markEvaluated(def.id, def.version, runId, events, this.now());
    if (changes.events > 0 || events.length > 0) this.deps.onQueued?.();
    this.log.info(
      {
        audienceId: def.id,
        runId,
        members: members.size,
        entered: changes.entered,
        exited: changes.exited,
        segmentEvents: events.length,
        ms: Date.now() - started,
      },
      'saved audience evaluated',
    );
  }

  /** These people against every audience (they changed: interests, consent, erasure, or they are new). */
  async evaluatePeople(userIds: readonly string[], defs: readonly AudienceDefinition[]): Promise<void> {
    if (defs.length === 0 || userIds.length === 0) return;
    const index = await this.indexFor(defs.map((d) => d.definition));
    const store = this.deps.sync.store;
    const slots = new Map<string, number>();
    for (const id of userIds) {
      const slot = store.slotOf(id);
      if (slot !== undefined && store.markets(slot)) slots.set(id, slot);
    }
    // The same condition in several audiences is checked once.
    const cache = new Map<string, Promise<Set<string>>>();
    const check = (leaf: Leaf): Promise<Set<string>> => {
      const key = JSON.stringify(leaf);
      let hit = cache.get(key);
      if (!hit) {
        hit = this.matchAmong(leaf, userIds, slots, index);
        cache.set(key, hit);
      }
      return hit;
    };
    const rows: MembershipRow[] = [];
    for (const def of defs) {
      const matched = new Map<Leaf, Set<string>>();
      for (const leaf of leaves(def.definition)) matched.set(leaf, await check(leaf));
      const members = evaluate(def.definition, (leaf) => matched.get(leaf)!);
      for (const userId of userIds) rows.push(this.row(def, userId, members.has(userId)));
    }
    const changes = await this.deps.audiences.apply(rows, this.now());
    if (changes.events > 0) this.deps.onQueued?.();
    if (changes.entered + changes.exited > 0) {
      this.log.debug({ people: userIds.length, entered: changes.entered, exited: changes.exited }, 'changed people re-evaluated');
    }
  }

  /** Which of `userIds` the condition holds for. */
  private async matchAmong(
    leaf: Leaf,
    userIds: readonly string[],
    slots: Map<string, number>,
    index: AudienceIndex | null,
  ): Promise<Set<string>> {
    if (isSegment(leaf)) {
      const out = new Set<string>();
      const segment = index?.model.segmentSlot(leaf.segment);
      if (!index || segment === undefined) return out;
      for (const [userId, slot] of slots) {
        const score = index.scoreOf(slot, segment);
        if (score && score.affinity >= (leaf.minAffinity ?? 0) && score.lift >= (leaf.minLift ?? 0)) out.add(userId);
      }
      return out;
    }
    if ('purchased' in leaf) {
      const { topic, sku, withinDays } = leaf.purchased;
      return new Set(
        await this.deps.audiences.purchasersAmong(userIds, {
          topicKey: topic ? topicKey(topic) : null,
          sku: sku ?? null,
          days: withinDays ?? null,
        }),
      );
    }
    return new Set(await this.deps.audiences.interestedAmong(userIds, topicKey(leaf.interest.topic), leaf.interest.minWeight ?? 0));
  }

  private row(def: AudienceDefinition, userId: string, member: boolean): MembershipRow {
    return { audienceId: def.id, userId, member, holdout: inHoldout(this.deps.secretKey, def.id, userId, def.holdoutPercent) };
  }

  /** New destinations get `audience.entered` for the members they missed, in batches. */
  private async backfill(signal: AbortSignal): Promise<void> {
    for (const id of await this.deps.destinations.pendingBackfills()) {
      let queued = 0;
      for (;;) {
        if (signal.aborted) return;
        const batch = await this.deps.destinations.backfill(id, BACKFILL_BATCH, this.now());
        queued += batch.queued;
        if (batch.queued > 0) this.deps.onQueued?.();
        if (batch.done) break;
      }
      this.log.info({ destinationId: id, queued }, "destination backfilled with the audience's members");
    }
  }

  /** What deleted audiences and destinations left, a bounded amount per pass. */
  private async purge(signal: AbortSignal): Promise<void> {
    for (const t of await this.deps.audiences.tombstones()) {
      for (let i = 0; i < 20 && !signal.aborted; i++) {
        if ((await this.deps.audiences.purge(t, PURGE_BATCH)) === 0) break;
      }
    }
  }
}
