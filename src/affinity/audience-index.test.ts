import { describe, expect, it } from 'vitest';
import { AudienceIndex, type AudienceFilter } from './audience-index.js';
import { InterestStore } from './interest-store.js';
import { RunModel } from './run-model.js';
import { segmentOfOne } from './segment-of-one.js';
import { mulberry32 } from '../segmentation/random.js';

const SEGMENTS = 5;
const TOPICS = 60;

function world(seed: number, people: number) {
  const rand = mulberry32(seed);
  const model = RunModel.from({
    runId: 'r',
    segments: Array.from({ length: SEGMENTS }, (_, s) => ({ segmentId: `s${s}`, label: `S${s}`, share: s === 4 ? 0 : 0.1 + s * 0.05 })),
    // Every 6th topic is in no segment.
    memberships: Array.from({ length: TOPICS }, (_, t) => ({ topicId: `t${t}`, segmentId: `s${t % SEGMENTS}`, name: `T${t}` })).filter(
      (_, t) => t % 6 !== 5,
    ),
    related: [],
  });
  const store = new InterestStore();
  const randomPerson = (id: string) => {
    const topics = [...new Set(Array.from({ length: Math.floor(rand() * 8) }, () => `t${Math.floor(rand() * TOPICS)}`))];
    return {
      userId: id,
      keys: [`crm:${id}`],
      consent: rand() > 0.1,
      topics,
      weights: topics.map(() => 1 + Math.floor(rand() * 3)),
      removed: [],
    };
  };
  for (let i = 0; i < people; i++) store.upsert(randomPerson(`u${String(i).padStart(4, '0')}`));
  return { rand, model, store, randomPerson };
}

/** Every member by brute force: each person's segment of one, as GET /v1/users/:user/affinities shows it. */
function expected(store: InterestStore, model: RunModel, segmentId: string, filter: AudienceFilter) {
  const out: Array<{ userId: string; affinity: number; lift: number }> = [];
  for (let slot = 0; slot < store.slotCount; slot++) {
    const userId = store.userId(slot);
    if (userId === undefined) continue;
    const s = segmentOfOne(store, slot, model).segments.find((x) => x.segmentId === segmentId);
    if (s && s.affinity >= filter.minAffinity && s.lift >= filter.minLift) out.push({ userId, affinity: s.affinity, lift: s.lift });
  }
  return out.sort((a, b) => b.affinity - a.affinity || (a.userId < b.userId ? -1 : 1));
}

function allPages(index: AudienceIndex, segment: number, filter: AudienceFilter, limit: number) {
  const out: Array<{ userId: string; affinity: number; lift: number }> = [];
  let after: { affinity: number; userId: string } | undefined;
  for (;;) {
    const page = index.page(segment, filter, after, limit);
    out.push(...page.map(({ userId, affinity, lift }) => ({ userId, affinity, lift })));
    if (page.length < limit) return out;
    after = page[page.length - 1]!;
  }
}

describe('AudienceIndex', () => {
  it("pages through exactly the members a person's segment of one shows, in order, at any filter", async () => {
    const { model, store } = world(3, 1500);
    const index = await new AudienceIndex(store, model).fill(async () => undefined, 97);
    for (const [segment, filter] of [
      [0, { minAffinity: 0, minLift: 0 }],
      [2, { minAffinity: 0.3, minLift: 0 }],
      [3, { minAffinity: 0, minLift: 2 }],
      [4, { minAffinity: 0, minLift: 0 }],
    ] as const) {
      const want = expected(store, model, `s${segment}`, filter);
      expect(want.length).toBeGreaterThan(segment === 4 ? 0 : 50);
      expect(allPages(index, segment, filter, 37)).toEqual(want);
      expect(index.count(segment, filter)).toBe(want.length);
    }
  });

  it('follows changes made after it was built: new, changed, withdrawn and deleted people', async () => {
    const { rand, model, store, randomPerson } = world(5, 800);
    const index = await new AudienceIndex(store, model).fill(async () => undefined);
    const touch = (slot: number | undefined) => slot !== undefined && index.touch(slot);
    for (let i = 0; i < 200; i++) {
      const id = `u${String(Math.floor(rand() * 1000)).padStart(4, '0')}`;
      if (rand() < 0.2) {
        const slot = store.slotOf(id);
        if (store.delete(id)) touch(slot);
      } else touch(store.upsert(randomPerson(id)));
    }
    for (let segment = 0; segment < SEGMENTS; segment++) {
      const filter = { minAffinity: 0.1, minLift: 0 };
      expect(allPages(index, segment, filter, 50)).toEqual(expected(store, model, `s${segment}`, filter));
    }
    expect(index.outdated).toBe(false);
  });

  it('is built in slices while changes arrive, and says when a rebuild is due', async () => {
    const { model, store, randomPerson } = world(9, 3000);
    const index = new AudienceIndex(store, model);
    let n = 0;
    await index.fill(async () => {
      // Someone changes between every slice.
      index.touch(store.upsert(randomPerson(`u${String(n++ * 7).padStart(4, '0')}`)));
    }, 250);
    expect(allPages(index, 1, { minAffinity: 0, minLift: 0 }, 500)).toEqual(expected(store, model, 's1', { minAffinity: 0, minLift: 0 }));
    for (let i = 0; i < 1200; i++) index.touch(store.upsert(randomPerson(`v${i}`)));
    expect(index.outdated).toBe(true);
  });
});
