/**
 * A person's segment of one, computed on read: a pure function of their interests (InterestStore) and the visible
 * run (RunModel). Nothing per person is stored per run, so a run becomes visible without touching anyone's data.
 */
import type { InterestStore } from './interest-store.js';
import type { RunModel } from './run-model.js';
import {
  scoreSegments,
  segmentAffinities,
  suggestTopics,
  type Interest,
  type RelatedTopic,
  type ScoredSegment,
  type SuggestedTopic,
} from './scoring.js';

export interface AffinityDoc {
  runId: string | null;
  segments: ScoredSegment[];
  suggestedTopics: SuggestedTopic[];
}

export function emptyDoc(runId: string | null): AffinityDoc {
  return { runId, segments: [], suggestedTopics: [] };
}

/**
 * No run yet, no consent: an empty document (the person exists; a withdrawal shows as nothing, never as a 404). When the
 * run decays interests (its half-lives), weights are decayed to `asOfMs`; otherwise it plays no part.
 * `hidden` topics (sensitive ones) are never suggested, also when the run was computed before they were marked.
 */
export function segmentOfOne(
  store: InterestStore,
  slot: number,
  model: RunModel | null,
  asOfMs = Date.now(),
  hidden: (topicId: string) => boolean = () => false,
): AffinityDoc {
  if (!model) return emptyDoc(null);
  if (!store.consents(slot)) return emptyDoc(model.runId);
  const interests: Interest[] = [];
  store.forEachInterest(
    slot,
    (topic, weight) => {
      const topicId = store.topics.idOf(topic);
      interests.push({ topicId, name: model.nameOf(topicId) ?? topicId, weight });
    },
    model.decayAt(asOfMs),
  );
  const removed = store.removedTopics(slot);
  const exclude = new Set<string>();
  if (removed) for (const t of removed) exclude.add(store.topics.idOf(t));
  return {
    runId: model.runId,
    segments: scoreSegments(
      segmentAffinities(interests, (t) => model.segmentOf(t)),
      (id) => model.shareOf(id),
      (id) => model.visibleLabelOf(id, hidden),
    ),
    suggestedTopics: suggestTopics(interests, (t) => withoutHidden(model.relatedOf(t), hidden), exclude),
  };
}

/** The list itself when nothing in it is hidden (the usual case: no copy on the read path). */
function withoutHidden(
  related: readonly RelatedTopic[] | undefined,
  hidden: (topicId: string) => boolean,
): readonly RelatedTopic[] | undefined {
  return related?.some((r) => hidden(r.id)) ? related.filter((r) => !hidden(r.id)) : related;
}
