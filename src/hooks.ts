/**
 * Features react to each other's changes through these hooks instead of importing each other's services:
 * ingestion announces changed interests, segmentation announces a finished run, erasure announces a removed person.
 * Handlers are awaited in order, so when an import returns, everything derived from it is already up to date.
 */
export interface HookEvents {
  /** Users whose interests (or consent) changed: affinities follow without waiting for the next run. */
  interestsChanged: { userIds: string[] };
  /** A segmentation run has written its segments and is about to become the newest succeeded run. */
  runCompleted: { runId: string };
  /**
   * The run's status has just turned `succeeded`: what was prepared for it beside the previous run's data may now
   * be served in this process. Handlers must not throw the run back into failure (it already succeeded).
   */
  runSucceeded: { runId: string };
  /**
   * A run failed, emitted before its segments are deleted and before its status says so: afterwards nothing anybody
   * reads may refer to runId. `crashed`: the run was left by a process that died in its affinity phase and is being
   * cleaned up by another process (or this one after a restart) that never saw it, so a handler must not rely on
   * in-process state about the run (the affinity feature's cleanup works from the database and needs nothing more).
   */
  runFailed: { runId: string; crashed?: boolean };
  /** People were erased (already deleted in the database): nothing derived may be served for them any more. */
  usersErased: { userIds: string[] };
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
