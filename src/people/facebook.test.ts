import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appSecretProof, fetchAllLikes, GraphApiError } from './facebook.js';

const GRAPH = 'https://graph.example.test/v19.0';

/** A scripted Graph API: each call answers the next page; the URLs asked for are recorded. */
function scripted(pages: Array<{ status?: number; body: unknown }>) {
  const calls: Array<{ url: URL; auth: string | undefined }> = [];
  const impl = (async (input: URL | RequestInfo, init?: RequestInit) => {
    const url = new URL(String(input));
    calls.push({ url, auth: (init?.headers as Record<string, string> | undefined)?.authorization });
    const page = pages[calls.length - 1] ?? { status: 500, body: {} };
    return new Response(JSON.stringify(page.body), { status: page.status ?? 200 });
  }) as typeof fetch;
  return { impl, calls };
}

describe('appSecretProof', () => {
  it('is HMAC-SHA256 of the access token keyed with the app secret, in hex', () => {
    expect(appSecretProof('secret', 'token')).toBe(createHmac('sha256', 'secret').update('token').digest('hex'));
  });
});

describe('fetchAllLikes', () => {
  it('follows paging.next, proves every call and keeps the token out of the URL', async () => {
    const { impl, calls } = scripted([
      {
        body: {
          data: [{ id: '1', name: 'Trail running', category: 'Sport' }],
          paging: { next: `${GRAPH}/me/likes?access_token=tok&after=a1` },
        },
      },
      {
        body: {
          data: [{ id: '2', name: 'Sourdough', created_time: '2026-01-01T00:00:00+0000' }],
          paging: { next: `${GRAPH}/me/likes?after=a2` },
        },
      },
      { body: { data: [{ id: '1', name: 'Trail running' }, { id: '3', name: '  ' }, { name: 'no id' }], paging: {} } },
    ]);
    const likes = await fetchAllLikes({ graphUrl: GRAPH, appSecret: 's3cret', accessToken: 'tok' }, impl);
    expect(likes).toEqual([
      { id: '1', name: 'Trail running' },
      { id: '2', name: 'Sourdough', created_time: '2026-01-01T00:00:00+0000' },
    ]);
    expect(calls).toHaveLength(3);
    for (const c of calls) {
      expect(c.url.searchParams.get('appsecret_proof')).toBe(appSecretProof('s3cret', 'tok'));
      expect(c.url.searchParams.has('access_token')).toBe(false);
      expect(c.auth).toBe('Bearer tok');
    }
    expect(calls[0]!.url.pathname).toBe('/v19.0/me/likes');
    expect(calls[1]!.url.searchParams.get('after')).toBe('a1');
  });

  it('never sends the token to another origin and stops on a repeated page', async () => {
    const away = scripted([{ body: { data: [], paging: { next: 'https://evil.example/me/likes?after=x' } } }]);
    await expect(fetchAllLikes({ graphUrl: GRAPH, appSecret: 's', accessToken: 't' }, away.impl)).rejects.toBeInstanceOf(GraphApiError);
    expect(away.calls).toHaveLength(1);

    const loop = scripted(
      Array.from({ length: 5 }, () => ({ body: { data: [{ id: '9', name: 'X' }], paging: { next: `${GRAPH}/me/likes?after=same` } } })),
    );
    const likes = await fetchAllLikes({ graphUrl: GRAPH, appSecret: 's', accessToken: 't' }, loop.impl);
    expect(likes).toEqual([{ id: '9', name: 'X' }]);
    expect(loop.calls).toHaveLength(2);
  });

  it('fails rather than return a part when there are more pages than it reads', async () => {
    const pages = Array.from({ length: 4 }, (_, i) => ({
      body: { data: [{ id: String(i), name: `Like ${i}` }], paging: { next: `${GRAPH}/me/likes?after=p${i}` } },
    }));
    const { impl, calls } = scripted(pages);
    const err = await fetchAllLikes({ graphUrl: GRAPH, appSecret: 's', accessToken: 't', maxPages: 3 }, impl).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphApiError);
    expect((err as GraphApiError).tooManyLikes).toBe(true);
    expect((err as Error).message).toMatch(/more than 3 pages/);
    expect(calls).toHaveLength(3);
    // Exactly maxPages pages is still complete.
    const exact = scripted([...pages.slice(0, 2), { body: { data: [{ id: 'z', name: 'Last' }], paging: {} } }]);
    expect(await fetchAllLikes({ graphUrl: GRAPH, appSecret: 's', accessToken: 't', maxPages: 3 }, exact.impl)).toHaveLength(3);
  });

  it('reports a Graph API error with its status', async () => {
    const { impl } = scripted([{ status: 400, body: { error: { message: 'Invalid appsecret_proof' } } }]);
    await expect(fetchAllLikes({ graphUrl: GRAPH, appSecret: 's', accessToken: 't' }, impl)).rejects.toThrow(
      /400: Invalid appsecret_proof/,
    );
  });
});
