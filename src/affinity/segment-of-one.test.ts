import { describe, expect, it } from 'vitest';
import { InterestStore } from './interest-store.js';
import { RunModel } from './run-model.js';
import { segmentOfOne } from './segment-of-one.js';
import { scoreSegments, segmentAffinities, suggestTopics } from './scoring.js';

const model = RunModel.from({
  runId: 'r1',
  segments: [
    { segmentId: 's1', label: 'Outdoors', share: 0.25 },
    { segmentId: 's2', label: 'Crafts', share: 0.75 },
  ],
  memberships: [
    { topicId: 'hike', segmentId: 's1', name: 'Hiking' },
    { topicId: 'run', segmentId: 's1', name: 'Running' },
    { topicId: 'knit', segmentId: 's2', name: 'Knitting' },
    // A fine segment's membership is not a coarse segment of the run: ignored.
    { topicId: 'knit', segmentId: 'sub_x', name: 'Knitting' },
  ],
  related: [
    { fromId: 'hike', fromName: 'Hiking', toId: 'climb', toName: 'Climbing', weight: 4 },
    { fromId: 'swim', fromName: 'Swimming', toId: 'hike', toName: 'Hiking', weight: 2 },
    { fromId: 'knit', fromName: 'Knitting', toId: 'sew', toName: 'Sewing', weight: 1 },
  ],
});

describe('segmentOfOne', () => {
  const store = new InterestStore();
  const slot = store.upsert({
    userId: 'u1',
    keys: ['crm:1'],
    consent: true,
    topics: ['hike', 'run', 'knit', 'unsegmented'],
    weights: [2, 1, 1, 5],
    removed: ['swim'],
  });

  it("is the scoring of the person's interests against the run: affinity, lift, topics, suggestions", () => {
    const doc = segmentOfOne(store, slot, model);
    const interests = [
      { topicId: 'hike', name: 'Hiking', weight: 2 },
      { topicId: 'run', name: 'Running', weight: 1 },
      { topicId: 'knit', name: 'Knitting', weight: 1 },
      { topicId: 'unsegmented', name: 'unsegmented', weight: 5 },
    ];
    expect(doc).toEqual({
      runId: 'r1',
      segments: scoreSegments(
        segmentAffinities(interests, (t) => model.segmentOf(t)),
        (id) => model.shareOf(id),
        (id) => model.labelOf(id),
      ),
      suggestedTopics: suggestTopics(interests, (t) => model.relatedOf(t), new Set(['swim'])),
    });
    expect(doc.segments.map((s) => [s.segmentId, s.label, s.affinity, s.lift, s.topics])).toEqual([
      ['s1', 'Outdoors', 0.75, 3, ['Hiking', 'Running']],
      ['s2', 'Crafts', 0.25, 0.3333, ['Knitting']],
    ]);
    expect(doc.suggestedTopics.map((s) => s.id)).toEqual(['climb', 'sew']);
  });

  it('is empty without consent, and runless before the first run', () => {
    const other = store.upsert({ userId: 'u2', keys: [], consent: false, topics: [], weights: [], removed: [] });
    expect(segmentOfOne(store, other, model)).toEqual({ runId: 'r1', segments: [], suggestedTopics: [] });
    expect(segmentOfOne(store, slot, null)).toEqual({ runId: null, segments: [], suggestedTopics: [] });
  });
});
