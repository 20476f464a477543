/**
 * Marketers' curation, API side: decisions (rename, merge, pin, exclude, granularity) recorded with who made them and
 * when, reverted rather than deleted, and shown at once on the visible run: its overlay (curation/run-overlay.ts) is
 * rebuilt and its curation sequence raised, which every API process sees as a new version of the visible run
 * (segmentation/visible-run.ts). A run that became visible while decisions were being made is caught up before it is
 * served (`onSwitch`). Exclusions and pins change what a run computes, so they reach the next run.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ServedRunRecord, VisibleRun } from '../segmentation/visible-run.js';
import { MAX_GRANULARITY, MIN_GRANULARITY } from '../segmentation/hierarchy.js';
import type { Actor, CurationRepository, Decision, DecisionStatus, Granularity, RunState } from './curation-repository.js';
import type { PlacedDecision } from './overlay.js';
import { buildOverlay, carryTo, granularitySetting } from './run-overlay.js';

export type DecisionInput =
  | { kind: 'rename'; segmentId: string; label: string }
  | { kind: 'merge'; segmentIds: string[]; label?: string | undefined }
  | { kind: 'pin'; topicId: string; segmentId: string }
  | { kind: 'exclude'; topicId: string }
  | { kind: 'granularity'; target: Granularity };

/** Optimistic rounds before a busy log is an error (each round is a few reads; another process won each time). */
const MAX_ROUNDS = 8;

export class CurationService {
  constructor(
    private readonly repo: CurationRepository,
    private readonly visible: VisibleRun,
    private readonly logger: Logger,
  ) {
    // A new run is served with every decision made so far, including those made while it was being computed.
    visible.onSwitch((run) => this.catchUp(run));
  }

  async decide(input: DecisionInput, actor: Actor): Promise<Decision> {
    const run = await this.visible.get();
    const state = run ? await this.repo.runState(run.id) : null;
    const fields = await this.validate(input, state);
    const id = randomUUID();
    await this.repo.writeTx(async (tx) => {
      await this.repo.lock(tx);
      const seq = await this.repo.nextSeq(tx);
      // A granularity replaces the one before it (kept, as replaced, in the history).
      if (input.kind === 'granularity') {
        for (const d of await this.repo.activeDecisions())
          if (d.kind === 'granularity') await this.repo.endDecision(tx, d.id, 'replaced', actor);
      }
      await this.repo.createDecision(tx, {
        id,
        seq,
        kind: input.kind,
        ...fields,
        runId: run?.id ?? null,
        targets: fields.segmentIds,
        targetsRunId: run?.id ?? null,
        by: actor,
      });
    });
    await this.applyToVisible();
    return (await this.repo.getDecision(id))!;
  }

  async revert(id: string, actor: Actor): Promise<Decision> {
    const d = await this.repo.getDecision(id);
    if (!d) throw AppError.notFound('Decision');
    if (d.status !== 'active') throw AppError.conflict(`Decision ${id} is ${d.status} already`);
    const ended = await this.repo.writeTx(async (tx) => {
      await this.repo.lock(tx);
      const done = await this.repo.endDecision(tx, id, 'reverted', actor);
      if (done) await this.repo.nextSeq(tx);
      return done;
    });
    if (!ended) throw AppError.conflict(`Decision ${id} was reverted meanwhile`);
    await this.applyToVisible();
    return (await this.repo.getDecision(id))!;
  }

  get(id: string): Promise<Decision | undefined> {
    return this.repo.getDecision(id);
  }

  list(status: DecisionStatus | null, beforeSeq: number | null, limit: number): Promise<Decision[]> {
    return this.repo.listDecisions(status, beforeSeq, limit);
  }

  /** The granularity in force and what the visible run offers (how many natural segments, the recommended cut). */
  async granularity() {
    const run = await this.visible.get();
    const { setting, decision } = granularitySetting(await this.repo.activeDecisions());
    const state = run ? await this.repo.runState(run.id) : null;
    const natural = state ? state.segments.filter((s) => !s.other).length : null;
    const shown = state ? state.segments.filter((s) => !s.other && s.mergedInto === null).length : null;
    return {
      runId: run?.id ?? null,
      setting,
      decisionId: decision?.id ?? null,
      natural,
      recommended: state?.hierarchy?.recommended ?? null,
      shown,
      // Cuts are served from the run's hierarchy; without one (a run of the GDS engine) only the natural segments.
      cuttable: Boolean(state?.hierarchy),
      min: MIN_GRANULARITY,
      max: MAX_GRANULARITY,
    };
  }

  /** The visible run's overlay rebuilt from every active decision, then the run served again at its new version. */
  private async applyToVisible(): Promise<void> {
    const run = await this.visible.get();
    if (run) await this.refreshOverlay(run.id, true);
    await this.visible.refresh();
  }

