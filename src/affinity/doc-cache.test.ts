import { describe, expect, it } from 'vitest';
import { DocCache, type KeptDoc } from './doc-cache.js';
import { RunModel } from './run-model.js';

const model = (runId: string, halfLife = false) =>
  new RunModel(runId, [{ segmentId: 's1', label: 'One', share: 1 }], halfLife ? Float64Array.of(86_400_000) : null);
const doc = (s: string, ref = 'crm:a') => ({ ref, body: Buffer.from(`{"user":"${ref}",${s}`), tailStart: ref.length + 11 });
const tail = (d: KeptDoc | undefined) => d && d.body.subarray(d.tailStart).toString();

describe('DocCache', () => {
  it('gives a document back only for the slot version, model, model generation and hidden set it was made with', () => {
    let epoch = {};
    const cache = new DocCache(1 << 20, () => epoch);
    const m = model('r1');
    cache.set(3, 7, m, doc('a'));
    expect(tail(cache.get(3, 7, m))).toBe('a');
    expect(cache.get(3, 8, m)).toBeUndefined(); // the person changed
    expect(cache.get(4, 7, m)).toBeUndefined();
    expect(cache.get(3, 7, model('r1'))).toBeUndefined(); // another model (a new run, curation, a reload)
    m.forget({ topicIds: ['t'], related: [], labels: [] });
    expect(cache.get(3, 7, m)).toBeUndefined(); // an erasure took topics out of the model
    cache.set(3, 7, m, doc('b'));
    expect(tail(cache.get(3, 7, m))).toBe('b');
    epoch = {};
    expect(cache.get(3, 7, m)).toBeUndefined(); // the sensitive topics were read again
  });

  it('keeps nothing for a run that decays interests, or when its size is 0', () => {
    const decaying = model('r2', true);
    const cache = new DocCache(1 << 20);
    cache.set(1, 1, decaying, doc('x'));
    expect(cache.get(1, 1, decaying)).toBeUndefined();
    const off = new DocCache(0);
    const m = model('r3');
    off.set(1, 1, m, doc('x'));
    expect(off.get(1, 1, m)).toBeUndefined();
  });

  it('stays within its size, least recently read out first', () => {
    const big = { ref: 'crm:a', body: Buffer.alloc(1000), tailStart: 16 };
    const cache = new DocCache(3 * (1000 + 10 + 96));
    const m = model('r4');
    for (let slot = 0; slot < 3; slot++) cache.set(slot, 1, m, big);
    expect(cache.get(0, 1, m)).toBeDefined();
    cache.set(3, 1, m, big);
    expect(cache.get(1, 1, m)).toBeUndefined();
    expect(cache.get(0, 1, m)).toBeDefined();
    expect(cache.get(3, 1, m)).toBeDefined();
  });
});
