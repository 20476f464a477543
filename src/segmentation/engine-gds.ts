import type { Db } from '../db/neo4j.js';
import { type EngineRun, newSegmentId, type SegmentationEngine, type Segmented, topicMeta } from './engine.js';
import { dropLeftoverGdsGraphs, GDS_GRAPH_PREFIX, gdsVersion, segmentAudience, segmentCohesion, segmentWithGds } from './gds.js';
import { communityQuality } from './quality.js';
import { segmentDetected } from './segment-detected.js';
import type { SegmentationRepository } from './repository.js';

/** Base name of a run's in-memory GDS graphs (segmentWithGds appends -interests, -similarity). */
export function gdsGraphName(runId: string): string {
  return `${GDS_GRAPH_PREFIX}${runId}`;
}

/**
 * SEGMENTATION_ENGINE=gds: projection, similarity, sparsification and Louvain/Leiden in the database (src/segmentation/
 * gds.ts); only topics, kept edges and communities come back, and segment sizes are counted there too. The rest is
 * segmentDetected, as in process.
 */
export class GdsEngine implements SegmentationEngine {
  readonly name = 'gds' as const;

  constructor(
    private readonly db: Db,
    private readonly repo: SegmentationRepository,
  ) {}

  async check(): Promise<string | null> {
    const version = await gdsVersion(this.db);
    if (!version) {
      throw new Error(
        'SEGMENTATION_ENGINE=gds needs the Neo4j Graph Data Science plugin, which this Neo4j does not have ' +
          '(gds.version() is unknown): leave NEO4J_URI unset so the embedded Neo4j starts with GDS, install the plugin ' +
          'in your Neo4j, or set SEGMENTATION_ENGINE=graphology',
      );
    }
    return version;
  }

  async segment(run: EngineRun): Promise<Segmented> {
    if (run.decay) {
      // The GDS projection counts interests without weights (gds-project-interests.cypher): nothing to decay there.
      throw new Error('time-decayed interests (halfLifeDays) need SEGMENTATION_ENGINE=graphology');
    }
    let t0 = performance.now();
    // Named after the run, so recovery and the start-up sweep can tell whose graphs they are.
    const gds = await segmentWithGds(this.db, run.params, {
      graphName: gdsGraphName(run.runId),
      excluded: [...(run.excludedTopics ?? [])],
    });
    const topicSet = new Set(gds.topicIds);
    const meta = await topicMeta(this.repo, (id) => topicSet.has(id));
    // Everything before detection: the projection, support, similarity (the bulk of it) and the topics' names.
    const projectMs = performance.now() - t0 - gds.timings.detectMs - gds.timings.streamMs;
    run.checkStop();
    const previous = await run.previous();
    await run.enterDetect();
    t0 = performance.now();
    const edges = { nodeCount: gds.nodeCount, edgeA: gds.edgeA, edgeB: gds.edgeB, edgeWeight: gds.edgeWeight, active: gds.active };
    const result = await segmentDetected(
      {
        topicIds: gds.topicIds,
        support: gds.support,
        active: gds.active,
        users: gds.users,
        // Only the kept edges come back: grouping, labels and RELATED see those (exact while relatedPerTopic ≤ neighbours).
        edges,
        detectionEdges: edges,
        detection: gds.detection,
      },
      meta,
      run.params,
      previous,
      newSegmentId,
      (_level, membership) => segmentAudience(this.db, gds.topicIds, membership),
      // A level's per-segment quality from the people's co-interest, counted in the database (quality.ts).
      async (membership, count) => {
        let topics = 0;
        for (let i = 0; i < membership.length; i++) if (membership[i]! >= 0) topics++;
        return communityQuality(await segmentCohesion(this.db, gds.topicIds, membership, count), topics, run.params.minSupport);
      },
    );
    const detectMs = gds.timings.detectMs + gds.timings.streamMs + (performance.now() - t0);
    return { result, algorithm: gds.algorithm, projectMs, detectMs };
  }

  async dropRunLeftovers(runId: string): Promise<void> {
    await dropLeftoverGdsGraphs(this.db, { prefix: `${gdsGraphName(runId)}-` });
  }

  dropLeftovers(activeRunId: () => Promise<string | undefined>): Promise<string[]> {
    return dropLeftoverGdsGraphs(this.db, {
      keep: async () => {
        const active = await activeRunId();
        return (name) => active !== undefined && name.startsWith(`${gdsGraphName(active)}-`);
      },
    });
  }
}
