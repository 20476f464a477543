import { describe, expect, it } from 'vitest';
import { InterestStore, type PersonRecord } from './interest-store.js';
import { mulberry32 } from '../segmentation/random.js';
import { DAY_MS, halfLifeMs } from '../segmentation/decay.js';

const person = (userId: string, topics: string[], over: Partial<PersonRecord> = {}): PersonRecord => ({
  userId,
  keys: [],
  consent: true,
  topics,
  weights: topics.map((_, i) => i + 1),
  removed: [],
  ...over,
});

const interestsOf = (store: InterestStore, slot: number) => {
  const out: Array<[string, number]> = [];
  store.forEachInterest(slot, (t, w) => out.push([store.topics.idOf(t), w]));
  return out;
};

describe('InterestStore', () => {
  it('holds people by id and by identity key, and replaces what changed', () => {
    const store = new InterestStore();
    const a = store.upsert(person('u1', ['t1', 't2'], { keys: ['crm:1', 'facebook:9'] }));
    expect(store.resolve('u1')).toBe(a);
    expect(store.resolve('crm:1')).toBe(a);
    expect(store.resolve('facebook:9')).toBe(a);
    expect(interestsOf(store, a)).toEqual([
      ['t1', 1],
      ['t2', 2],
    ]);
    const v = store.version(a);

    store.upsert(person('u1', ['t3'], { keys: ['crm:1'], consent: false, removed: ['t1'] }));
    expect(store.resolve('facebook:9')).toBeUndefined();
    expect(interestsOf(store, a)).toEqual([['t3', 1]]);
    expect(store.consents(a)).toBe(false);
    expect([...store.removedTopics(a)!].map((t) => store.topics.idOf(t))).toEqual(['t1']);
    expect(store.version(a)).toBeGreaterThan(v);
    expect(store.size).toBe(1);
  });

  it('keeps consent per purpose: personalization and marketing only with segmentation, absent means given', () => {
    const store = new InterestStore();
    const all = store.upsert(person('u1', ['t1']));
    expect([store.consents(all), store.personalizes(all), store.markets(all)]).toEqual([true, true, true]);
    const noMarketing = store.upsert(person('u2', ['t1'], { marketing: false }));
    expect([store.consents(noMarketing), store.personalizes(noMarketing), store.markets(noMarketing)]).toEqual([true, true, false]);
    const noPersonal = store.upsert(person('u3', ['t1'], { personalization: false, marketing: true }));
    expect([store.consents(noPersonal), store.personalizes(noPersonal), store.markets(noPersonal)]).toEqual([true, false, true]);
    const none = store.upsert(person('u4', [], { consent: false, personalization: true, marketing: true }));
    expect([store.consents(none), store.personalizes(none), store.markets(none)]).toEqual([false, false, false]);
    store.upsert(person('u2', ['t1'], { marketing: true }));
    expect(store.markets(noMarketing)).toBe(true);
  });

  it('forgets a deleted person under every address and reuses the slot for someone else', () => {
    const store = new InterestStore();
    const a = store.upsert(person('u1', ['t1'], { keys: ['crm:1'] }));
    expect(store.delete('u1')).toBe(true);
    expect(store.delete('u1')).toBe(false);
    expect(store.resolve('crm:1')).toBeUndefined();
    expect(store.resolve('u1')).toBeUndefined();
    expect(store.userId(a)).toBeUndefined();
    const b = store.upsert(person('u2', ['t2'], { keys: ['crm:2'] }));
    expect(b).toBe(a);
    expect(interestsOf(store, b)).toEqual([['t2', 1]]);
    expect(store.size).toBe(1);
  });

  it('addresses a person by their crm identity, else facebook, else their id', () => {
    const store = new InterestStore();
    expect(store.address(store.upsert(person('u1', [], { keys: ['facebook:5', 'crm:b', 'crm:a'] })))).toBe('crm:a');
    expect(store.address(store.upsert(person('u2', [], { keys: ['other:1', 'facebook:5x'] })))).toBe('facebook:5x');
    expect(store.address(store.upsert(person('u3', [])))).toBe('u3');
  });

  it('keeps every person intact through many rewrites (arena compaction), checked against a plain map', () => {
    const rand = mulberry32(11);
    const store = new InterestStore();
    const truth = new Map<string, Array<[string, number]>>();
    for (let step = 0; step < 60_000; step++) {
      const id = `u${Math.floor(rand() * 500)}`;
      if (rand() < 0.1) {
        store.delete(id);
        truth.delete(id);
        continue;
      }
      const topics = Array.from({ length: Math.floor(rand() * 30) }, () => `t${Math.floor(rand() * 2000)}`);
      const weights = topics.map(() => Math.round(rand() * 100) / 4);
      store.upsert({ userId: id, keys: [`crm:${id}`], consent: true, topics, weights, removed: [] });
      truth.set(
        id,
        topics.map((t, i) => [t, weights[i]!]),
      );
    }
    expect(store.size).toBe(truth.size);
    for (const [id, interests] of truth) expect(interestsOf(store, store.resolve(`crm:${id}`)!)).toEqual(interests);
  });

  it("keeps each interest's lastSeen and per-source weights through compaction, for decay on read", () => {
    const store = new InterestStore();
    const now = Date.parse('2026-06-01T00:00:00Z');
    const decay = { asOfMs: now, halfLifeMs: halfLifeMs({ crm: 30 })! };
    // crm 1 (60 days old → 1/4 left) and facebook 2 (no half-life) on one interest; one interest without a known time.
    const decayed = (slot: number) => {
      const out: number[] = [];
      store.forEachInterest(slot, (_t, w) => out.push(w), decay);
      return out;
    };
    const keep = store.upsert(
      person('keep', ['t1', 't2'], {
        weights: [3, 1],
        decay: [
          [now - 60 * DAY_MS, 1, 2, 0, 0],
          [null, 1, 0, 0, 0],
        ],
      }),
    );
    for (let i = 0; i < 40_000; i++) store.upsert(person(`churn${i % 50}`, ['a', 'b', 'c', 'd'], { decay: [[now, 1, 0, 0, 0]] }));
    expect(decayed(keep)).toEqual([2.25, 1]);
    expect(interestsOf(store, keep)).toEqual([
      ['t1', 3],
      ['t2', 1],
    ]);
  });
});
