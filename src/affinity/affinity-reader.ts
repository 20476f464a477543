/**
 * GET /v1/users/:user/affinities and POST /v1/affinities/batch: a segment of one computed on read from the person's
 * interests held in memory and the visible run's model. The database is read only for people not held yet or changed
 * since they were loaded; answers are JSON bytes written as they are.
 */
import { AppError } from '../errors.js';
import type { PopulationSync } from './population-sync.js';
import { emptyDoc, segmentOfOne } from './segment-of-one.js';
import { DocCache } from './doc-cache.js';
import type { ServedRun } from './served-run.js';
import type { RunModel } from './run-model.js';

const COMMA = Buffer.from(',');

/** The document of a person without consent (or before the first run), without its opening brace. */
function emptyTail(runId: string | null): Buffer {
  return Buffer.from(JSON.stringify(emptyDoc(runId)).slice(1));
}

/** The whole document: `{"user":<ref>,` then `tail`. */
function withHead(ref: string, tail: Buffer): Buffer {
  const head = Buffer.from(`{"user":${JSON.stringify(ref)},`);
  return Buffer.concat([head, tail], head.length + tail.length);
}

export class AffinityReader {
  constructor(
    private readonly sync: PopulationSync,
    private readonly run: ServedRun,
    /** Topics never suggested (sensitive ones). */
    private readonly hidden: (topicId: string) => boolean = () => false,
    /** Documents kept between reads (none by default). */
    private readonly docs: DocCache = new DocCache(0),
  ) {}

  /**
   * The document with `"user": ref` as its first field. Content systems (`personal: false`) get the empty document of
   * a person without consent when the person refused personalization; the person's own page always shows it.
   */
  private bytes(ref: string, slot: number, model: RunModel | null, asOfMs: number, personal: boolean): Buffer {
    if (!model || !(personal || this.sync.store.personalizes(slot))) return withHead(ref, emptyTail(model?.runId ?? null));
    return this.document(ref, slot, model, asOfMs);
  }

  /** The person's segment of one, from the cache when it holds the current one (as it is when read by the same address). */
  private document(ref: string, slot: number, model: RunModel, asOfMs: number): Buffer {
    const store = this.sync.store;
    const version = store.version(slot);
    const kept = this.docs.get(slot, version, model);
    if (kept) return kept.ref === ref ? kept.body : withHead(ref, kept.body.subarray(kept.tailStart));
    const tail = Buffer.from(JSON.stringify(segmentOfOne(store, slot, model, asOfMs, this.hidden)).slice(1));
    const body = withHead(ref, tail);
    this.docs.set(slot, version, model, { ref, body, tailStart: body.length - tail.length });
    return body;
  }

  /**
   * `asOfMs`: the moment interests decay to when the visible run has half-lives (now by default). `personal`: the
   * person reading their own segment of one (not a content system).
   */
  async forUser(ref: string, asOfMs = Date.now(), personal = false): Promise<Buffer> {
    await this.run.ready();
    const slot = (await this.sync.lookup([ref])).get(ref);
    if (slot === undefined) throw AppError.notFound('User');
    return this.bytes(ref, slot, this.run.current, asOfMs, personal);
  }

  /**
   * forUser's answer when it needs no waiting (the visible run known, the person held and unchanged); undefined when it
   * would wait on the database or answer 404, which forUser then does. The same bytes as forUser's.
   */
  forUserNow(ref: string, asOfMs: number): Buffer | undefined {
    if (!this.run.known) return undefined;
    const slot = this.sync.held(ref);
    return slot === undefined ? undefined : this.bytes(ref, slot, this.run.current, asOfMs, false);
  }

  /** `{ items, missing }`: items in request order, each address once; unknown addresses in `missing`. */
  async forUsers(refs: readonly string[], asOfMs = Date.now()): Promise<Buffer> {
    const unique = [...new Set(refs)];
    await this.run.ready();
    const slots = await this.sync.lookup(unique);
    const model = this.run.current;
    const parts: Buffer[] = [Buffer.from('{"items":[')];
    const missing: string[] = [];
    for (const ref of unique) {
      const slot = slots.get(ref);
      if (slot === undefined) {
        missing.push(ref);
        continue;
      }
      if (parts.length > 1) parts.push(COMMA);
      parts.push(this.bytes(ref, slot, model, asOfMs, false));
    }
    parts.push(Buffer.from(`],"missing":${JSON.stringify(missing)}}`));
    return Buffer.concat(parts);
  }
}
