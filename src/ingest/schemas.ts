// extendZodWithOpenApi must run before .openapi() is used (services load before routes).
import '../api/openapi.js';
import { z } from 'zod';
import { topicKey } from '../graph/topic-key.js';
import { UserRef } from '../users/user-schemas.js';
import { cleanString } from '../api/text.js';

const isoTime = z.iso.datetime({ offset: true });
const topicName = cleanString()
  .max(200)
  .refine((s) => topicKey(s).length > 0, 'must contain a non-blank topic name');
const category = cleanString().trim().min(1).max(200);
/** Ids and names: no control characters or unpaired surrogates (they would be stored, or merge distinct ids). */
const idText = () => cleanString().trim().min(1).max(200);

export const InterestInput = z
  .object({
    topic: topicName,
    category: category.optional(),
    weight: z.number().positive().max(1_000_000).default(1),
    at: isoTime.optional(),
  })
  .strict()
  .openapi('InterestInput');

export const PurchaseInput = z
  .object({
    sku: idText(),
    category: topicName.describe('The purchase category; it is a topic'),
    amount: z.number().nonnegative().optional(),
    at: isoTime.optional(),
  })
  .strict()
  .openapi('PurchaseInput');

export const ProfileRecord = z
  .object({
    externalId: idText().describe('Surrounding whitespace is trimmed, as in user references; control characters are refused'),
    email: z.email().max(320).optional().describe('Used only for identity stitching; stored as a keyed hash'),
    name: idText().optional(),
    interests: z.array(InterestInput).max(5000).default([]),
    purchases: z.array(PurchaseInput).max(5000).default([]),
    consent: z
      .object({ segmentation: z.boolean().optional(), personalization: z.boolean().optional(), marketing: z.boolean().optional() })
      .strict()
      .optional()
      .describe('Consent per purpose; purposes left out stay as they are. `{segmentation}` alone (the v1 form) sets every purpose'),
  })
  .strict()
  .openapi('ProfileRecord');
export type ProfileRecord = z.output<typeof ProfileRecord>;

/**
 * An import or event body as the request loop received it: bytes, not yet decoded or parsed. Decoding, parsing and
 * validation run in a worker thread (src/ingest/import-pool.ts), so a 20 MB body never stalls other requests.
 */
export class RawBody {
  constructor(
    readonly bytes: Uint8Array,
    readonly kind: 'json' | 'ndjson',
    /** The request's charset (default utf-8), already known to be one TextDecoder reads. */
    readonly charset: string,
  ) {}
}

/**
 * The router only checks that the body arrived; the worker parses it and validates each record on its own, so that
 * one bad line never loses the good ones. The OpenAPI document still shows the record schema.
 */
export const ProfileImportBody = z
  .custom<RawBody>((v) => v instanceof RawBody)
  .openapi('ProfileImport', {
    type: 'array',
    description:
      'NDJSON (application/x-ndjson, one ProfileRecord a line) or a JSON array of ProfileRecord. ' +
      'Invalid records are rejected one by one (line number, reasons); valid ones are stored.',
    items: { $ref: '#/components/schemas/ProfileRecord' },
  });

export const RejectedLine = z
  .object({
    line: z.number().int().describe('1-based line (NDJSON) or array index + 1 (JSON)'),
    externalId: z.string().optional(),
    errors: z.array(z.string()),
  })
  .openapi('RejectedLine');

export const SuppressedLine = z
  .object({
    line: z.number().int().describe('1-based line (NDJSON) or array index + 1 (JSON)'),
    externalId: z.string(),
  })
  .openapi('SuppressedLine');

export const ImportResult = z
  .object({
    imported: z.number().int(),
    rejected: z.array(RejectedLine),
    suppressed: z
      .array(SuppressedLine)
      .describe(
        'Extension: records refused because they name an erased person (their CRM id or email): nothing of them is stored until the person signs in again',
      ),
  })
  .openapi('ImportResult');

export const EVENT_KINDS = ['like', 'unlike', 'view', 'purchase'] as const;

export const EventInput = z
  .object({
    id: idText(),
    user: UserRef,
    topic: topicName,
    category: category.optional(),
    kind: z.enum(EVENT_KINDS),
    weight: z.number().positive().max(1_000_000).default(1),
    at: isoTime.optional(),
    sku: idText().optional().describe('purchase only'),
    amount: z.number().nonnegative().optional().describe('purchase only'),
  })
  .strict()
  .openapi('EventInput');
export type EventInput = z.output<typeof EventInput>;

export const EventsBody = z
  .object({
    events: z
      .array(z.unknown())
      .min(1)
      .max(10_000)
      .openapi({ items: { $ref: '#/components/schemas/EventInput' } }),
  })
  .strict()
  .openapi('EventsBatch');

/** POST /v1/events as the route sees it: raw bytes, checked against EventsBody in the worker (see RawBody). */
export const EventsRequestBody = z
  .custom<RawBody>((v) => v instanceof RawBody)
  .openapi({ type: 'object', allOf: [{ $ref: '#/components/schemas/EventsBatch' }] } as never);

export const EventsResult = z
  .object({
    accepted: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.array(z.object({ line: z.number().int().describe('index + 1'), id: z.string().optional(), errors: z.array(z.string()) })),
  })
  .openapi('EventsResult');

/**
 * What a Facebook login brings in, checked before anything is written: ids and names with control characters or
 * unpaired surrogates refuse the whole login (400), as for any other source.
 */
export const FacebookLogin = z.object({
  profile: z.object({ id: cleanString().min(1).max(200), name: cleanString().max(200).optional() }),
  likes: z.array(z.object({ id: cleanString().max(200).optional(), name: cleanString(), category: cleanString().optional() })),
});
