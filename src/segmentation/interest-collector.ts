/** Users' interests over shared topic indexes: the collector itself, or a sample of its users. */
export interface InterestView {
  readonly topicIds: readonly string[];
  readonly users: number;
  forEachUser(fn: (topics: Int32Array, weights: Float32Array, user: number) => void): void;
}

/** Growable typed-array buffers: users' interests as (topic index, weight) runs, one run per user. */
export class InterestCollector implements InterestView {
  private ids: string[] = [];
  private index = new Map<string, number>();
  private offsets: Int32Array = new Int32Array(1024);
  private topicsBuf: Int32Array = new Int32Array(16384);
  private weightsBuf: Float32Array = new Float32Array(16384);
  /** Per topic: the last user that listed it (+1) and where, so a topic listed twice by one user counts once. */
  private seenBy: Int32Array = new Int32Array(1024);
  private seenAt: Int32Array = new Int32Array(1024);
  private length = 0;
  private sorted = true;
  users = 0;

  /** Topic ids by index. */
  get topicIds(): readonly string[] {
    return this.ids;
  }

  topicIndex(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      if (i > 0 && !(this.ids[i - 1]! < id)) this.sorted = false;
      this.ids.push(id);
      this.index.set(id, i);
      if (i >= this.seenBy.length) {
        this.seenBy = grow(this.seenBy, this.seenBy.length * 2);
        this.seenAt = grow(this.seenAt, this.seenAt.length * 2);
      }
    }
    return i;
  }

  indexOf(id: string): number | undefined {
    return this.index.get(id);
  }

  /** A topic listed twice counts once, with the weights summed (two signals for one interest). */
  addUser(topicIds: readonly string[], weights: readonly number[]): void {
    if (topicIds.length === 0) return;
    if (this.users + 2 > this.offsets.length) this.offsets = grow(this.offsets, this.offsets.length * 2);
    const need = this.length + topicIds.length;
    if (need > this.topicsBuf.length) {
      const size = Math.max(need, this.topicsBuf.length * 2);
      this.topicsBuf = grow(this.topicsBuf, size);
      this.weightsBuf = grow(this.weightsBuf, size);
    }
    const stamp = this.users + 1;
    for (let j = 0; j < topicIds.length; j++) {
      const t = this.topicIndex(topicIds[j]!);
      const w = weights[j] ?? 1;
      if (this.seenBy[t] === stamp) {
        const at = this.seenAt[t]!;
        this.weightsBuf[at] = this.weightsBuf[at]! + w;
        continue;
      }
      this.seenBy[t] = stamp;
      this.seenAt[t] = this.length;
      this.topicsBuf[this.length] = t;
      this.weightsBuf[this.length] = w;
      this.length++;
    }
    this.users++;
    this.offsets[this.users] = this.length;
  }

  /**
   * Renumbers topics in sorted id order. Indexes otherwise follow the order topics streamed in (the database gives
   * none), and Louvain's traversal and tie-breaks follow indexes: sorted, the same seed on the same data gives the
   * same segments whatever the stream order. A permutation of the buffers, no copy of the interests.
   */
  sortTopics(): void {
    if (this.sorted) return;
    const order = Array.from(this.ids.keys()).sort((a, b) => (this.ids[a]! < this.ids[b]! ? -1 : 1));
    const renumber = new Int32Array(order.length);
    order.forEach((old, i) => (renumber[old] = i));
    for (let k = 0; k < this.length; k++) this.topicsBuf[k] = renumber[this.topicsBuf[k]!]!;
    this.ids = order.map((old) => this.ids[old]!);
    this.index = new Map(this.ids.map((id, i) => [id, i]));
    this.sorted = true;
  }

  get edgeCount(): number {
    return this.length;
  }

  /**
   * Every `every`-th user (the first, then each `every` further), renumbered 0..n-1, over the same buffers and topic
   * indexes: no copy. Stream order says nothing about people's interests, so a stride is a uniform sample.
   */
  sample(every: number): InterestView {
    if (every <= 1) return this;
    const users = Math.ceil(this.users / every);
    const ids = () => this.ids;
    return {
      get topicIds() {
        return ids();
      },
      users,
      forEachUser: (fn) => this.eachUser(every, fn),
    };
  }

  /** Calls back with views into the buffers (valid only during the call). */
  forEachUser(fn: (topics: Int32Array, weights: Float32Array, user: number) => void): void {
    this.eachUser(1, fn);
  }

  /** Users 0, every, 2·every, … numbered 0, 1, 2, … in the callback. */
  private eachUser(every: number, fn: (topics: Int32Array, weights: Float32Array, user: number) => void): void {
    for (let s = 0, u = 0; u < this.users; s++, u += every) {
      const from = this.offsets[u]!;
      const to = this.offsets[u + 1]!;
      fn(this.topicsBuf.subarray(from, to), this.weightsBuf.subarray(from, to), s);
    }
  }
}

function grow<T extends Int32Array | Float32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}
