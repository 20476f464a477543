/** Client for the public HTTP API (the dashboard uses nothing else). */

const KEY_STORAGE = 'ns.apiKey';

export const apiKey = {
  get: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  set: (key: string) => sessionStorage.setItem(KEY_STORAGE, key),
  clear: () => sessionStorage.removeItem(KEY_STORAGE),
};

/**
 * A report's share token (from the address `#/shared/<token>`): while it is set, it is the page's only credential,
 * kept in memory only (the address already holds it; a key in storage is not used).
 */
let shareToken: string | null = null;
export const shared = {
  get: () => shareToken,
  set: (token: string) => (shareToken = token),
};

/** A problem+json answer (RFC 9457); the message is the server's `detail`, which is written for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: Array<{ path?: string; message?: string }> = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  accept?: string;
  /** People use the session cookie only; sending a key would make the server treat them as the key's owner. */
  useKey?: boolean;
  /** A key for this request only (an admin key typed for one task, never stored), instead of the stored one. */
  key?: string;
  signal?: AbortSignal;
}

export async function request(path: string, opts: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
  const key = opts.useKey === false ? null : (opts.key ?? shareToken ?? apiKey.get());
  if (key) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(path, { method: opts.method ?? 'GET', headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'The server cannot be reached. Check your connection and try again.');
  }
  if (!res.ok) throw await problemOf(res);
  return res;
}

async function problemOf(res: Response): Promise<ApiError> {
  let detail: string | undefined;
  let errors: ApiError['errors'] = [];
  try {
    const p = (await res.json()) as { detail?: string; title?: string; errors?: ApiError['errors'] };
    detail = p.detail ?? p.title;
    if (Array.isArray(p.errors)) errors = p.errors;
  } catch {
    /* not problem+json: fall back to the status text */
  }
  const fieldErrors = errors
    .map((e) => [e.path, e.message].filter(Boolean).join(': '))
    .filter(Boolean)
    .join('; ');
  const message = [detail ?? `${res.status} ${res.statusText}`, fieldErrors].filter(Boolean).join(' — ');
  return new ApiError(res.status, message, errors);
}

export async function getJson<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await request(path, opts);
  return (await res.json()) as T;
}

export async function sendJson<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T | undefined> {
  const res = await request(path, { ...opts, method, body });
  const text = await res.text();
  return text ? (JSON.parse(text) as T) : undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

// ---- shapes from the contract (extension fields are optional) ---------------------------------------------------

export interface TopicRef {
  id: string;
  name: string;
}
export interface Segment {
  id: string;
  label: string;
  topicCount: number;
  userCount: number;
  topTopics: TopicRef[];
  share?: number;
  other?: boolean;
  /** Extension: per-segment quality (null for runs made before it was measured). */
  quality?: SegmentQuality | null;
  metrics?: RunMetrics;
  [extra: string]: unknown;
}
export interface SegmentQuality {
  cohesion: number;
  conductance: number;
  evidence: number;
  significant: boolean;
  seedStability: number | null;
}
export interface SegmentList {
  runId: string;
  items: Segment[];
}
export interface SegmentTopic {
  id: string;
  name: string;
  category?: string | null;
  score: number;
}
/** GET /v1/segments/graph (extension): the visible run's topics with their coarse segment, and their links. */
export interface TopicGraph {
  runId: string | null;
  nodes: Array<{ id: string; name: string; category: string | null; segmentId: string; score: number }>;
  edges: Array<{ source: string; target: string; weight: number }>;
}
export type RunMetrics = Record<string, unknown>;
export interface Run {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  params?: Record<string, unknown>;
  createdAt?: string;
  startedAt?: string;
  finishedAt?: string;
  metrics?: RunMetrics;
  error?: string;
  /** Current phase while queued or running (extension field). */
  phase?: string;
  progress?: unknown;
  /** Extension: true for the run readers see; `publish: false` marks a candidate; who started it. */
  visible?: boolean;
  publish?: boolean;
  trigger?: 'api' | 'schedule' | 'drift';
}
export interface AudienceMember {
  user: string;
  affinity: number;
  lift: number;
}
export interface SegmentAffinity {
  segmentId: string;
  label: string;
  affinity: number;
  lift: number;
  topics: string[];
}
export interface Affinities {
  user: string;
  runId?: string;
  segments: SegmentAffinity[];
  suggestedTopics?: Array<{ id: string; name: string; score: number }>;
}

// ---- insight, comparisons and reports (extensions) -------------------------------------------------------------
// The server's own types (type-only imports: nothing of the server is bundled).

export type { AudienceDefinition } from '../../affinity/audience-service.js';
export type { CategoryLift, Comparison, Insight, TopicLift } from '../../insight/insight-service.js';
export type { SegmentChange } from '../../insight/change.js';
