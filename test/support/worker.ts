import { Db, timeoutsFrom } from '../../src/db/neo4j.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { Hooks } from '../../src/hooks.js';
import { createSegmentation, type Segmentation } from '../../src/segmentation/index.js';
import type { Services } from '../../src/services.js';
import { RunWorker } from '../../src/worker/run-worker.js';
import { superviseWorker, type WorkerSupervisor } from '../../src/worker/supervisor.js';

/**
 * A segmentation run worker for a test file, started once (by the file's main app, `startTestApp(env, {worker})`) and
 * shared by every app of the file: it claims runs queued through any of them.
 * - `process` (the default): the real worker process, spawned and supervised by src/worker/supervisor.ts on behalf of
 *   the app that started it (nudged by its queue; the runs of a dead child failed through its services).
 * - `in-process`: the same RunWorker hosted in the test process with a segmentation feature of its own (as the worker
 *   process builds it), for tests that reach into the worker (e.g. make its repository fail) and for files that plant
 *   runs of dead processes (this worker does no periodic recovery that could take them first).
 */
export type TestWorkerMode = 'process' | 'in-process';

export interface TestWorker {
  mode: TestWorkerMode;
  /** `process` only: the supervisor of the child (pid, instanceId, 'spawn' / 'ready' / 'exit' events). */
  supervisor?: WorkerSupervisor;
  /** `in-process` only: the worker's own segmentation feature (its repository executes the runs). */
  segmentation?: Segmentation;
  stop(): Promise<void>;
}

/** A worker on behalf of `app` (its services and the environment it was configured from). */
export async function startTestWorker(
  mode: TestWorkerMode,
  app: { services: Services; env: Record<string, string> },
  logger: Logger = createLogger('silent'),
): Promise<TestWorker> {
  if (mode === 'process') {
    const supervisor = superviseWorker(app.services, { ...process.env, ...app.env }, { minRestartMs: 200 });
    await waitReady(supervisor);
    return { mode, supervisor, stop: () => supervisor.stop() };
  }
  const { config } = app.services;
  const db = new Db({ uri: config.NEO4J_URI!, user: config.NEO4J_USER, password: config.NEO4J_PASSWORD, timeouts: timeoutsFrom(config) });
  const hooks = new Hooks();
  const segmentation = createSegmentation({ config, db, logger }, hooks);
  // No periodic recovery: tests that plant runs of dead processes recover them themselves, through the API's services.
  const worker = new RunWorker({ segmentation, logger }, { pollMs: config.WORKER_POLL_MS, recoverEveryMs: Infinity });
  const unsubscribe = app.services.segmentation.queue.onQueued(() => worker.nudge());
  worker.start();
  return {
    mode,
    segmentation,
    async stop() {
      unsubscribe();
      await worker.stop();
      await hooks.emit('shutdown', {});
      await db.close();
    },
  };
}

/** Resolves once the supervised child says it is claiming runs (a child that exits first is an error). */
export function waitReady(supervisor: WorkerSupervisor, timeoutMs = 60_000): Promise<{ pid: number; instanceId: string }> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      supervisor.off('ready', onReady);
      supervisor.off('exit', onExit);
    };
    const onReady = (info: { pid: number; instanceId: string }) => {
      done();
      resolve(info);
    };
    const onExit = (e: unknown) => {
      done();
      reject(new Error(`the run worker exited before it was ready: ${JSON.stringify(e)}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`the run worker was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    supervisor.on('ready', onReady);
    supervisor.on('exit', onExit);
  });
}
