import { describe, expect, it } from 'vitest';
import { InterestStore, type PersonRecord } from '../affinity/interest-store.js';
import { RunModel } from '../affinity/run-model.js';
import { mulberry32 } from '../segmentation/random.js';
import { HoldingsWalker, PopulationCounts, tallyMembers, type Tally } from './population-counts.js';

const TOPICS = 40;

/** Topics t0..t39; every 5th in no segment, every 3rd without a category. */
function model(): RunModel {
  return RunModel.from({
    runId: 'r',
    segments: [0, 1, 2].map((s) => ({ segmentId: `s${s}`, label: `S${s}`, share: 1 / 3 })),
    memberships: Array.from({ length: TOPICS }, (_, t) => ({
      topicId: `t${t}`,
      segmentId: `s${t % 3}`,
      name: `T${t}`,
      category: t % 3 === 0 ? null : `c${t % 4}`,
    })).filter((_, t) => t % 5 !== 4),
    related: [],
  });
}

function randomPerson(rand: () => number, userId: string): PersonRecord {
  const topics = Array.from({ length: Math.floor(rand() * 7) }, () => `t${Math.floor(rand() * (TOPICS + 5))}`);
  // Duplicates and non-positive weights happen in the store's input too: they must not count twice, or at all.
  const weights = topics.map(() => (rand() < 0.1 ? 0 : 1 + Math.floor(rand() * 3)));
  return { userId, keys: [], consent: rand() > 0.15, topics, weights, removed: [] };
}

/** The counts by brute force, from each person's interests as stored. */
function bruteForce(store: InterestStore, m: RunModel) {
  const topics = new Map<string, number>();
  const categories = new Map<string, number>();
  let people = 0;
  for (let slot = 0; slot < store.slotCount; slot++) {
    if (store.userId(slot) === undefined || !store.consents(slot)) continue;
    const held = new Set<string>();
    store.forEachInterest(slot, (t, w) => {
      const id = store.topics.idOf(t);
      if (w > 0 && m.segmentOf(id) !== undefined) held.add(id);
    });
    if (held.size === 0) continue;
    people++;
    for (const id of held) topics.set(id, (topics.get(id) ?? 0) + 1);
    for (const c of new Set([...held].map((id) => m.categoryOf(id)).filter((c) => c !== undefined))) {
      categories.set(c!, (categories.get(c!) ?? 0) + 1);
    }
  }
  return { people, topics, categories };
}

function asMaps(store: InterestStore, m: RunModel, t: Tally) {
  const topics = new Map<string, number>();
  for (let i = 0; i < t.topics.length; i++) if (t.topics[i]! !== 0) topics.set(store.topics.idOf(i), t.topics[i]!);
  const categories = new Map<string, number>();
  t.categories.forEach((n, c) => n !== 0 && categories.set(m.categories[c]!, n));
  return { people: t.people, topics, categories };
}

describe('PopulationCounts', () => {
  it('counts consenting people with segmented interest, each topic and category once per person', async () => {
    const rand = mulberry32(7);
    const m = model();
    const store = new InterestStore();
    for (let i = 0; i < 500; i++) store.upsert(randomPerson(rand, `u${i}`));
    const counts = await new PopulationCounts(store, m).fill(async () => undefined, 64);
    expect(asMaps(store, m, counts)).toEqual(bruteForce(store, m));
    expect(counts.people).toBeGreaterThan(300);
  });

  it('stays exact through changes, arrivals and departures, also while it is being filled', async () => {
    const rand = mulberry32(11);
    const m = model();
    const store = new InterestStore();
    for (let i = 0; i < 400; i++) store.upsert(randomPerson(rand, `u${i}`));
    const counts = new PopulationCounts(store, m);
    // What PopulationSync does: retire before the slot changes, admit after.
    const change = () => {
      const id = `u${Math.floor(rand() * 480)}`;
      const slot = store.slotOf(id);
      if (slot !== undefined) counts.retire(slot);
      if (slot !== undefined && rand() < 0.2) {
        store.delete(id);
        counts.admit(slot);
      } else counts.admit(store.upsert(randomPerson(rand, id)));
    };
    // Changes land between the fill's slices, on both sides of its position.
    await counts.fill(async () => {
      for (let k = 0; k < 30; k++) change();
    }, 50);
    expect(asMaps(store, m, counts)).toEqual(bruteForce(store, m));
    for (let k = 0; k < 2000; k++) change();
    expect(asMaps(store, m, counts)).toEqual(bruteForce(store, m));
  });

  it('tallies a set of members the same way', async () => {
    const rand = mulberry32(3);
    const m = model();
    const store = new InterestStore();
    const members: number[] = [];
    const only = new InterestStore();
    for (let i = 0; i < 300; i++) {
      const p = randomPerson(rand, `u${i}`);
      const slot = store.upsert(p);
      if (i % 3 === 0) {
        members.push(slot);
        only.upsert(p);
      }
    }
    let pauses = 0;
    const tally = await tallyMembers(new HoldingsWalker(store, m), members, async () => void pauses++, 25);
    expect(pauses).toBe(4);
    const expected = bruteForce(only, m);
    const got = asMaps(store, m, tally);
    expect(got).toEqual(expected);
  });
});
