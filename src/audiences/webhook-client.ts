/**
 * Sends one signed delivery to a webhook and says how the receiver answered. Signing follows Standard Webhooks
 * (standardwebhooks.com, the `standardwebhooks` library): `webhook-id` (the delivery id, the same on every attempt, also
 * sent as `Idempotency-Key`), `webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`
 * (`v1,` + base64 HMAC-SHA256 under the destination's secret of `<id>.<timestamp>.<body>`), so receivers can verify
 * with any Standard Webhooks library or a few lines (docs/audiences.md).
 *
 * Every call has a deadline (connect, headers and body together). Redirects are not followed. Addresses in private,
 * loopback, link-local and metadata ranges are refused at connection time, after DNS (request-filtering-agent), so a
 * destination cannot be used to reach the service's own network, unless WEBHOOK_ALLOW_PRIVATE_NETWORKS says otherwise.
 */
import http from 'node:http';
import https from 'node:https';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { Webhook } from 'standardwebhooks';

export interface WebhookClientOptions {
  timeoutMs: number;
  allowPrivateNetworks: boolean;
}

/** The most of a receiver's answer that is read (and thrown away): a body cannot hold the sender. */
const MAX_ANSWER_BYTES = 64 * 1024;

export const USER_AGENT = 'natural-segmentation-webhooks/1';

export class WebhookClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly opts: WebhookClientOptions) {
    const filter = { allowPrivateIPAddress: opts.allowPrivateNetworks, allowMetaIPAddress: opts.allowPrivateNetworks, keepAlive: true };
    this.httpAgent = new RequestFilteringHttpAgent(filter);
    this.httpsAgent = new RequestFilteringHttpsAgent(filter);
  }

  /** The headers of one attempt. */
  static headers(secret: string, id: string, body: string, at: Date): Record<string, string> {
    return {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
      'idempotency-key': id,
    };
  }

  /** POSTs the body; the receiver's status, or a thrown Error (refused address, network error, deadline). */
  send(url: string, secret: string, id: string, body: string, at = new Date()): Promise<number> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const headers = { ...WebhookClient.headers(secret, id, body, at), 'content-length': String(Buffer.byteLength(body)) };
    return new Promise<number>((resolve, reject) => {
      const signal = AbortSignal.timeout(this.opts.timeoutMs);
      const req = (secure ? https : http).request(target, {
        method: 'POST',
        headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
        signal,
      });
      req.on('error', (err: Error) => {
        reject(signal.aborted ? new Error(`no answer within ${this.opts.timeoutMs} ms`) : err);
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        res.on('error', () => resolve(status));
        res.on('close', () => resolve(status));
      });
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
