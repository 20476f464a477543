import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { newSigningSecret } from './secret-box.js';
import { WebhookClient } from './webhook-client.js';
import { retryDelay } from './delivery-job.js';

let server: Server;
let base: string;
const seen: Array<{ headers: Record<string, string>; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString() });
      res.statusCode = req.url === '/teapot' ? 418 : 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('webhook client', () => {
  it('posts a Standard Webhooks signed body and reports the status', async () => {
    const client = new WebhookClient({ timeoutMs: 2000, allowPrivateNetworks: true });
    const secret = newSigningSecret();
    expect(await client.send(`${base}/ok`, secret, 'dlv_1', '{"a":1}')).toBe(204);
    expect(await client.send(`${base}/teapot`, secret, 'dlv_2', '{}')).toBe(418);
    const [first] = seen;
    expect(first!.headers['idempotency-key']).toBe('dlv_1');
    expect(new Webhook(secret).verify(first!.body, first!.headers)).toEqual({ a: 1 });
    client.close();
  });

  it('refuses loopback and private addresses unless allowed', async () => {
    const client = new WebhookClient({ timeoutMs: 2000, allowPrivateNetworks: false });
    await expect(client.send(`${base}/ok`, newSigningSecret(), 'dlv_3', '{}')).rejects.toThrow(/not allowed/);
    await expect(client.send('http://169.254.169.254/latest/meta-data', newSigningSecret(), 'dlv_4', '{}')).rejects.toThrow(/not allowed/);
    client.close();
  });

  it('gives up at its deadline when the receiver does not answer', async () => {
    const client = new WebhookClient({ timeoutMs: 300, allowPrivateNetworks: true });
    const started = Date.now();
    await expect(client.send(`${base}/hang`, newSigningSecret(), 'dlv_5', '{}')).rejects.toThrow(/within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
    client.close();
  });
});

describe('retry delay', () => {
  it('doubles from the base with jitter, up to the cap', () => {
    expect(retryDelay(1, 1000, 60_000, () => 0)).toBe(500);
    expect(retryDelay(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(retryDelay(3, 1000, 60_000, () => 1)).toBe(4000);
    expect(retryDelay(30, 1000, 60_000, () => 1)).toBe(60_000);
    expect(retryDelay(30, 1000, 60_000, () => 0)).toBe(30_000);
  });
});
