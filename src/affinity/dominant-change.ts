/**
 * How many people's dominant segment (the first segment of their segment of one) would change if another run became
 * visible. Computed in the API process, where everyone's interests are held and kept current (population-sync.ts): the
 * figure is about what readers would see on publishing, i.e. today's interests under each run's model, which only this
 * process has (a worker holds interests only while it runs, as that run's projection, not the changes since). The
 * population is scanned paced (src/pacer.ts): the event loop turns every few ms, as it does while audience indexes fill.
 */
import { LRUCache } from 'lru-cache';
import type { InterestStore } from './interest-store.js';
import { halfLifeMs, runDecay, type DecayAt } from '../segmentation/decay.js';
import type { RunRecord } from '../segmentation/repository.js';
import type { AffinityRepository } from './affinity-repository.js';
import type { PopulationSync } from './population-sync.js';
import type { RunModel } from './run-model.js';
import { Pacer } from '../pacer.js';
import type { ServedRun } from './served-run.js';

/**
 * The slot's dominant segment under `model` (its position, -1 without segmented interest): the largest summed weight,
 * ties to the smaller segment id, as segment-of-one.ts orders a person's segments. `weights` is scratch of the model's
 * segment count, left zeroed.
 */
export function dominantSegment(
  store: InterestStore,
  slot: number,
  model: RunModel,
  decay: DecayAt | null,
  weights: Float64Array,
  touched: number[],
): number {
  if (store.userId(slot) === undefined || !store.consents(slot)) return -1;
  const { topics } = store.arenas();
  const [from, to] = store.range(slot);
  for (let i = from; i < to; i++) {
    const x = store.weightAt(i, decay);
    if (!(x > 0) || !Number.isFinite(x)) continue;
    const s = model.segmentOfIndex(store.topics, topics[i]!);
    if (s < 0) continue;
    if (weights[s] === 0) touched.push(s);
    weights[s] = weights[s]! + x;
  }
  let best = -1;
  for (const s of touched) {
    const better =
      best < 0 || weights[s]! > weights[best]! || (weights[s] === weights[best] && model.segmentIds[s]! < model.segmentIds[best]!);
    if (better) best = s;
  }
  for (const s of touched) weights[s] = 0;
  touched.length = 0;
  return best;
}

export interface DominantComparison {
  /** Consenting people held, each compared under both runs. */
  people: number;
  /** Of them, those whose dominant segment id differs (a person gaining or losing every segment counts too). */
  changed: number;
}

export class DominantChange {
  /** Models of runs compared lately (a candidate is usually compared a few times before it is published). */
  private readonly models = new LRUCache<string, Promise<RunModel>>({ max: 2 });

  constructor(
    private readonly repo: AffinityRepository,
    private readonly sync: PopulationSync,
    private readonly served: ServedRun,
  ) {}

  /** Everyone's dominant segment, now, under the visible run this process serves and under `run`. */
  async compare(run: RunRecord): Promise<DominantComparison> {
    await this.sync.settled();
    const visible = await this.served.ready();
    const other = visible?.runId === run.id ? visible : await this.model(run);
    const now = Date.now();
    const decayA = visible?.decayAt(now) ?? null;
    const decayB = other.decayAt(now);
    const store = this.sync.store;
    const scratchA = new Float64Array(visible?.segmentCount ?? 0);
    const scratchB = new Float64Array(other.segmentCount);
    const touched: number[] = [];
    let people = 0;
    let changed = 0;
    const pacer = new Pacer();
    for (let slot = 0; slot < store.slotCount; slot++) {
      if (pacer.due) await pacer.turn();
      if (store.userId(slot) === undefined || !store.consents(slot)) continue;
      people++;
      const a = visible ? dominantSegment(store, slot, visible, decayA, scratchA, touched) : -1;
      const b = dominantSegment(store, slot, other, decayB, scratchB, touched);
      const idA = a < 0 ? null : visible!.segmentIds[a];
      const idB = b < 0 ? null : other.segmentIds[b];
      if (idA !== idB) changed++;
    }
    return { people, changed };
  }

  private model(run: RunRecord): Promise<RunModel> {
    const runId = run.id;
    let p = this.models.get(runId);
    if (!p) {
      p = this.repo.runModel(runId, halfLifeMs(runDecay(run.params)?.halfLifeDays));
      p.catch(() => this.models.delete(runId));
      this.models.set(runId, p);
    }
    return p;
  }
}
