/**
 * Segment-of-one documents kept between reads, per person (slot), as the whole answer for the address that read it
 * first (the JSON bytes after `"user"` are the same for every address of the person). A document is a
 * pure function of the person's slot (interests, consent, removed topics: InterestStore.version changes with any of
 * them, and when a slot is emptied or reused), the served run's model (replaced when the visible run or its curation
 * changes, or when it is reloaded; `RunModel.generation` counts what erasures take out of it in place) and the topics
 * hidden now (sensitive ones: `hiddenEpoch`, a new value on every reload of the set). An entry is used only while all
 * of these are the ones it was computed from, so it is the same answer a fresh computation gives. A run that decays
 * interests (half-lives) makes every answer depend on `asOf`: then nothing is kept.
 *
 * Bounded in bytes (AFFINITY_CACHE_MB), least recently read first out; the bytes live outside the JS heap (Buffers).
 */
import { LRUCache } from 'lru-cache';
import type { RunModel } from './run-model.js';

/**
 * A kept answer: `body` is the whole document for the address `ref`; its bytes from `tailStart` on (after `"user":…,`)
 * are the same for any address of the person. Kept whole so that the common read (the same address again) writes it
 * as it is, without copying.
 */
export interface KeptDoc {
  readonly ref: string;
  readonly body: Buffer;
  readonly tailStart: number;
}

interface Entry {
  version: number;
  doc: KeptDoc;
}

/** What every entry of the cache was computed against; a new one empties the cache. */
interface Basis {
  model: RunModel;
  generation: number;
  hidden: unknown;
}

export class DocCache {
  private readonly entries: LRUCache<number, Entry> | undefined;
  private basis: Basis | undefined;

  constructor(
    maxBytes: number,
    private readonly hiddenEpoch: () => unknown = () => undefined,
  ) {
    this.entries =
      maxBytes > 0
        ? new LRUCache<number, Entry>({ maxSize: maxBytes, sizeCalculation: (e) => e.doc.body.length + 2 * e.doc.ref.length + 96 })
        : undefined;
  }

  /** The kept document of `slot` at `version`, computed against `model` now; undefined when it must be computed. */
  get(slot: number, version: number, model: RunModel): KeptDoc | undefined {
    if (!this.entries || !this.current(model)) return undefined;
    const e = this.entries.get(slot);
    return e && e.version === version ? e.doc : undefined;
  }

  set(slot: number, version: number, model: RunModel, doc: KeptDoc): void {
    if (!this.entries || model.halfLifeMs) return;
    if (!this.current(model)) {
      this.entries.clear();
      this.basis = { model, generation: model.generation, hidden: this.hiddenEpoch() };
    }
    this.entries.set(slot, { version, doc });
  }

  private current(model: RunModel): boolean {
    const b = this.basis;
    return b !== undefined && b.model === model && b.generation === model.generation && b.hidden === this.hiddenEpoch();
  }
}
