import { type EngineRun, newSegmentId, type SegmentationEngine, type Segmented, topicMeta } from './engine.js';
import { segmentInterests } from './pipeline.js';
import { InterestCollector } from './projection.js';
import type { SegmentationRepository } from './repository.js';

/** Users between two stop checks and progress reports while interests stream in. */
const CHECK_EVERY = 1_000;
const REPORT_EVERY = 10_000;

/**
 * SEGMENTATION_ENGINE=graphology: consenting users' interests stream into this process (the worker), projection and
 * Louvain run here.
 */
export class InProcessEngine implements SegmentationEngine {
  readonly name = 'graphology' as const;

  constructor(private readonly repo: SegmentationRepository) {}

  check(): Promise<string | null> {
    return Promise.resolve(null);
  }

  async segment(run: EngineRun): Promise<Segmented> {
    const t0 = performance.now();
    // Topic ids become integers as they arrive.
    const interests = new InterestCollector();
    const excluded = run.excludedTopics ?? new Set<string>();
    await this.repo.streamInterests(
      (topics, weights) => {
        if (excluded.size > 0 && topics.some((t) => excluded.has(t))) {
          const keep = topics.map((t) => !excluded.has(t));
          interests.addUser(
            topics.filter((_, i) => keep[i]),
            weights.filter((_, i) => keep[i]),
          );
        } else interests.addUser(topics, weights);
        if (interests.users % CHECK_EVERY === 0) run.checkStop();
        if (interests.users % REPORT_EVERY === 0) run.progress(interests.users);
      },
      run.decay,
      run.users,
    );
    const meta = await topicMeta(this.repo, (id) => interests.indexOf(id) !== undefined);
    const streamMs = performance.now() - t0;
    run.checkStop();
    const previous = await run.previous();
    await run.enterDetect();
    // Pair counting and Louvain run synchronously from here (seconds at 100k people): the worker's own event loop waits,
    // the API's does not.
    const result = await segmentInterests(interests, meta, run.params, previous, newSegmentId);
    return { result, algorithm: 'louvain', projectMs: streamMs + result.timings.projectMs, detectMs: result.timings.detectMs };
  }

  dropRunLeftovers(): Promise<void> {
    return Promise.resolve();
  }

  dropLeftovers(): Promise<string[]> {
    return Promise.resolve([]);
  }
}
