import { createHash } from 'node:crypto';

/**
 * One Topic per normalized name, whatever the source spelled: NFKC folds compatibility forms (full-width letters,
 * ligatures), upper-then-lower approximates Unicode full case folding (ß → ss), and whitespace is trimmed/collapsed,
 * so "Trail  Running" from the CRM and "trail running" from Facebook land on the same node.
 */
export function topicKey(name: string): string {
  return name
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** Deterministic, so every importer (and every run) computes the same id without asking the database. */
export function topicIdForKey(key: string): string {
  return 't_' + createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
}

export function topicId(name: string): string {
  return topicIdForKey(topicKey(name));
}

/** Display name: the source's spelling with only the whitespace tidied. */
export function topicDisplayName(name: string): string {
  return name.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}
