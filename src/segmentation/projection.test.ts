import { describe, expect, it } from 'vitest';
import { coreThreshold, edgeWeight, InterestCollector, project, sparsify, topNeighbours } from './projection.js';
import { mulberry32 } from './random.js';

function collect(users: string[][], weights?: number[][]) {
  const c = new InterestCollector();
  users.forEach((u, i) => c.addUser(u, weights?.[i] ?? u.map(() => 1)));
  return c;
}

describe('project', () => {
  it('counts every co-held pair like a brute-force count, caps and duplicates included', () => {
    const rng = mulberry32(3);
    const users = Array.from({ length: 400 }, () =>
      Array.from({ length: 1 + Math.floor(rng() * 12) }, () => `t${String(Math.floor(rng() * 60)).padStart(2, '0')}`),
    );
    const c = collect(users);
    const reference = new Map<string, number>();
    for (const u of users) {
      const distinct = [...new Set(u)].sort();
      for (let i = 0; i < distinct.length; i++)
        for (let j = i + 1; j < distinct.length; j++) {
          const k = `${distinct[i]}|${distinct[j]}`;
          reference.set(k, (reference.get(k) ?? 0) + 1);
        }
    }
    const p = project(c, { weighting: 'count', minSupport: 1, maxTopicsPerUser: 50 });
    expect(p.countedPairs).toBe(reference.size);
    const got = new Map<string, number>();
    for (let e = 0; e < p.edgeA.length; e++) {
      const [a, b] = [c.topicIds[p.edgeA[e]!]!, c.topicIds[p.edgeB[e]!]!].sort();
      got.set(`${a}|${b}`, p.edgeCount[e]!);
    }
    expect(got).toEqual(reference);
  });

  const users = [
    ['run', 'shoes', 'marathon'],
    ['run', 'shoes'],
    ['run', 'marathon'],
    ['cook', 'bread'],
    ['cook', 'bread', 'run'],
  ];

  it('weights an edge by the users who share both topics (count)', () => {
    const c = collect(users);
    const p = project(c, { weighting: 'count', minSupport: 1, maxTopicsPerUser: 50 });
    const idx = (t: string) => c.indexOf(t)!;
    const w = (a: string, b: string) => {
      for (let e = 0; e < p.edgeA.length; e++) {
        const x = p.edgeA[e]!;
        const y = p.edgeB[e]!;
        if ((x === idx(a) && y === idx(b)) || (x === idx(b) && y === idx(a))) return p.edgeWeight[e];
      }
      return undefined;
    };
    expect(w('run', 'shoes')).toBe(2);
    expect(w('run', 'marathon')).toBe(2);
    expect(w('cook', 'bread')).toBe(2);
    expect(w('run', 'bread')).toBe(1);
    expect(w('shoes', 'cook')).toBeUndefined();
    expect(p.support[idx('run')]).toBe(4);
    expect(p.users).toBe(5);
  });

  it('drops edges and topics below the minimum support', () => {
    const c = collect(users);
    const p = project(c, { weighting: 'count', minSupport: 2, maxTopicsPerUser: 50 });
    expect(p.edgeA.length).toBe(3); // run–shoes, run–marathon, cook–bread
    expect(Array.from(p.edgeCount)).toEqual([2, 2, 2]);
    expect(p.active[c.indexOf('run')!]).toBe(1);
  });

  it('caps each user to their heaviest interests so heavy users do not dominate', () => {
    const heavy = Array.from({ length: 40 }, (_, i) => `t${i}`);
    const c = collect([heavy, ['t0', 't1']], [heavy.map((_, i) => (i < 3 ? 5 : 1)), [1, 1]]);
    const capped = project(c, { weighting: 'count', minSupport: 1, maxTopicsPerUser: 3 });
    expect(capped.edgeA.length).toBe(3); // only t0,t1,t2 from the heavy user
    const uncapped = project(c, { weighting: 'count', minSupport: 1, maxTopicsPerUser: 100 });
    expect(uncapped.edgeA.length).toBe((40 * 39) / 2);
  });

  it('computes cosine, jaccard and npmi from the co-occurrence counts', () => {
    expect(edgeWeight('cosine', 2, 4, 2, 10)).toBeCloseTo(2 / Math.sqrt(8));
    expect(edgeWeight('jaccard', 2, 4, 2, 10)).toBeCloseTo(2 / 4);
    // independent topics: p(ab) = p(a)p(b) → npmi 0; always together → 1; rarer together than apart → negative
    expect(edgeWeight('npmi', 25, 50, 50, 100)).toBeCloseTo(0);
    expect(edgeWeight('npmi', 10, 10, 10, 100)).toBeCloseTo(1);
    expect(edgeWeight('npmi', 5, 50, 50, 100)).toBeLessThan(0);
    // held by every user: independent of everything (0/0 in the formula), not perfectly associated
    expect(edgeWeight('npmi', 100, 100, 100, 100)).toBe(0);
  });

  it('counts pairs only among topics with the minimum support (long tail)', () => {
    // every user: the two common topics plus ten topics nobody else has
    const users = Array.from({ length: 50 }, (_, u) => ['common-a', 'common-b', ...Array.from({ length: 10 }, (_, i) => `rare-${u}-${i}`)]);
    const c = collect(users);
    const p = project(c, { weighting: 'count', minSupport: 2, maxTopicsPerUser: 50 });
    expect(p.countedPairs).toBe(1);
    expect(p.edgeA.length).toBe(1);
    expect(p.edgeCount[0]).toBe(50);
    expect(project(c, { weighting: 'count', minSupport: 1, maxTopicsPerUser: 50 }).countedPairs).toBe(1 + 50 * 65);
  });

  it('counts a topic listed twice by one user once (weights summed), with no self-pair', () => {
    const c = collect(
      [
        ['a', 'b', 'a'],
        ['a', 'b'],
      ],
      [
        [1, 1, 2],
        [1, 1],
      ],
    );
    expect(c.edgeCount).toBe(4);
    const weights: number[] = [];
    c.forEachUser((topics, w, u) => {
      if (u === 0) weights.push(...Array.from(w));
    });
    expect(weights).toEqual([3, 1]);
    const p = project(c, { weighting: 'count', minSupport: 1, maxTopicsPerUser: 50 });
    expect(p.support[c.indexOf('a')!]).toBe(2);
    expect(p.countedPairs).toBe(1);
    expect(Array.from(p.edgeCount)).toEqual([2]);
  });

  it('keeps only positively associated pairs under npmi', () => {
    const rng = mulberry32(9);
    const c = new InterestCollector();
    for (let u = 0; u < 500; u++) {
      const group = u % 2 === 0 ? ['a', 'b', 'c'] : ['x', 'y', 'z'];
      const noise = ['a', 'b', 'c', 'x', 'y', 'z'][Math.floor(rng() * 6)]!;
      c.addUser([...new Set([...group, noise])], [1, 1, 1, 1]);
    }
    const p = project(c, { weighting: 'npmi', minSupport: 1, maxTopicsPerUser: 50 });
    const names = c.topicIds;
    for (let e = 0; e < p.edgeA.length; e++) {
      const same = 'abc'.includes(names[p.edgeA[e]!]!) === 'abc'.includes(names[p.edgeB[e]!]!);
      expect(same).toBe(true);
    }
  });
});

