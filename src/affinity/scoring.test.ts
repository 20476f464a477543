import { describe, expect, it } from 'vitest';
import { MAX_TOPICS_PER_SEGMENT, scoreSegments, segmentAffinities, suggestTopics, type Interest, type RelatedTopic } from './scoring.js';
import { mulberry32 } from '../segmentation/random.js';

function population(seed: number, users: number, topics: number, segments: number) {
  const rand = mulberry32(seed);
  // Topic i is in segment i % segments, except every 7th topic which is in none (below support, say).
  const segmentOf = (topicId: string) => {
    const i = Number(topicId.slice(1));
    return i % 7 === 6 ? undefined : `s${i % segments}`;
  };
  const people: Interest[][] = [];
  for (let u = 0; u < users; u++) {
    const n = Math.floor(rand() * 12);
    const mine: Interest[] = [];
    const seen = new Set<number>();
    for (let k = 0; k < n; k++) {
      const t = Math.floor(rand() * topics);
      if (seen.has(t)) continue;
      seen.add(t);
      mine.push({ topicId: `t${t}`, name: `Topic ${t}`, weight: 1 + Math.floor(rand() * 5) });
    }
    people.push(mine);
  }
  return { people, segmentOf };
}

describe('segmentAffinities', () => {
  it('splits a user weight over segments: shares sum to 1, sorted descending, unsegmented topics ignored', () => {
    const { people, segmentOf } = population(42, 500, 60, 5);
    let withSegments = 0;
    for (const interests of people) {
      const affs = segmentAffinities(interests, segmentOf);
      const segmented = interests.filter((i) => segmentOf(i.topicId) !== undefined);
      if (segmented.length === 0) {
        expect(affs).toEqual([]);
        continue;
      }
      withSegments++;
      expect(affs.reduce((s, a) => s + a.affinity, 0)).toBeCloseTo(1, 9);
      for (let i = 1; i < affs.length; i++) expect(affs[i - 1]!.affinity).toBeGreaterThanOrEqual(affs[i]!.affinity);
      // Each segment's affinity is exactly its weight over the segmented total.
      const total = segmented.reduce((s, i) => s + i.weight, 0);
      for (const a of affs) {
        const w = segmented.filter((i) => segmentOf(i.topicId) === a.segmentId).reduce((s, i) => s + i.weight, 0);
        expect(a.affinity).toBeCloseTo(w / total, 12);
        expect(a.topics.length).toBeGreaterThan(0);
      }
    }
    expect(withSegments).toBeGreaterThan(300);
  });

  it('lists the topics that put the user in a segment, heaviest first, capped', () => {
    const interests: Interest[] = [
      { topicId: 'a', name: 'Alpha', weight: 1 },
      { topicId: 'b', name: 'Beta', weight: 3 },
      { topicId: 'c', name: 'Gamma', weight: 2 },
      { topicId: 'd', name: 'Delta', weight: 6 },
      { topicId: 'x', name: 'Nowhere', weight: 100 },
    ];
    const seg: Record<string, string> = { a: 'S1', b: 'S1', c: 'S1', d: 'S2' };
    const affs = segmentAffinities(interests, (t) => seg[t]);
    expect(affs).toEqual([
      { segmentId: 'S1', affinity: 0.5, topics: ['Beta', 'Gamma', 'Alpha'] },
      { segmentId: 'S2', affinity: 0.5, topics: ['Delta'] },
    ]);
    const many = Array.from({ length: 30 }, (_, i) => ({ topicId: `m${i}`, name: `M${i}`, weight: i + 1 }));
    const [only] = segmentAffinities(many, () => 'S');
    expect(only!.topics).toHaveLength(MAX_TOPICS_PER_SEGMENT);
    expect(only!.topics[0]).toBe('M29');
  });

  it('ignores non-positive or non-finite weights', () => {
    const affs = segmentAffinities(
      [
        { topicId: 'a', name: 'A', weight: 0 },
        { topicId: 'b', name: 'B', weight: -2 },
        { topicId: 'c', name: 'C', weight: Number.NaN },
        { topicId: 'd', name: 'D', weight: 2 },
      ],
      () => 'S',
    );
    expect(affs).toEqual([{ segmentId: 'S', affinity: 1, topics: ['D'] }]);
  });
});

describe('shares and lift', () => {
  it('shares sum to 1 and the population mean of lift is 1 in every segment', () => {
    const { people, segmentOf } = population(7, 800, 90, 6);
    const all = people.map((p) => segmentAffinities(p, segmentOf));
    // share(s) as the run defines it: the mean of affinity(u, s) over people with segmented interest.
    const withSegments = all.filter((a) => a.length > 0).length;
    const shares = new Map<string, number>();
    for (const a of all) for (const s of a) shares.set(s.segmentId, (shares.get(s.segmentId) ?? 0) + s.affinity / withSegments);
    expect([...shares.values()].reduce((s, x) => s + x, 0)).toBeCloseTo(1, 9);
    const liftSums = new Map<string, number>();
    for (const a of all) {
      for (const s of scoreSegments(
        a,
        (id) => shares.get(id),
        (id) => `label ${id}`,
      )) {
        expect(s.label).toBe(`label ${s.segmentId}`);
        expect(s.lift).toBeCloseTo(s.affinity / shares.get(s.segmentId)!, 3);
        liftSums.set(s.segmentId, (liftSums.get(s.segmentId) ?? 0) + s.lift);
      }
    }
    for (const [, sum] of liftSums) expect(sum / withSegments).toBeCloseTo(1, 2);
  });

  it('gives lift 0 for a segment without population share', () => {
    const [s] = scoreSegments(
      [{ segmentId: 'new', affinity: 1, topics: ['T'] }],
      () => undefined,
      () => 'New',
    );
    expect(s).toEqual({ segmentId: 'new', label: 'New', affinity: 1, lift: 0, topics: ['T'] });
  });
});

