/**
 * Share links: read-only access to one report for anyone holding the link, until it expires or is revoked.
 *
 * A token is `nss_<payload>.<signature>`: the payload (base64url JSON `{i: link id, e: expiry in epoch seconds, k}`)
 * signed with HMAC-SHA256 under a key derived from SECRET_KEY. The signature and the expiry are checked first (a forged
 * or expired token never reaches the database); then the link is read by id and must hold the token's SHA-256 (the
 * token itself is never stored) and not be revoked. `k: 'r'` marks a render token: minted for one render by headless
 * Chromium, held in this process's memory only, for its deadline.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Principal } from '../auth/principal.js';
import type { ReportSpec, ShareLinkRecord, ShareLinkRepository } from './share-link-repository.js';

export const SHARE_TOKEN_PREFIX = 'nss_';

const Payload = z.object({ i: z.string().min(1).max(100), e: z.number().int(), k: z.enum(['s', 'r']) });

/** Expired links stay listed this long, then they are deleted. */
const KEEP_EXPIRED_MS = 90 * 86_400_000;

export type ShareLinkStatus = 'active' | 'expired' | 'revoked';

export class ShareLinkService {
  private readonly key: Buffer;
  /** Render tokens: id → what to render, until when (ms). */
  private readonly renders = new Map<string, { report: ReportSpec; expires: number }>();

  constructor(
    private readonly repo: ShareLinkRepository,
    secretKey: string,
    private readonly now: () => number = Date.now,
  ) {
    // A key of its own: a share token must not be usable as any other signed value (cookies, email hashes).
    this.key = createHmac('sha256', secretKey).update('share-links/v1').digest();
  }

  private sign(payload: z.infer<typeof Payload>): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const mac = createHmac('sha256', this.key).update(body).digest('base64url');
    return `${SHARE_TOKEN_PREFIX}${body}.${mac}`;
  }

  async create(
    report: ReportSpec,
    ttlMs: number,
    createdBy: string,
  ): Promise<ShareLinkRecord & { token: string; status: ShareLinkStatus }> {
    const id = randomUUID();
    const createdAt = this.now();
    // Whole seconds, as the token says it.
    const expires = Math.floor((createdAt + ttlMs) / 1000);
    const token = this.sign({ i: id, e: expires, k: 's' });
    const record = {
      id,
      report,
      title: report.title,
      createdAt: new Date(createdAt).toISOString(),
      expiresAt: new Date(expires * 1000).toISOString(),
      revokedAt: null,
      createdBy,
    };
    await this.repo.create(record, hashToken(token));
    void this.repo.prune(new Date(createdAt - KEEP_EXPIRED_MS).toISOString()).catch(() => undefined);
    return { ...record, token, status: 'active' };
  }

  /** A token for one render: valid in this process for `ttlMs`, never stored. */
  mintRenderToken(report: ReportSpec, ttlMs: number): { token: string; release: () => void } {
    const id = `render-${randomBytes(12).toString('base64url')}`;
    const expires = this.now() + ttlMs;
    this.renders.set(id, { report, expires });
    for (const [k, v] of this.renders) if (v.expires < this.now()) this.renders.delete(k);
    return { token: this.sign({ i: id, e: Math.ceil(expires / 1000), k: 'r' }), release: () => this.renders.delete(id) };
  }

  /** The principal a share token stands for; 401 (with the reason) when it is forged, expired, revoked or unknown. */
  async verify(token: string): Promise<Principal> {
    const payload = this.payloadOf(token);
    const now = this.now();
    if (payload.e * 1000 <= now) {
      throw new AppError(401, 'share-link-expired', `This share link expired at ${new Date(payload.e * 1000).toISOString()}`);
    }
    if (payload.k === 'r') {
      const render = this.renders.get(payload.i);
      if (!render || render.expires <= now) throw new AppError(401, 'share-link-expired', 'This render token is no longer valid');
      return { kind: 'share', linkId: payload.i, report: render.report, expiresAt: new Date(render.expires).toISOString() };
    }
    const link = await this.repo.get(payload.i);
    if (!link || !safeEqual(link.tokenHash, hashToken(token))) throw new AppError(401, 'unauthorized', 'Unknown share link');
    if (link.revokedAt) throw new AppError(401, 'share-link-revoked', `This share link was revoked at ${link.revokedAt}`);
    if (Date.parse(link.expiresAt) <= now) throw new AppError(401, 'share-link-expired', `This share link expired at ${link.expiresAt}`);
    return { kind: 'share', linkId: link.id, report: link.report, expiresAt: link.expiresAt };
  }

  private payloadOf(token: string): z.infer<typeof Payload> {
    const m = /^nss_([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{43})$/.exec(token);
    const forged = () => new AppError(401, 'unauthorized', 'Not a valid share link');
    if (!m) throw forged();
    const expected = createHmac('sha256', this.key).update(m[1]!).digest('base64url');
    if (!safeEqual(expected, m[2]!)) throw forged();
    try {
      return Payload.parse(JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')));
    } catch {
      throw forged();
    }
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.repo.revoke(id, new Date(this.now()).toISOString()))) throw AppError.notFound('Share link');
  }

  async list(after: { createdAtMs: number; id: string } | undefined, limit: number) {
    const now = this.now();
    return (await this.repo.list(after, limit)).map((l) => ({ ...l, status: statusOf(l, now) }));
  }
}

export function statusOf(l: Pick<ShareLinkRecord, 'revokedAt' | 'expiresAt'>, now: number): ShareLinkStatus {
  return l.revokedAt ? 'revoked' : Date.parse(l.expiresAt) <= now ? 'expired' : 'active';
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
