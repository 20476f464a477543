import { describe, expect, it } from 'vitest';
import { emailHash } from '../users/user-identity.js';
import { BulkPlanner, BulkTopics, type PersonRows } from './bulk-plan.js';
import { ProfileRecord } from './schemas.js';

const NOW = '2026-11-29T00:00:00.000Z';
const SECRET = 'unit-test-secret-key';

function plan(lines: Array<[number, unknown]>, hints: { repeatedIds?: string[]; sharedEmails?: string[] } = {}) {
  const topics = new BulkTopics();
  const people: PersonRows[] = [];
  let id = 0;
  const planner = new BulkPlanner(
    { secretKey: SECRET, now: NOW, topics, newId: () => `u${id++}` },
    { repeatedIds: new Set(hints.repeatedIds), sharedEmails: new Set(hints.sharedEmails) },
    (p) => people.push(p),
  );
  for (const [line, value] of lines) planner.add({ line, record: ProfileRecord.parse(value) });
  planner.finish();
  return { people, topics: [...topics.rows()] };
}

describe('BulkPlanner', () => {
  it('names a topic by its earliest mention in the file and takes the first category given, whatever the planning order', () => {
    const { topics } = plan(
      [
        [5, { externalId: 'late', interests: [{ topic: 'CHESS', category: 'Late' }] }],
        [2, { externalId: 'held', interests: [{ topic: 'Chess' }, { topic: 'chess', category: 'Games' }] }],
        [9, { externalId: 'held', interests: [{ topic: 'Go' }] }],
        [1, { externalId: 'first', purchases: [{ sku: 's', category: 'chess  ' }] }],
      ],
      { repeatedIds: ['held'] },
    );
    expect(topics).toEqual([
      expect.objectContaining({ key: 'chess', name: 'chess', category: 'Late' }),
      expect.objectContaining({ key: 'go', name: 'Go', category: null }),
    ]);
  });

  it('keeps the last valid record of a repeated id and makes records with one email one person', () => {
    const { people } = plan(
      [
        [1, { externalId: 'a', email: 'x@example.org', name: 'A', interests: [{ topic: 'T', weight: 2, at: '2026-10-01T00:00:00Z' }] }],
        [2, { externalId: 'b', email: 'X@example.org', consent: { segmentation: false }, interests: [{ topic: 't', weight: 1 }] }],
        [3, { externalId: 'c', interests: [{ topic: 'Old' }] }],
        [4, { externalId: 'c', purchases: [{ sku: 's', category: 'New', at: '2026-09-01T00:00:00Z' }] }],
      ],
      { repeatedIds: ['c'], sharedEmails: ['x@example.org'] },
    );
    expect(people).toHaveLength(2);
    const c = people.find((p) => p.identities[0]!.key === 'crm:c')!;
    expect(c.interests).toEqual([
      {
        topicKey: 'new',
        weight: 1,
        sources: ['purchase'],
        wCrm: null,
        wPurchase: 1,
        firstSeen: '2026-09-01T00:00:00.000Z',
        lastSeen: '2026-09-01T00:00:00.000Z',
      },
    ]);
    const ab = people.find((p) => p.identities.length === 2)!;
    expect(ab.user).toEqual({
      id: expect.any(String),
      name: 'A',
      emailHash: emailHash(SECRET, 'x@example.org'),
      consentSegmentation: false,
      consentPersonalization: false,
      consentMarketing: false,
    });
    expect(ab.identities.map((i) => [i.key, i.snapshot])).toEqual([
      ['crm:a', '[["t",2,"2026-10-01T00:00:00.000Z"]]'],
      ['crm:b', '[["t",1,null]]'],
    ]);
    expect(ab.interests).toEqual([
      {
        topicKey: 't',
        weight: 3,
        sources: ['crm'],
        wCrm: 3,
        wPurchase: null,
        firstSeen: '2026-10-01T00:00:00.000Z',
        lastSeen: '2026-10-01T00:00:00.000Z',
      },
    ]);
  });
});
