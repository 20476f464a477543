import express from 'express';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { listen, serverTimeoutsFrom } from './listen.js';

describe('listen', () => {
  it("sets the server timeouts of the configuration instead of Node's defaults (60 s headers, 300 s request)", async () => {
    const config = loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '7000', HTTP_REQUEST_TIMEOUT_MS: '90000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '4000' });
    const { server } = await listen(express(), 0, '127.0.0.1', serverTimeoutsFrom(config));
    try {
      expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout]).toEqual([7000, 90_000, 4000]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const defaults = serverTimeoutsFrom(loadConfig({}));
    expect(defaults).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 5_000 });
  });
});
