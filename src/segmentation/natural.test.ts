import { describe, expect, it } from 'vitest';
import { generateMixtures } from '../../scripts/lib/planted-mixtures.js';
import { detectCommunities } from './communities.js';
import { naturalCommunities } from './natural.js';
import { Holders } from './placement.js';
import { InterestCollector, project, sparsify } from './projection.js';
import { DEFAULT_PARAMS } from './pipeline.js';
import { nmi } from './stability.js';

function run(opts: Parameters<typeof generateMixtures>[0], seed = 42) {
  const data = generateMixtures(opts);
  const c = new InterestCollector();
  for (const p of data.people)
    c.addUser(
      p.topics.map((t) => data.topics[t]!),
      p.weights,
    );
  c.sortTopics();
  const truth = c.topicIds.map((id) => data.community[data.topics.indexOf(id)]!);
  const p = project(c, DEFAULT_PARAMS);
  const g = { ...p, keep: sparsify(p, DEFAULT_PARAMS.neighbours), active: p.active };
  const detection = detectCommunities(g, { resolution: 1, seed });
  const natural = naturalCommunities(new Holders(c, c.topicIds.length), detection, g, {
    resolution: 1,
    seed,
    minSize: 3,
    minSupport: 2,
    minPeople: p.coreSupport,
  });
  return { data, truth, detection, natural, core: p.active, c };
}

describe('naturalCommunities', () => {
  it('finds every planted community where Louvain alone merges small ones, and places every topic', () => {
    const r = run({ people: 8000, communities: 60, interests: 15, popularityExponent: 1, seed: 3 });
    const louvain = new Set(Array.from(r.detection.coarse).filter((c) => c >= 0)).size;
    expect(louvain).toBeLessThan(60);
    expect(r.natural.count).toBe(60);
    expect(r.natural.quality.every((q) => q.significant)).toBe(true);
    expect(Array.from(r.natural.membership).every((c) => c >= 0)).toBe(true);
    expect(nmi(r.truth, Array.from(r.natural.membership))).toBeGreaterThan(0.97);
  }, 60_000);

  it('places rare topics (outside detection) with their community', () => {
    const r = run({ people: 10000, communities: 40, interests: 12, seed: 4 });
    // Rare but not single: a topic one person holds can only follow that person's largest community.
    const support = new Map<number, number>();
    for (const p of r.data.people) for (const t of p.topics) support.set(t, (support.get(t) ?? 0) + 1);
    const supportOf = (i: number) => support.get(r.data.topics.indexOf(r.c.topicIds[i]!))!;
    const rare = r.truth.map((_, i) => i).filter((i) => !r.core[i] && supportOf(i) >= 2);
    expect(rare.length).toBeGreaterThan(30);
    // Each community stands for the planted community most of its frequent topics come from.
    const votes = new Map<number, Map<number, number>>();
    r.truth.forEach((t, i) => {
      if (!r.core[i]) return;
      const v = votes.get(r.natural.membership[i]!) ?? new Map<number, number>();
      v.set(t, (v.get(t) ?? 0) + 1);
      votes.set(r.natural.membership[i]!, v);
    });
    const stands = new Map([...votes].map(([c, v]) => [c, [...v].sort((x, y) => y[1] - x[1])[0]![0]]));
    const right = rare.filter((i) => stands.get(r.natural.membership[i]!) === r.truth[i]).length;
    expect(right / rare.length).toBeGreaterThan(0.75);
  }, 60_000);

  it('flags nothing significant in data without communities, and is reproducible for a seed', () => {
    const a = run({ people: 3000, communities: 12, interests: 12, seed: 5, pureNoise: true });
    expect(a.natural.quality.filter((q) => q.significant)).toHaveLength(0);
    const b = run({ people: 3000, communities: 12, interests: 12, seed: 5, pureNoise: true });
    expect(Array.from(b.natural.membership)).toEqual(Array.from(a.natural.membership));
  }, 60_000);
});
