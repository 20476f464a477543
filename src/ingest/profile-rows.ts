import { topicDisplayName, topicIdForKey, topicKey } from '../graph/topic-key.js';
import type { InterestRow, PurchaseRow, TopicRow } from './ingest-repository.js';
import type { ProfileRecord } from './schemas.js';

/**
 * What one CRM record says, as rows: the online import (IngestService) and the initial bulk load (bulk-plan.ts)
 * both build them here, so a file means the same graph whichever way it is loaded.
 */

export function isoOrNull(at: string | undefined): string | null {
  if (!at) return null;
  // Facebook writes offsets without a colon (2026-10-05T09:00:00+0000), which Date.parse rejects.
  const t = Date.parse(at.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** isoOrNull for one batch: the same times recur across a batch's interests, so each is parsed once. */
export function batchTimes(): (at: string | undefined) => string | null {
  const seen = new Map<string, string | null>();
  return (at) => {
    if (!at) return null;
    let iso = seen.get(at);
    if (iso === undefined) seen.set(at, (iso = isoOrNull(at)));
    return iso;
  };
}

/** Distinct topics of a batch; the first spelling seen names a new topic, the first category fills a missing one. */
export class TopicCollector {
  private readonly topics = new Map<string, TopicRow>();

  add(name: string, category: string | undefined): string {
    const key = topicKey(name);
    const t = this.topics.get(key);
    if (!t) this.topics.set(key, { key, id: topicIdForKey(key), name: topicDisplayName(name), category: category ?? null });
    else if (t.category === null && category) t.category = category;
    return key;
  }

  rows(): TopicRow[] {
    return [...this.topics.values()];
  }
}

/**
 * A record's interests (one row per normalized topic: weights of repeated topics add up, the latest time wins) and
 * purchases (keyed by sku + time; their category is a topic). `addTopic` sees every topic in record order (interests,
 * then purchases) and returns its key.
 */
export function profileRows(
  r: ProfileRecord,
  addTopic: (name: string, category: string | undefined) => string,
  iso: (at: string | undefined) => string | null,
): { interests: InterestRow[]; purchases: PurchaseRow[] } {
  const interests = new Map<string, InterestRow>();
  for (const it of r.interests) {
    const key = addTopic(it.topic, it.category);
    const at = iso(it.at);
    const prev = interests.get(key);
    if (!prev) interests.set(key, { key, w: it.weight, at });
    else {
      prev.w += it.weight;
      if (at && (!prev.at || at > prev.at)) prev.at = at;
    }
  }
  const purchases: PurchaseRow[] = r.purchases.map((p) => {
    const at = iso(p.at);
    return {
      key: `sku:${p.sku}|${at ?? ''}`,
      sku: p.sku,
      amount: p.amount ?? null,
      at,
      topicKey: addTopic(p.category, undefined),
      weight: 1,
    };
  });
  return { interests: [...interests.values()], purchases };
}
