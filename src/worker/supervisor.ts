import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import { NICENESS, niced } from '../priority.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKER_MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
/** The worker is TypeScript run by tsx, like `npm start`; loaded with --import so the child is plain `node`. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface SupervisorOptions {
  /** The child's environment (NEO4J_URI must say where the database is); WORKER_INSTANCE_ID is added per child. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Called with a child's instance id as soon as it has exited, whatever the cause: fails the runs it held. */
  onChildExit: (instanceId: string, how: string) => Promise<unknown>;
  /** Restart delay after the first unexpected exit, doubled after each further one up to maxRestartMs. */
  minRestartMs?: number;
  maxRestartMs?: number;
  /** A child that ran this long resets the restart delay. */
  stableMs?: number;
  /** stop(): how long a child gets to stop its run and exit after SIGTERM before it is killed. */
  stopTimeoutMs?: number;
}

export interface WorkerExit {
  instanceId: string;
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs the segmentation worker (src/worker/main.ts) as a child process of the API process (WORKER=embedded): the
 * API's request loop never executes run work. A child that dies is restarted with backoff; the runs it held are failed
 * at once (onChildExit), so the previous run stays visible and nothing waits for a heartbeat to go stale. The child
 * stops when this process goes away (its IPC channel closes). Events: 'spawn' (pid, instanceId), 'exit' (WorkerExit).
 */
export class WorkerSupervisor extends EventEmitter {
  private child: ChildProcess | undefined;
  private childId: string | undefined;
  private stopping = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private recovering: Promise<unknown> = Promise.resolve();
  private readonly cleanups: Array<() => void> = [];

  constructor(private readonly opts: SupervisorOptions) {
    super();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get instanceId(): string | undefined {
    return this.childId;
  }

  start(): void {
    if (!this.child && !this.stopping) this.spawnChild();
  }

  /** A run was queued: the child looks at once instead of at its next poll. */
  nudge(): void {
    const child = this.child;
    if (child?.connected) child.send({ type: 'nudge' }, () => undefined);
  }

  /** Runs `cleanup` when the supervisor stops (e.g. unsubscribes what nudges the child). */
  onStop(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  /** SIGTERM to the child (its run stops and is marked failed), SIGKILL after stopTimeoutMs; no restart. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.stopTimeoutMs ?? 60_000);
      await exited;
      clearTimeout(timer);
    }
    await this.recovering;
  }

  private spawnChild(): void {
    const instanceId = `worker-${randomUUID()}`;
    // Below the API's CPU priority: on a busy machine requests are served first (src/priority.ts).
    const [command, ...args] = niced([process.execPath, '--import', TSX_LOADER, WORKER_MAIN], NICENESS.background);
    const child = spawn(command!, args, {
      cwd: ROOT,
      env: { ...this.opts.env, WORKER_INSTANCE_ID: instanceId },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const started = Date.now();
    this.child = child;
    this.childId = instanceId;
    const log = this.opts.logger.child({ worker: instanceId, pid: child.pid });
    child.on('error', (err) => log.error({ err }, 'run worker process error'));
    child.on('message', (m: { type?: string }) => {
      if (m?.type === 'ready') this.emit('ready', { pid: child.pid, instanceId });
    });
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      const how = signal ? `killed by ${signal}` : `exit code ${code}`;
      if (!this.stopping) log.error({ code, signal }, `run worker process stopped (${how})`);
      // Whatever it held is failed now, not when its heartbeat goes stale.
      this.recovering = this.recovering
        .then(() => this.opts.onChildExit(instanceId, how))
        .catch((err: unknown) => log.error({ err }, 'could not fail the runs of the stopped worker; heartbeat recovery will'));
      this.emit('exit', { instanceId, pid: child.pid, code, signal } satisfies WorkerExit);
      if (this.stopping) return;
      this.failures = Date.now() - started >= (this.opts.stableMs ?? 60_000) ? 1 : this.failures + 1;
      const delay = Math.min((this.opts.minRestartMs ?? 1_000) * 2 ** (this.failures - 1), this.opts.maxRestartMs ?? 30_000);
      log.info({ delayMs: delay }, 'restarting the run worker');
      this.restartTimer = setTimeout(() => this.start(), delay);
      this.restartTimer.unref();
    });
    this.emit('spawn', { pid: child.pid, instanceId });
    log.info('run worker process started');
  }
}

/**
 * WORKER=embedded: the API process's own worker child, wired to this process's services: a queued run nudges it, and
 * its runs are failed here the moment it dies. Stop it (before the driver closes) with `stop()`.
 */
export function superviseWorker(
  services: Pick<Services, 'segmentation' | 'logger'>,
  env: NodeJS.ProcessEnv,
  opts: Partial<Omit<SupervisorOptions, 'env' | 'logger' | 'onChildExit'>> = {},
): WorkerSupervisor {
  const { recovery, queue } = services.segmentation;
  const supervisor = new WorkerSupervisor({
    ...opts,
    env,
    logger: services.logger,
    onChildExit: (instanceId, how) => recovery.recoverOwnedBy(instanceId, how),
  });
  supervisor.onStop(queue.onQueued(() => supervisor.nudge()));
  supervisor.start();
  return supervisor;
}