  private async catchUp(run: ServedRunRecord | null): Promise<void> {
    if (!run) return;
    const [seq, decisions] = await Promise.all([this.repo.logSeq(), this.repo.activeDecisions()]);
    const stale = decisions.some((d) => (d.kind === 'rename' || d.kind === 'merge') && d.targetsRunId !== run.id);
    if (run.curationSeq < seq || stale) await this.refreshOverlay(run.id, stale);
  }

  /**
   * Rebuilds a run's overlay unless it reflects the log already (`force`: also when it does, to move the decisions'
   * targets to this run). Optimistic: everything is read first, and written only if the log has not moved meanwhile.
   */
  private async refreshOverlay(runId: string, force: boolean): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const seq = await this.repo.logSeq();
      const state = await this.repo.runState(runId);
      if (state.curationSeq >= seq && !force) return;
      const decisions = await this.repo.activeDecisions();
      const present = new Set(state.segments.map((s) => s.id));
      const placed: PlacedDecision[] = [];
      for (const d of decisions) {
        if (d.kind !== 'rename' && d.kind !== 'merge') continue;
        placed.push({
          id: d.id,
          seq: d.seq,
          kind: d.kind,
          label: d.label,
          targets: await carryTo(d, runId, present, (id) => this.repo.lineage(id)),
        });
      }
      const own = new Map(state.segments.map((s) => [s.id, s]));
      const built = await buildOverlay(
        state.segments,
        placed,
        granularitySetting(decisions).setting,
        state.hierarchy,
        async (groups) => {
          // Counted in the database (the run's people are in the worker); a group's share is the sum of its members'.
          const users = await this.repo.countGroupUsers(runId, groups);
          return groups.map((ids, i) => ({
            userCount: users[i]!,
            share: ids.reduce((s, id) => s + (own.get(id)?.share ?? 0), 0),
            quality: null,
          }));
        },
        state.groups,
      );
      const written = await this.repo.writeTx(async (tx) => {
        if ((await this.repo.lock(tx)) !== seq) return false;
        await this.repo.writeOverlay(runId, built.rows, seq, null, tx);
        await this.repo.setTargets(
          tx,
          runId,
          built.placed.map((p) => ({ id: p.id, targets: [...p.targets] })),
        );
        return true;
      });
      if (written) {
        this.logger.debug(
          { runId, seq, groups: built.rows.groups.length, labels: built.rows.labels.length },
          'curation applied to the run',
        );
        return;
      }
    }
    throw new AppError(503, 'curation-busy', 'Curation is being changed by others; try again');
  }

  /** The decision's fields, checked against the visible run: bad input is a 4xx, never a decision that cannot apply. */
  private async validate(
    input: DecisionInput,
    state: RunState | null,
  ): Promise<Pick<Decision, 'segmentIds' | 'label' | 'topicId' | 'granularity'>> {
    const none = { segmentIds: [] as string[], label: null, topicId: null, granularity: null };
    const shown = (id: string, path: string) => {
      if (!state) throw AppError.conflict('There are no segments yet: run a segmentation first');
      const s = state.segments.find((x) => x.id === id);
      if (!s) throw new AppError(404, 'not-found', `Segment ${id} not found`, [{ path, message: 'no such segment in the visible run' }]);
      if (s.other)
        throw AppError.badRequest('"Other interests" holds leftovers, not a segment: it cannot be curated', [
          { path, message: 'is "Other interests"' },
        ]);
      if (s.mergedInto)
        throw new AppError(409, 'merged', `Segment ${id} is shown as part of segment ${s.mergedInto}; curate ${s.mergedInto}`);
      return s.id;
    };
    const topic = async (id: string) => {
      const t = await this.repo.findTopic(id);
      if (!t) throw new AppError(404, 'not-found', `Topic ${id} not found`, [{ path: 'topicId', message: 'no such topic' }]);
      return t.id;
    };
    switch (input.kind) {
      case 'rename':
        return { ...none, segmentIds: [shown(input.segmentId, 'segmentId')], label: input.label };
      case 'merge': {
        const ids = [...new Set(input.segmentIds)];
        if (ids.length < 2)
          throw AppError.badRequest('A merge needs two or more different segments', [
            { path: 'segmentIds', message: 'fewer than two distinct ids' },
          ]);
        return { ...none, segmentIds: ids.map((id, i) => shown(id, `segmentIds.${i}`)), label: input.label ?? null };
      }
      case 'pin':
        return { ...none, segmentIds: [shown(input.segmentId, 'segmentId')], topicId: await topic(input.topicId) };
      case 'exclude':
        return { ...none, topicId: await topic(input.topicId) };
      case 'granularity':
        return { ...none, granularity: input.target };
    }
  }
}
