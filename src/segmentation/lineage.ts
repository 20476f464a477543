/**
 * Where a segment of one run went in the next: the lineage the stability report records (stability.ts compareRuns).
 * Curation decisions name segments by their stable ids; when a later run keeps an id the decision applies to it, when
 * the segment splits it applies to every part, and when it is absorbed into another segment it follows its topics
 * there. Pure.
 */
import type { Stability } from './stability.js';

/** The lineage part of a run's stability report (metrics.stability, coarse level). */
export type Lineage = Pick<Stability, 'previousRunId' | 'segments' | 'split' | 'merged'>;

/**
 * The segments of the newer run that descend from `id` of the older one: itself when it kept its id, the parts it
 * split into (each holds ≥ 25% of its topics), and the segment that absorbed it (one holding ≥ 25% of it and of
 * another). Empty when it vanished without a trace (its topics scattered, or became "Other interests").
 */
export function descendants(id: string, step: Lineage): string[] {
  const out = new Set<string>();
  if (step.segments.some((s) => s.id === id && s.previousId === id)) out.add(id);
  for (const s of step.split) if (s.id === id) for (const into of s.into) out.add(into);
  for (const m of step.merged) if (m.from.includes(id)) out.add(m.id);
  return [...out];
}

/** Ids of an older run carried through consecutive steps (oldest first) to the newest run; order kept, duplicates dropped. */
export function carry(ids: readonly string[], steps: readonly Lineage[]): string[] {
  let current = [...new Set(ids)];
  for (const step of steps) {
    const next = new Set<string>();
    for (const id of current) for (const d of descendants(id, step)) next.add(d);
    current = [...next];
  }
  return current;
}

/**
 * The steps from run `from` to run `to`, oldest first, found by walking back from `to` along each run's
 * `previousRunId` (at most `maxSteps`); null when `from` is not an ancestor of `to` within that many steps.
 */
export async function stepsBetween(
  from: string,
  to: string,
  lineageOf: (runId: string) => Promise<Lineage | null>,
  maxSteps = 50,
): Promise<Lineage[] | null> {
  const steps: Lineage[] = [];
  let at = to;
  while (at !== from) {
    if (steps.length >= maxSteps) return null;
    const step = await lineageOf(at);
    if (!step?.previousRunId) return null;
    steps.unshift(step);
    at = step.previousRunId;
  }
  return steps;
}
