import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.NEO4J_URI).toBeUndefined();
    expect(c.DEMO_DATA).toBe(true);
    expect(c.FACEBOOK_GRAPH_URL).toMatch(/^https:\/\/graph\.facebook\.com/);
    expect(c.NEO4J_GC).toBe('parallel');
  });

  it('takes the embedded Neo4j collector from a closed list', () => {
    expect(loadConfig({ NEO4J_GC: 'g1' }).NEO4J_GC).toBe('g1');
    expect(() => loadConfig({ NEO4J_GC: 'zgc' })).toThrow(/NEO4J_GC/);
  });

  it('runs segmentation in an embedded worker process by default, polled at most every second', () => {
    const c = loadConfig({});
    expect(c.WORKER).toBe('embedded');
    expect(c.WORKER_POLL_MS).toBe(500);
    expect(loadConfig({ WORKER: 'external' }).WORKER).toBe('external');
    let error: unknown;
    try {
      loadConfig({ WORKER: 'thread', WORKER_POLL_MS: '5000' });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(['WORKER', 'WORKER_POLL_MS']);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ ADMIN_API_KEY: '', NEO4J_URI: '' }).ADMIN_API_KEY).toBeUndefined();
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', NEO4J_URI: 'http://x', ADMIN_API_KEY: 'short', DEMO_DATA: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'NEO4J_URI', 'ADMIN_API_KEY', 'DEMO_DATA']) expect(problems).toContain(name);
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it('refuses half a Facebook app, alongside other problems', () => {
    expect(() => loadConfig({ FACEBOOK_APP_ID: 'app' })).toThrow(/FACEBOOK_APP_SECRET: required when FACEBOOK_APP_ID is set/);
    expect(() => loadConfig({ FACEBOOK_APP_SECRET: 'secret' })).toThrow(/FACEBOOK_APP_ID: required/);
    let error: unknown;
    try {
      loadConfig({ FACEBOOK_APP_ID: 'app', PORT: 'eighty' });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(['FACEBOOK_APP_SECRET', 'PORT']);
    expect(loadConfig({ FACEBOOK_APP_ID: 'app', FACEBOOK_APP_SECRET: 'secret' }).FACEBOOK_APP_ID).toBe('app');
  });

  it('takes deadlines in milliseconds and refuses a headers timeout longer than the request timeout', () => {
    const c = loadConfig({});
    expect([c.NEO4J_QUERY_TIMEOUT_MS, c.NEO4J_BATCH_TIMEOUT_MS, c.NEO4J_STREAM_TIMEOUT_MS]).toEqual([5_000, 120_000, 1_800_000]);
    expect([c.REQUEST_TIMEOUT_MS, c.BULK_REQUEST_TIMEOUT_MS]).toEqual([10_000, 600_000]);
    expect(() => loadConfig({ NEO4J_QUERY_TIMEOUT_MS: '0' })).toThrow(/NEO4J_QUERY_TIMEOUT_MS/);
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '2.5' })).toThrow(/REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '60000', HTTP_REQUEST_TIMEOUT_MS: '30000' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS/,
    );
  });

  it('trusts no proxy by default and takes hop counts or address lists, never "true"', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, 192.168.1.7, fd00::/8' }).TRUST_PROXY).toBe(
      'loopback, 10.0.0.0/8, 192.168.1.7, fd00::/8',
    );
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.internal' })).toThrow(/TRUST_PROXY: .*proxy\.internal/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/8/1' })).toThrow(/TRUST_PROXY/);
  });

  it('limits each client to 6,000 requests a minute by default', () => {
    expect(loadConfig({}).RATE_LIMIT_PER_MINUTE).toBe(6_000);
  });
});
