/**
 * Prints the dashboard's own report view to PDF or PNG with headless Chromium (playwright-core, Debian's chromium).
 * Chromium is a separate process, so the request loop only awaits it; what is bounded here is how many renders run at
 * once (`concurrency`, with `queue` more waiting, 429 beyond) and how long one may take (`timeoutMs`, 503 past it,
 * the page closed). One browser process is launched on first use, shared by renders, and closed after a minute idle.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { launchChromium } from './chromium.js';

export interface RendererOptions {
  executablePath: string;
  concurrency: number;
  queue: number;
  timeoutMs: number;
  logger: Logger;
  /** Close the browser after this long without renders. */
  idleMs?: number;
}

/** A page is ready to print when the report view says so (it sets this once its data is drawn). */
export const READY_SELECTOR = '#report[data-state="ready"]';

export class RenderBusyError extends AppError {
  constructor() {
    super(429, 'render-busy', 'Reports are being rendered at capacity; try again in a few seconds');
  }
}

export class ReportRenderer {
  private browser: Promise<Browser> | undefined;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private idle: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: RendererOptions) {}

  /** Renders the page at `url` once it is ready: a PDF of the whole page, or a PNG of one element. */
  pdf(url: string): Promise<Buffer> {
    return this.render(url, (page) =>
      page.pdf({ format: 'A4', printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' } }),
    );
  }

  png(url: string, selector: string): Promise<Buffer> {
    return this.render(url, (page) => page.locator(selector).screenshot({ type: 'png' }));
  }

  private async render(url: string, take: (page: Page) => Promise<Buffer>): Promise<Buffer> {
    if (this.closed) throw this.unavailable('the service is shutting down');
    await this.requireExecutable();
    const deadline = Date.now() + this.opts.timeoutMs;
    await this.acquire(deadline);
    try {
      return await this.withDeadline(deadline, async (register) => {
        const browser = await this.launch();
        const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
        register(() => context.close());
        const page = await context.newPage();
        page.setDefaultTimeout(Math.max(1, deadline - Date.now()));
        await page.goto(url);
        await page.locator(READY_SELECTOR).waitFor();
        return take(page);
      });
    } finally {
      this.release();
    }
  }

  /** Runs `job`; past the deadline answers 503 and closes what the job opened (registered cleanups run either way). */
  private async withDeadline<T>(deadline: number, job: (register: (cleanup: () => Promise<void>) => void) => Promise<T>): Promise<T> {
    const cleanups: Array<() => Promise<void>> = [];
    // What the job opens after the deadline has passed is closed at once.
    let over = false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new AppError(503, 'render-timeout', `The report was not rendered within ${this.opts.timeoutMs / 1000} s; try again`)),
        Math.max(0, deadline - Date.now()),
      );
    });
    const work = job((c) => {
      if (over) void c().catch(() => undefined);
      else cleanups.push(c);
    });
    work.catch(() => undefined);
    try {
      return await Promise.race([work, timeout]);
    } catch (err) {
      if (err instanceof AppError) throw err;
      this.opts.logger.warn({ err }, 'report render failed');
      throw this.unavailable((err as Error).message?.split('\n')[0] ?? 'rendering failed');
    } finally {
      over = true;
      clearTimeout(timer);
      await Promise.allSettled(cleanups.map((c) => c()));
    }
  }

  private unavailable(why: string): AppError {
    return new AppError(503, 'renderer-unavailable', `Reports cannot be rendered now: ${why}`);
  }

  private async requireExecutable(): Promise<void> {
    try {
      await access(this.opts.executablePath, constants.X_OK);
    } catch {
      throw new AppError(
        503,
        'renderer-unavailable',
        `No Chromium at ${this.opts.executablePath}: PDF and PNG reports need it (Debian: apt-get install chromium; or set CHROMIUM_PATH). CSV reports work without it`,
      );
    }
  }

  private launch(): Promise<Browser> {
    clearTimeout(this.idle);
    if (!this.browser) {
      const launching = launchChromium(this.opts.executablePath).then((b) => {
        // A crashed or killed browser is launched again by the next render.
        b.on('disconnected', () => {
          if (this.browser === launching) this.browser = undefined;
        });
        return b;
      });
      launching.catch(() => {
        if (this.browser === launching) this.browser = undefined;
      });
      this.browser = launching;
    }
    return this.browser;
  }

  private acquire(deadline: number): Promise<void> {
    if (this.running < this.opts.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.opts.queue) return Promise.reject(new RenderBusyError());
    return new Promise((resolve, reject) => {
      const turn = () => {
        clearTimeout(timer);
        this.running++;
        resolve();
      };
      const timer = setTimeout(
        () => {
          const i = this.waiting.indexOf(turn);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new RenderBusyError());
        },
        Math.max(0, deadline - Date.now()),
      );
      this.waiting.push(turn);
    });
  }

  private release(): void {
    this.running--;
    const next = this.waiting.shift();
    if (next) next();
    else if (this.running === 0) this.scheduleIdleClose();
  }

  private scheduleIdleClose(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.running === 0) void this.closeBrowser();
    }, this.opts.idleMs ?? 60_000);
    this.idle.unref();
  }

  private async closeBrowser(): Promise<void> {
    const b = this.browser;
    this.browser = undefined;
    await (await b?.catch(() => undefined))?.close().catch(() => undefined);
  }

  /** Shutdown: no new renders, the browser closed. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idle);
    await this.closeBrowser();
  }
}
