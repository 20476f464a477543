import { describe, expect, it } from 'vitest';
import { planEvents, VIEW_FACTOR } from './ingest-service.js';
import { topicKey } from '../graph/topic-key.js';

const ev = (id: string, kind: 'like' | 'unlike' | 'view' | 'purchase', at: string, extra: Record<string, unknown> = {}) => ({
  id,
  user: 'crm:x',
  userId: 'u1',
  topic: 'Trail Running',
  kind,
  weight: 1,
  at,
  ...extra,
});

describe('planEvents', () => {
  it('lets the latest like/unlike decide, in event time, and adds up views', () => {
    const plan = planEvents([
      ev('2', 'unlike', '2026-10-02T00:00:00.000Z'),
      ev('1', 'like', '2026-10-01T00:00:00.000Z', { weight: 3 }),
      ev('3', 'view', '2026-10-03T00:00:00.000Z', { weight: 2 }),
      ev('4', 'view', '2026-10-01T00:00:00.000Z'),
    ]);
    expect(plan.unlikes).toEqual([{ userId: 'u1', key: 'trail running' }]);
    expect(plan.signals).toEqual([
      { userId: 'u1', key: 'trail running', like: null, views: 3 * VIEW_FACTOR, at: '2026-10-03T00:00:00.000Z' },
    ]);
  });

  it('keeps a like that comes after an unlike, and normalizes topics across spellings', () => {
    const plan = planEvents([
      ev('1', 'unlike', '2026-10-01T00:00:00.000Z', { topic: 'trail  running' }),
      ev('2', 'like', '2026-10-02T00:00:00.000Z', { topic: 'TRAIL RUNNING', category: 'Sport', weight: 2 }),
    ]);
    expect(plan.unlikes).toEqual([]);
    expect(plan.signals).toEqual([expect.objectContaining({ key: topicKey('Trail Running'), like: 2, views: 0 })]);
    expect(plan.topics).toEqual([expect.objectContaining({ key: 'trail running', name: 'TRAIL RUNNING', category: 'Sport' })]);
  });

  it('turns purchases into purchase rows keyed by event id', () => {
    const plan = planEvents([ev('p1', 'purchase', '2026-10-01T00:00:00.000Z', { sku: 'S-1', amount: 5, weight: 2 })]);
    expect(plan.signals).toEqual([]);
    expect(plan.purchases).toEqual([
      {
        userId: 'u1',
        purchases: [{ key: 'event:p1', sku: 'S-1', amount: 5, at: '2026-10-01T00:00:00.000Z', topicKey: 'trail running', weight: 2 }],
      },
    ]);
  });
});
