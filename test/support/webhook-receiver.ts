import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  /** What the receiver answered. */
  status: number;
}

export interface WebhookEvent {
  id: string;
  type: string;
  at: string;
  audience: { id: string; name: string | null };
  user?: string;
  userId?: string;
  [extra: string]: unknown;
}

/**
 * A webhook receiver on loopback, as a customer would run one: it records every request and answers what `answer`
 * says for its path (200 by default).
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  private server: Server | undefined;
  private readonly answers = new Map<string, (n: number) => number>();
  base = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const seen = this.received.filter((r) => r.path === path).length;
        const status = (this.answers.get(path) ?? (() => 200))(seen + 1);
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), status });
        res.statusCode = status;
        res.end(status < 300 ? 'ok' : 'nope');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** `status(n)` answers the n-th request to `path` (1-based). */
  answer(path: string, status: (n: number) => number): void {
    this.answers.set(path, status);
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Events of the requests to `path` that the receiver accepted (2xx). */
  accepted(path: string): WebhookEvent[] {
    return this.on(path)
      .filter((r) => r.status < 300)
      .flatMap((r) => (JSON.parse(r.body) as { events: WebhookEvent[] }).events);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * Verifies a delivery the way docs/audiences.md tells receivers to, with nothing but node:crypto: HMAC-SHA256 under the
 * base64-decoded secret (after `whsec_`) of `<webhook-id>.<webhook-timestamp>.<body>`, base64, compared in constant
 * time with each `v1,` signature of the header; the timestamp within 5 minutes.
 */
export function verifySignature(secret: string, r: Pick<Received, 'headers' | 'body'>, now = Date.now()): boolean {
  const id = r.headers['webhook-id'];
  const timestamp = r.headers['webhook-timestamp'];
  const header = r.headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof header !== 'string') return false;
  if (Math.abs(now / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${r.body}`).digest();
  return header.split(' ').some((part) => {
    const [version, sig] = part.split(',');
    const given = Buffer.from(sig ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}
