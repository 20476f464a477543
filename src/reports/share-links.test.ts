import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import type { ShareLinkRecord, ShareLinkRepository } from './share-link-repository.js';
import { ShareLinkService, statusOf } from './share-links.js';

/** The repository's contract in memory: the token logic is what is tested here (the Cypher in the integration test). */
class MemoryLinks {
  readonly links = new Map<string, ShareLinkRecord & { tokenHash: string }>();
  async create(link: ShareLinkRecord, tokenHash: string) {
    this.links.set(link.id, { ...link, tokenHash });
  }
  async get(id: string) {
    return this.links.get(id);
  }
  async revoke(id: string, at: string) {
    const l = this.links.get(id);
    if (l) l.revokedAt ??= at;
    return Boolean(l);
  }
  async list() {
    return [...this.links.values()];
  }
  async prune() {
    return 0;
  }
}

const report = { audience: { segment: 'seg_1' }, title: 'Climbers' };

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).status).toBe(401);
  return (err as AppError).code;
}

describe('ShareLinkService', () => {
  const setup = () => {
    let now = Date.parse('2026-11-29T10:00:00Z');
    const repo = new MemoryLinks();
    const service = new ShareLinkService(repo as unknown as ShareLinkRepository, 'secret-key-0123456789', () => now);
    return { repo, service, advance: (ms: number) => (now += ms) };
  };

  it('verifies its own tokens until they expire, and stores only their hash', async () => {
    const { repo, service, advance } = setup();
    const link = await service.create(report, 3_600_000, 'tester');
    expect(link.expiresAt).toBe('2026-11-29T11:00:00.000Z');
    expect(await service.verify(link.token)).toEqual({ kind: 'share', linkId: link.id, report, expiresAt: link.expiresAt });
    expect(JSON.stringify([...repo.links.values()])).not.toContain(link.token);
    advance(3_600_000);
    expect(await refusal(service.verify(link.token))).toBe('share-link-expired');
    expect(statusOf(link, Date.parse('2026-11-29T11:00:00Z'))).toBe('expired');
  });

  it('refuses revoked, forged, altered and foreign tokens', async () => {
    const { repo, service } = setup();
    const link = await service.create(report, 3_600_000, 'tester');
    const [body, mac] = link.token.slice(4).split('.');
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
    const altered = Buffer.from(JSON.stringify({ ...payload, e: (payload.e as number) + 3600 })).toString('base64url');
    expect(await refusal(service.verify(`nss_${altered}.${mac}`))).toBe('unauthorized');
    expect(await refusal(service.verify(`${link.token.slice(0, -3)}AAA`))).toBe('unauthorized');
    // Signed with another secret: not ours.
    const other = new ShareLinkService(repo as unknown as ShareLinkRepository, 'another-secret-0123456789');
    const theirs = await other.create(report, 3_600_000, 'x');
    expect(await refusal(service.verify(theirs.token))).toBe('unauthorized');
    // A link whose record is gone (deleted) is unknown.
    repo.links.delete(link.id);
    expect(await refusal(service.verify(link.token))).toBe('unauthorized');
    const kept = await service.create(report, 3_600_000, 'tester');
    await service.revoke(kept.id);
    expect(await refusal(service.verify(kept.token))).toBe('share-link-revoked');
    await expect(service.revoke('nope')).rejects.toMatchObject({ status: 404 });
  });

  it('mints render tokens that live in this process only, until released or expired', async () => {
    const { repo, service, advance } = setup();
    const render = service.mintRenderToken(report, 30_000);
    expect(await service.verify(render.token)).toMatchObject({ kind: 'share', report });
    expect(repo.links.size).toBe(0);
    render.release();
    expect(await refusal(service.verify(render.token))).toBe('share-link-expired');
    const late = service.mintRenderToken(report, 30_000);
    advance(31_000);
    expect(await refusal(service.verify(late.token))).toBe('share-link-expired');
    // Another process (another service) does not know it.
    const elsewhere = new ShareLinkService(repo as unknown as ShareLinkRepository, 'secret-key-0123456789');
    expect(await refusal(elsewhere.verify(service.mintRenderToken(report, 30_000).token))).toBe('share-link-expired');
  });
});
