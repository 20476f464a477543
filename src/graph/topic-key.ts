import { createHash } from 'node:crypto';

/**
 * One Topic per normalized name, whatever the source spelled: NFKC folds compatibility forms (full-width letters,
 * ligatures), lower-upper-lower approximates Unicode full case folding (ß and ẞ → ss; lowering first keeps ẞ from
 * surviving as ß), invisible characters (zero-width spaces, soft hyphens, variation selectors) are dropped, and
 * whitespace is trimmed/collapsed, so "Trail  Running" from the CRM and "trail running" from Facebook are one node.
 */
export function topicKey(name: string): string {
  // Printable ASCII is already NFKC, has no invisible characters and folds by lower-casing alone; bulk imports call
  // this for every interest, and most names are plain ASCII.
  if (PLAIN_ASCII.test(name)) return name.toLowerCase().replace(/\s+/g, ' ').trim();
  return stripInvisible(name.normalize('NFKC')).toLowerCase().toUpperCase().toLowerCase().normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

const PLAIN_ASCII = /^[\x20-\x7e\t\n\r]*$/;

/** Characters that render as nothing: copy-pasted names carry them and they would split one topic into two. */
function stripInvisible(s: string): string {
  return s.replace(/\p{Default_Ignorable_Code_Point}/gu, '');
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
  return stripInvisible(name.normalize('NFKC')).replace(/\s+/gu, ' ').trim();
}
