/**
 * GET /v1/users/:user/affinities on the hot read path (src/api/hot-path.ts): the same answer as the route in routes.ts
 * for the plain form of the URL, when the person is held in memory and unchanged. Anything else (an unknown or changed
 * person, a parameter the route would refuse, a query string other than a plain `asOf`, a path Express would still
 * match but written differently: upper case, a trailing slash) is left to the Express route.
 */
import type { HotRoute } from '../api/hot-path.js';
import { isCleanText } from '../api/text.js';
import type { AffinityReader } from './affinity-reader.js';
import { AsOfQuery } from './schemas.js';
import { READERS } from './routes.js';

const PREFIX = '/v1/users/';
const SUFFIX = '/affinities';
/** A query value qs (the app's query parser) takes as it is: no `%`, no `+`, nothing that makes arrays or objects. */
const PLAIN_AS_OF = /^asOf=([0-9A-Za-z:.-]+)$/;

/** UserRef's rules (users/user-schemas.ts) on an already decoded parameter: the trimmed reference, or undefined. */
function userRef(decoded: string): string | undefined {
  if (!isCleanText(decoded)) return undefined;
  const ref = decoded.trim();
  return ref.length >= 1 && ref.length <= 300 ? ref : undefined;
}

/** `asOf` in ms (now when absent), or undefined when Express must judge the query. */
function asOfOf(query: string | undefined): number | undefined {
  if (query === undefined) return Date.now();
  const m = PLAIN_AS_OF.exec(query);
  if (!m || !AsOfQuery.safeParse({ asOf: m[1] }).success) return undefined;
  return Date.parse(m[1]!);
}

export function affinityHotRoute(reader: AffinityReader): HotRoute {
  return {
    path: '/v1/users/:user/affinities',
    prefix: PREFIX,
    roles: READERS,
    answer(url) {
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      if (!path.endsWith(SUFFIX) || path.length <= PREFIX.length + SUFFIX.length) return undefined;
      const raw = path.slice(PREFIX.length, path.length - SUFFIX.length);
      if (raw.includes('/')) return undefined;
      let decoded: string;
      try {
        decoded = decodeURIComponent(raw);
      } catch {
        return undefined; // Express answers 400 for a parameter it cannot decode
      }
      const ref = userRef(decoded);
      const asOfMs = asOfOf(q === -1 ? undefined : url.slice(q + 1));
      if (ref === undefined || asOfMs === undefined) return undefined;
      return reader.forUserNow(ref, asOfMs);
    },
  };
}
