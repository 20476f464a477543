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
 */
export function segmentOfOne(store: InterestStore, slot: number, model: RunModel | null, asOfMs = Date.now()): AffinityDoc {
  if (!model) return emptyDoc(null);
  if (!store.consents(slot)) return emptyDoc(model.runId);
  const interests: Interest[] = [];
  store.forEachInterest(slot, (topic, weight) => {
    const topicId = store.topics.idOf(topic);
    interests.push({ topicId, name: model.nameOf(topicId) ?? topicId, weight });
  }, model.decayAt(asOfMs));
  const removed = store.removedTopics(slot);
  const exclude = new Set<string>();
  if (removed) for (const t of removed) exclude.add(store.topics.idOf(t));
  return {
    runId: model.runId,
    segments: scoreSegments(
      segmentAffinities(interests, (t) => model.segmentOf(t)),
      (id) => model.shareOf(id),
      (id) => model.labelOf(id),
    ),
    suggestedTopics: suggestTopics(interests, (t) => model.relatedOf(t), exclude),
  };
}
