import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.NEO4J_URI).toBeUndefined();
    expect(c.DEMO_DATA).toBe(true);
    expect(c.FACEBOOK_GRAPH_URL).toMatch(/^https:\/\/graph\.facebook\.com/);
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
});