describe('InterestCollector.sortTopics', () => {
  it("renumbers topics in id order, whatever order they arrived in, keeping every user's interests", () => {
    const c = collect(
      [
        ['z', 'b'],
        ['m', 'a', 'z'],
      ],
      [
        [1, 2],
        [3, 4, 5],
      ],
    );
    expect(c.topicIds).toEqual(['z', 'b', 'm', 'a']);
    c.sortTopics();
    expect(c.topicIds).toEqual(['a', 'b', 'm', 'z']);
    const users: Array<Array<[string, number]>> = [];
    c.forEachUser((topics, weights) => users.push(Array.from(topics, (t, j) => [c.topicIds[t]!, weights[j]!])));
    expect(users).toEqual([
      [
        ['z', 1],
        ['b', 2],
      ],
      [
        ['m', 3],
        ['a', 4],
        ['z', 5],
      ],
    ]);
    expect(c.indexOf('m')).toBe(2);
    // later users keep working with the new numbering (and duplicates are still folded)
    c.addUser(['b', 'new', 'b'], [1, 1, 1]);
    expect(c.indexOf('new')).toBe(4);
    expect(c.edgeCount).toBe(7);
  });
});

/** A projection with just these edges (sparsify and topNeighbours read nothing else). */
function withEdges(nodeCount: number, edges: Array<[number, number, number]>) {
  return {
    nodeCount,
    support: new Int32Array(nodeCount),
    active: new Uint8Array(nodeCount).fill(1),
    users: 0,
    countedPairs: edges.length,
    edgeA: Int32Array.from(edges, (e) => e[0]),
    edgeB: Int32Array.from(edges, (e) => e[1]),
    edgeCount: Int32Array.from(edges, () => 1),
    edgeWeight: Float64Array.from(edges, (e) => e[2]),
  };
}

