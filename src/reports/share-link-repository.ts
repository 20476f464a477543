import type { Db } from '../db/neo4j.js';
import type { AudienceDefinition } from '../affinity/audience-service.js';

/** What a report shows: insight into one audience, under a title. */
export interface ReportSpec {
  audience: AudienceDefinition;
  title: string;
}

export interface ShareLinkRecord {
  id: string;
  report: ReportSpec;
  title: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  /** The API key (name and id) that created it. */
  createdBy: string;
}

type Row = Omit<ShareLinkRecord, 'report'> & { report: string };

/** Neo4j prints datetimes without trailing zero milliseconds; the API writes every time as toISOString does. */
const iso = (t: string) => new Date(t).toISOString();

const toRecord = (r: Row): ShareLinkRecord => ({
  ...r,
  report: JSON.parse(r.report) as ReportSpec,
  createdAt: iso(r.createdAt),
  expiresAt: iso(r.expiresAt),
  revokedAt: r.revokedAt ? iso(r.revokedAt) : null,
});

export class ShareLinkRepository {
  constructor(private readonly db: Db) {}

  async create(link: ShareLinkRecord, tokenHash: string): Promise<void> {
    await this.db.write('reports/create-share-link', { ...link, report: JSON.stringify(link.report), tokenHash });
  }

  async get(id: string): Promise<(ShareLinkRecord & { tokenHash: string }) | undefined> {
    const [row] = await this.db.read<Row & { tokenHash: string }>('reports/get-share-link', { id });
    return row ? { ...toRecord(row), tokenHash: row.tokenHash } : undefined;
  }

  async list(after: { createdAtMs: number; id: string } | undefined, limit: number): Promise<ShareLinkRecord[]> {
    const rows = await this.db.read<Row>('reports/list-share-links', {
      afterMs: after?.createdAtMs ?? null,
      afterId: after?.id ?? null,
      limit,
    });
    return rows.map(toRecord);
  }

  async revoke(id: string, at: string): Promise<boolean> {
    return (await this.db.write('reports/revoke-share-link', { id, at })).length > 0;
  }

  /** One bounded batch of links that expired before `before`. */
  async prune(before: string): Promise<number> {
    const [row] = await this.db.write<{ deleted: number }>('reports/prune-share-links', { before }, { deadline: 'batch' });
    return row?.deleted ?? 0;
  }
}
