/**
 * Time-decayed interests. A run may give each interest source a half-life (`halfLifeDays`); an interest's weight from
 * that source is then multiplied by 0.5^(age / half-life), age = `asOf` − the edge's stored `lastSeen` (never
 * negative). The run's projection applies it (stream-interests.cypher, at the run's `asOf`) and every segment of one
 * read from that run applies it on read (at the read's `asOf`, now by default), so projection and affinity agree.
 * Without a half-life nothing changes: the stored total weight is used as it is. Pure: no I/O.
 */

/** Interest sources, in the order stores and queries keep their per-source weights (`w_<source>` on the edge). */
export const INTEREST_SOURCES = ['crm', 'facebook', 'events', 'purchase'] as const;
export type InterestSource = (typeof INTEREST_SOURCES)[number];

export type HalfLifeDays = Partial<Record<InterestSource, number>>;

export const DAY_MS = 86_400_000;

/** What a run stores about decay: its half-lives and the time its projection was computed at (ISO). */
export interface RunDecay {
  halfLifeDays: HalfLifeDays;
  asOf: string;
}

/** A run's decay from its stored params; null when no source decays (the run uses the stored weights as they are). */
export function runDecay(params: Record<string, unknown> | undefined): RunDecay | null {
  const h = params?.halfLifeDays;
  if (!h || typeof h !== 'object') return null;
  const halfLifeDays: HalfLifeDays = {};
  for (const s of INTEREST_SOURCES) {
    const d = (h as Record<string, unknown>)[s];
    if (typeof d === 'number' && d > 0 && Number.isFinite(d)) halfLifeDays[s] = d;
  }
  if (Object.keys(halfLifeDays).length === 0) return null;
  const asOf = typeof params?.asOf === 'string' ? params.asOf : new Date(0).toISOString();
  return { halfLifeDays, asOf };
}

/** Half-lives in ms by source position (Infinity: that source does not decay); null when none decays. */
export function halfLifeMs(h: HalfLifeDays | null | undefined): Float64Array | null {
  if (!h) return null;
  const out = new Float64Array(INTEREST_SOURCES.length).fill(Infinity);
  let any = false;
  INTEREST_SOURCES.forEach((s, i) => {
    const d = h[s];
    if (typeof d === 'number' && d > 0 && Number.isFinite(d)) {
      out[i] = d * DAY_MS;
      any = true;
    }
  });
  return any ? out : null;
}

/** 0.5^(age / half-life); 1 for no half-life, an unknown time or an age below 0. */
export function decayFactor(ageMs: number, halfLife: number): number {
  if (!(ageMs > 0) || halfLife === Infinity) return 1;
  return Math.pow(0.5, ageMs / halfLife);
}

/** Decay at one moment: what a read applies to every interest it scores. */
export interface DecayAt {
  asOfMs: number;
  halfLifeMs: Float64Array;
}

/**
 * An interest's decayed weight: the stored total minus what each decaying source lost (sources without a half-life
 * keep their share exactly). `sourceWeights` holds the per-source weights at `offset`, in INTEREST_SOURCES order.
 */
export function decayedWeight(total: number, lastSeenMs: number, sourceWeights: ArrayLike<number>, offset: number, d: DecayAt): number {
  if (Number.isNaN(lastSeenMs)) return total;
  const age = d.asOfMs - lastSeenMs;
  let lost = 0;
  for (let s = 0; s < INTEREST_SOURCES.length; s++) {
    const hl = d.halfLifeMs[s]!;
    const w = sourceWeights[offset + s]!;
    if (hl !== Infinity && w > 0) lost += w * (1 - decayFactor(age, hl));
  }
  return lost === 0 ? total : Math.max(0, total - lost);
}
