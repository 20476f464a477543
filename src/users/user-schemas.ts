// extendZodWithOpenApi must run before .openapi() is used (services load before routes).
import '../api/openapi.js';
import { z } from 'zod';
import { cleanString } from '../api/text.js';

/**
 * `<source>:<externalId>` (crm:c-1042, facebook:123) or the service's own user id, wherever a request names a person
 * (affinities, audiences, events). Surrounding whitespace is not part of a reference, as ingestion trims `externalId`:
 * `"crm:c-1 "` and `"crm:c-1"` are one person everywhere. Whitespace inside (`crm: c-1`) is kept and so does not match.
 * Control characters (a trailing CR or LF included) and unpaired surrogates are refused (400), never trimmed or replaced.
 */
export const UserRef = cleanString()
  .trim()
  .min(1)
  .max(300)
  .describe('`<source>:<externalId>` or the user id; surrounding whitespace is trimmed, as ingestion trims externalId');

export const UserParams = z.object({ user: UserRef });
