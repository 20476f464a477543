import { EventEmitter } from 'node:events';
import type { Logger } from '../logger.js';
import { freePort, startLocalNeo4j, type LocalNeo4j, type StartOptions } from './local-neo4j.js';
import type { Db } from './neo4j.js';

/** How the embedded Neo4j is brought back after it dies. */
export interface RestartPolicy {
  /** Wait before the first restart; doubled after each failed one, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Failed restarts in a row (a start that fails, or a server dying within stableMs of its start) before giving up. */
  maxAttempts: number;
  /** A server that stayed up this long counts as healthy again: the next death starts over at initialDelayMs. */
  stableMs: number;
}

/** 1 s, 2 s, 4 s, 8 s, 16 s: five tries over about half a minute, then the process exits for its supervisor. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialDelayMs: 1_000, maxDelayMs: 30_000, maxAttempts: 5, stableMs: 60_000 };

export interface SupervisedNeo4j {
  readonly uri: string;
  readonly port: number;
  readonly password: string;
  /** The server process running now (tests signal it). */
  current(): LocalNeo4j;
  /** While the server is away, `db` fails every call at once (503 fast) instead of waiting out its deadlines. */
  attach(db: Db): void;
  on(event: 'down' | 'up', listener: () => void): this;
  stop(): Promise<void>;
}

export interface SuperviseOptions {
  logger: Logger;
  /** Called once restarts are given up; main.ts shuts down and exits non-zero so a process supervisor takes over. */
  onGiveUp: (err: Error) => void;
  policy?: Partial<RestartPolicy>;
  /** How a server is started (tests pass a fake). */
  start?: (opts: StartOptions) => Promise<LocalNeo4j>;
  now?: () => number;
}

class Supervisor extends EventEmitter implements SupervisedNeo4j {
  private server!: LocalNeo4j;
  private stopping = false;
  private upSince = 0;
  private attempts = 0;
  private wake: (() => void) | undefined;
  private restarting: Promise<void> | undefined;
  private readonly policy: RestartPolicy;
  private readonly start: (opts: StartOptions) => Promise<LocalNeo4j>;
  private readonly now: () => number;

  constructor(
    private readonly opts: StartOptions & { port: number; password: string },
    private readonly deps: SuperviseOptions,
  ) {
    super();
    this.policy = { ...DEFAULT_RESTART_POLICY, ...deps.policy };
    this.start = deps.start ?? startLocalNeo4j;
    this.now = deps.now ?? Date.now;
  }

  get uri() {
    return this.server.uri;
  }
  get port() {
    return this.opts.port;
  }
  get password() {
    return this.opts.password;
  }
  current() {
    return this.server;
  }

  async begin(): Promise<void> {
    this.server = await this.start(this.opts);
    this.watch();
  }

  attach(db: Db): void {
    this.on('down', () => db.setUnavailable('the embedded Neo4j died and is being restarted'));
    this.on('up', () => db.setUnavailable(null));
  }

  private watch(): void {
    this.upSince = this.now();
    const server = this.server;
    server.process.once('exit', (code, signal) => {
      if (this.stopping || server !== this.server) return;
      // Only a server that stayed up a while earns a fresh start of the backoff; one that keeps dying soon after it
      // starts counts as a failed restart.
      if (this.now() - this.upSince >= this.policy.stableMs) this.attempts = 0;
      this.deps.logger.error({ code, signal }, 'the embedded Neo4j died: restarting it');
      this.emit('down');
      this.restarting = this.restart();
    });
  }

  private async restart(): Promise<void> {
    while (!this.stopping) {
      if (this.attempts >= this.policy.maxAttempts) {
        this.giveUp(new Error(`the embedded Neo4j could not be kept running (${this.attempts} restarts failed in a row)`));
        return;
      }
      const delay = Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * 2 ** this.attempts);
      this.attempts++;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      if (this.stopping) return;
      try {
        this.server = await this.start(this.opts);
      } catch (err) {
        this.deps.logger.error({ err, attempt: this.attempts }, 'the embedded Neo4j did not restart');
        continue;
      }
      if (this.stopping) {
        await this.server.stop();
        return;
      }
      this.deps.logger.warn({ attempt: this.attempts, uri: this.server.uri }, 'the embedded Neo4j is back');
      this.watch();
      this.emit('up');
      return;
    }
  }

  private giveUp(err: Error): void {
    this.deps.logger.fatal({ err }, 'giving up on the embedded Neo4j');
    this.deps.onGiveUp(err);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.restarting;
    await this.server.stop();
  }
}

/**
 * Starts the embedded Neo4j and keeps it running: when its process dies the server is started again on the same port,
 * data directory and password, with exponential backoff (DEFAULT_RESTART_POLICY); after `maxAttempts` failures in a
 * row `onGiveUp` is called. While it is away an attached Db answers at once that it is unavailable.
 */
export async function superviseNeo4j(opts: StartOptions & { password: string }, deps: SuperviseOptions): Promise<SupervisedNeo4j> {
  // A restart must come back where clients look for it: a free port is chosen once, up front.
  const port = opts.port && opts.port > 0 ? opts.port : await freePort(opts.host ?? '127.0.0.1');
  const supervisor = new Supervisor({ ...opts, port }, deps);
  await supervisor.begin();
  return supervisor;
}