describe('sparsify and topNeighbours', () => {
  it('keeps an edge when it is among the k strongest of either endpoint', () => {
    // star: hub 0 with 5 leaves of increasing weight; leaves are otherwise unconnected
    const p = withEdges(6, [
      [0, 1, 1],
      [0, 2, 2],
      [0, 3, 3],
      [0, 4, 4],
      [0, 5, 5],
    ]);
    // every leaf has only one edge, so all survive even with k = 2
    expect(Array.from(sparsify(p, 2))).toEqual([1, 1, 1, 1, 1]);
    const top = topNeighbours(p, 2);
    expect(top[0]!.map((n) => n.topic)).toEqual([5, 4]);
    expect(top[3]!.map((n) => n.topic)).toEqual([0]);
  });

  it('drops an edge that is among the k strongest of neither endpoint', () => {
    // path 2 –5– 0 –1– 1 –5– 3: with k = 1, node 0 keeps 0–2, node 1 keeps 1–3; nobody keeps 0–1
    const p = withEdges(4, [
      [0, 1, 1],
      [0, 2, 5],
      [1, 3, 5],
    ]);
    expect(Array.from(sparsify(p, 1))).toEqual([0, 1, 1]);
    expect(Array.from(sparsify(p, 2))).toEqual([1, 1, 1]);
  });
});

describe('project with neighbours, and the core threshold', () => {
  // Random users over 60 topics with tied weights (count weighting): ties must break exactly as sparsify breaks them.
  const rng = mulberry32(17);
  const users = Array.from({ length: 400 }, () => [
    ...new Set(Array.from({ length: 6 }, () => `t${String(Math.floor(rng() * 60)).padStart(2, '0')}`)),
  ]);

  for (const weighting of ['count', 'npmi'] as const) {
    it(`keeps exactly sparsify's k-nearest-neighbour edges without listing every edge (${weighting})`, () => {
      const c = collect(users);
      c.sortTopics();
      const opts = { weighting, minSupport: 2, maxTopicsPerUser: 50 };
      const all = project(c, opts);
      const keep = sparsify(all, 5);
      const expected = Array.from(keep.keys())
        .filter((e) => keep[e])
        .map((e) => `${all.edgeA[e]}-${all.edgeB[e]}:${all.edgeCount[e]}`);
      const knn = project(c, { ...opts, neighbours: 5 });
      expect(Array.from(knn.edgeA, (a, e) => `${a}-${knn.edgeB[e]}:${knn.edgeCount[e]}`)).toEqual(expected);
      expect(Array.from(sparsify(knn, 5)).every((x) => x === 1)).toBe(true);
    });
  }

  it('raises the core threshold until at most maxCoreTopics topics take part', () => {
    expect(coreThreshold(Int32Array.from([5, 1, 9, 9, 3, 7]), 2, undefined)).toBe(2);
    expect(coreThreshold(Int32Array.from([5, 1, 9, 9, 3, 7]), 2, 10)).toBe(2);
    expect(coreThreshold(Int32Array.from([5, 1, 9, 9, 3, 7]), 2, 3)).toBe(6);
    // Ties at the cut stay out together: never more than the maximum.
    expect(coreThreshold(Int32Array.from([5, 1, 9, 9, 3, 7]), 2, 1)).toBe(10);
    // 400 people ask for one holder per thousand, so minSupport: coreSupport is only a cap.
    const small = project(collect(users), { weighting: 'count', minSupport: 2, maxTopicsPerUser: 50, coreSupport: 30 });
    expect(small.coreSupport).toBe(2);
    // 5,000 people: five holders, below the cap of 30.
    const many = Array.from({ length: 5000 }, (_, i) => users[i % users.length]!);
    const p = project(collect(many), { weighting: 'count', minSupport: 2, maxTopicsPerUser: 50, coreSupport: 30 });
    expect(p.coreSupport).toBe(5);
    for (let t = 0; t < p.nodeCount; t++) expect(p.active[t]).toBe(p.support[t]! >= 5 ? 1 : 0);
  });
});
