import type { ErasedDerived } from './privacy/erasure.js';

/**
 * Features react to each other's changes through these hooks instead of importing each other's services:
 * ingestion announces changed interests, erasure announces a removed person. Handlers are awaited in order, so when an
 * import returns, every process will see it (it is in the change feed) and this one already does.
 */
export interface HookEvents {
  /** Users whose interests (or consent) changed, or who are new: affinities follow without waiting for a run. */
  interestsChanged: { userIds: string[] };
  /**
   * People were erased (already deleted in the database): nothing derived may be served for them any more, nor the
   * topics only they held, the co-interest links only they made, or segment names made of such topics (`derived`).
   */
  usersErased: { userIds: string[]; derived?: ErasedDerived };
  /** The process is stopping: finish or abandon background work before the database driver closes. */
  shutdown: Record<string, never>;
}

type Handler<K extends keyof HookEvents> = (event: HookEvents[K]) => Promise<void> | void;

export class Hooks {
  private readonly handlers: { [K in keyof HookEvents]?: Handler<K>[] } = {};

  on<K extends keyof HookEvents>(name: K, handler: Handler<K>): void {
    (this.handlers[name] ??= [] as never).push(handler as never);
  }

  async emit<K extends keyof HookEvents>(name: K, event: HookEvents[K]): Promise<void> {
    for (const h of (this.handlers[name] ?? []) as Handler<K>[]) await h(event);
  }
}
