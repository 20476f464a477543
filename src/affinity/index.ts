import type { Deps } from '../deps.js';
import type { Hooks } from '../hooks.js';
import type { ChangeFeed } from '../changes/change-feed.js';
import type { ErasedDerived } from '../privacy/erasure.js';
import type { VisibleRun } from '../segmentation/visible-run.js';
import { AffinityRepository } from './affinity-repository.js';
import { AffinityReader } from './affinity-reader.js';
import { DocCache } from './doc-cache.js';
import { AudienceService } from './audience-service.js';
import { DominantChange } from './dominant-change.js';
import { PopulationSync } from './population-sync.js';
import { ServedRun } from './served-run.js';

export type { AffinityReader } from './affinity-reader.js';
export type { AudienceService } from './audience-service.js';

/** Edges or people per transaction when removing what older versions stored per person. */
const CLEANUP_BATCH = 10_000;

/**
 * Segment of one and audiences, computed on read in this process from everyone's interests (held in memory,
 * population-sync.ts) and the visible run's model (loaded before the run becomes visible here). A run needs no
 * per-person work; a change to someone's interests or consent marks them for reloading here and, through the change
 * feed, in every other process; an erasure forgets them everywhere.
 */
export function createAffinity(
  deps: Deps,
  hooks: Hooks,
  visible: VisibleRun,
  feed: ChangeFeed,
  hidden: (topicId: string) => boolean = () => false,
  /** Changes whenever `hidden` may answer differently (answers kept in the document cache are then outdated). */
  hiddenEpoch: () => unknown = () => undefined,
) {
  const repo = new AffinityRepository(deps.db);
  const sync = new PopulationSync(repo, feed, deps.logger);
  const run = new ServedRun(repo, sync, visible, deps.logger);
  hooks.on('interestsChanged', async ({ userIds }) => {
    sync.markStale(userIds);
    await feed.append('interests', userIds);
  });
  hooks.on('usersErased', async ({ userIds, derived }) => {
    sync.erase(userIds);
    await feed.append('erased', userIds);
    if (derived && (derived.topicIds.length || derived.related.length || derived.labels.length)) {
      run.forget(derived);
      await feed.append('topics', [JSON.stringify(derived)]);
    }
  });
  feed.subscribe((event) => {
    if (event.kind === 'topics') {
      for (const doc of event.userIds) run.forget(JSON.parse(doc) as ErasedDerived);
    } else if (event.kind === 'reset') {
      // Entries were missed, erasures among them perhaps: the served model is read again.
      void run.reload().catch((err: unknown) => deps.logger.warn({ err }, 'could not reload the served run after missed changes'));
    }
  });
  hooks.on('shutdown', () => sync.stop());

  /** Loads everyone in the background and removes, in the background, what older versions stored per person. */
  async function start(): Promise<void> {
    await sync.start();
    void (async () => {
      let removed = 0;
      for (let n = CLEANUP_BATCH; n > 0; removed += n) n = await repo.dropStoredAffinities(CLEANUP_BATCH);
      if (removed > 0) deps.logger.info({ removed }, 'removed affinities stored by an older version');
    })().catch((err: unknown) => deps.logger.warn({ err }, 'could not remove affinities stored by an older version'));
  }

  return {
    reader: new AffinityReader(sync, run, hidden, new DocCache(deps.config.AFFINITY_CACHE_MB * 2 ** 20, hiddenEpoch)),
    audiences: new AudienceService(repo, sync, run),
    /** For comparing a candidate run with the visible one: whose dominant segment would change. */
    dominant: new DominantChange(repo, sync, run),
    sync,
    /** The visible run's model and audience index (saved audiences evaluate against them). */
    served: run,
    start,
  };
}

export type Affinity = ReturnType<typeof createAffinity>;
