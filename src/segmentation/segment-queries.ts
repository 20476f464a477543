import { AppError } from '../errors.js';
import type { Level } from './pipeline.js';
import type { SegmentationRepository, SegmentRecord } from './repository.js';
import { undirectedEdges } from './topic-graph.js';
import { visibleLabel } from './labels.js';
import type { VisibleRun } from './visible-run.js';

/** A segment shown as part of a group (curation, granularity) has no page of its own: its group's head does. */
function mergedAway(id: string, head: string): AppError {
  return new AppError(404, 'not-found', `Segment ${id} is shown as part of segment ${head} (merged); see ${head}`);
}

/**
 * What readers see of segmentation: always the visible run (the published one) as this process serves it
 * (visible-run.ts: polled from the database, switched together with everything that serves it here).
 */
export class SegmentQueries {
  private hidden: (topicId: string) => boolean = () => false;

  constructor(
    private readonly visible: VisibleRun,
    private readonly repo: SegmentationRepository,
  ) {}

  /** Topics left out of segments' top topics (sensitive ones: a run made before the mark still lists them). */
  hideTopics(hidden: (topicId: string) => boolean): void {
    this.hidden = hidden;
  }

  /** Without hidden topics, in its top topics and in a label that names one (any run's segment: audiences' runs too). */
  shown(s: SegmentRecord): SegmentRecord {
    if (!s.topTopics.some((t) => this.hidden(t.id))) return s;
    return { ...s, label: visibleLabel(s.label, s.topTopics, this.hidden), topTopics: s.topTopics.filter((t) => !this.hidden(t.id)) };
  }

  async listSegments(level: Level, skip: number, limit: number): Promise<{ runId: string | null; items: SegmentRecord[] }> {
    const run = await this.visible.get();
    if (!run) return { runId: null, items: [] };
    return { runId: run.id, items: (await this.repo.listSegments(run.id, level, skip, limit)).map((s) => this.shown(s)) };
  }

  async getSegment(id: string): Promise<SegmentRecord & { runId: string; metrics: Record<string, unknown> }> {
    const run = await this.visible.get();
    const segment = run && (await this.repo.getSegment(run.id, id));
    if (!run || !segment) throw AppError.notFound('Segment');
    if (segment.mergedInto) throw mergedAway(id, segment.mergedInto);
    const { mergedInto: _hidden, ...shown } = this.shown(segment);
    return { ...shown, runId: run.id, metrics: run.metrics ?? {} };
  }

  /** The visible run's topics (with their coarse segment) and co-interest links, for drawing the whole graph at once. */
  async topicGraph() {
    const run = await this.visible.get();
    if (!run) return { runId: null, nodes: [], edges: [] };
    const [nodes, links] = await Promise.all([this.repo.graphTopics(run.id), this.repo.graphEdges(run.id)]);
    return { runId: run.id, nodes, edges: undirectedEdges(links, new Set(nodes.map((n) => n.id))) };
  }

  /** With the run the topics come from, so that a paging client can tell when a newer run has replaced it. */
  async segmentTopics(id: string, skip: number, limit: number) {
    const run = await this.visible.get();
    const segment = run && (await this.repo.getSegment(run.id, id));
    if (!run || !segment) throw AppError.notFound('Segment');
    if (segment.mergedInto) throw mergedAway(id, segment.mergedInto);
    return { runId: run.id, items: await this.repo.listSegmentTopics(run.id, id, skip, limit) };
  }
}