describe('suggestTopics', () => {
  const related: Record<string, RelatedTopic[]> = {
    run: [
      { id: 'shoes', name: 'Running shoes', weight: 10 },
      { id: 'marathon', name: 'Marathon', weight: 5 },
      { id: 'bike', name: 'Cycling', weight: 2 },
    ],
    bike: [
      { id: 'run', name: 'Running', weight: 4 },
      { id: 'marathon', name: 'Marathon', weight: 4 },
    ],
  };
  const interests: Interest[] = [
    { topicId: 'run', name: 'Running', weight: 3 },
    { topicId: 'bike', name: 'Cycling', weight: 1 },
  ];

  it('scores related topics the user does not have, by weight share and relative edge weight', () => {
    const out = suggestTopics(interests, (t) => related[t]);
    // marathon: 0.75 * 5/10 + 0.25 * 4/4 = 0.625; shoes: 0.75 * 10/10 = 0.75
    expect(out).toEqual([
      { id: 'shoes', name: 'Running shoes', score: 0.75 },
      { id: 'marathon', name: 'Marathon', score: 0.625 },
    ]);
  });

  it('leaves out removed topics and honours the limit', () => {
    expect(suggestTopics(interests, (t) => related[t], new Set(['shoes']))).toEqual([{ id: 'marathon', name: 'Marathon', score: 0.625 }]);
    expect(suggestTopics(interests, (t) => related[t], new Set(), 1)).toHaveLength(1);
    expect(suggestTopics([], (t) => related[t])).toEqual([]);
  });

  it('counts a neighbour listed in both directions once', () => {
    const twice = (t: string) => (t === 'run' ? [...related.run!, { id: 'shoes', name: 'Running shoes', weight: 7 }] : related[t]);
    expect(suggestTopics(interests, twice)).toEqual(suggestTopics(interests, (t) => related[t]));
  });

  it('gives what scoring every neighbour and sorting them all gives, ties and duplicates included', () => {
    const rand = mulberry32(7);
    // Few distinct names and weights on a coarse grid: many equal scores, so the order of ties is checked too.
    const lists = new Map<string, RelatedTopic[]>();
    const rel = (t: string): RelatedTopic[] => {
      let list = lists.get(t);
      if (!list) {
        list = Array.from({ length: Math.floor(rand() * 14) }, () => {
          const k = Math.floor(rand() * 30);
          return { id: `n${k}`, name: `name ${k % 7}`, weight: Math.floor(rand() * 4) };
        });
        lists.set(t, list);
      }
      return list;
    };
    const { people } = population(3, 60, 30, 8);
    for (const [n, p] of people.entries()) {
      const exclude = new Set(n % 3 === 0 ? ['n1', 'n2'] : []);
      const limit = 1 + (n % 12);
      expect(suggestTopics(p, rel, exclude, limit)).toEqual(sortedSuggestions(p, rel, exclude, limit));
    }
  });

  it('keeps scores within 0..1 on random graphs', () => {
    const rand = mulberry32(99);
    const rel = (t: string): RelatedTopic[] =>
      Array.from({ length: 5 }, (_, k) => ({ id: `${t}-${k}`, name: `${t}-${k}`, weight: rand() * 10 }));
    const { people } = population(3, 100, 40, 4);
    for (const p of people) {
      for (const s of suggestTopics(p, rel)) {
        expect(s.score).toBeGreaterThan(0);
        expect(s.score).toBeLessThanOrEqual(1);
      }
    }
  });
});

/** The definition, written the plain way: every neighbour scored, everything sorted (stable), the first `limit` kept. */
function sortedSuggestions(
  interests: readonly Interest[],
  relatedOf: (topicId: string) => readonly RelatedTopic[] | undefined,
  exclude: ReadonlySet<string>,
  limit: number,
) {
  const own = new Set(interests.map((i) => i.topicId));
  const total = interests.reduce((s, i) => s + (i.weight > 0 ? i.weight : 0), 0);
  const scores = new Map<string, { name: string; score: number }>();
  for (const i of interests) {
    if (!(i.weight > 0)) continue;
    const strongest = new Map<string, RelatedTopic>();
    for (const r of relatedOf(i.topicId) ?? []) if (r.weight > 0 && r.weight > (strongest.get(r.id)?.weight ?? 0)) strongest.set(r.id, r);
    const max = Math.max(0, ...[...strongest.values()].map((r) => r.weight));
    if (max === 0) continue;
    for (const r of strongest.values()) {
      if (own.has(r.id) || exclude.has(r.id)) continue;
      const e = scores.get(r.id) ?? { name: r.name, score: 0 };
      e.score += (i.weight / total) * (r.weight / max);
      scores.set(r.id, e);
    }
  }
  return [...scores]
    .map(([id, e]) => ({ id, name: e.name, score: Math.round(e.score * 1e4) / 1e4 }))
    .sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, limit);
}
