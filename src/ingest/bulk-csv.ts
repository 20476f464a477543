import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { TopicRow } from './ingest-repository.js';
import type { PersonRows } from './bulk-plan.js';

/**
 * neo4j-admin's CSV input (header files with typed columns, https://neo4j.com/docs/operations-manual/5/tools/neo4j-admin/neo4j-admin-import/):
 * one file per label and relationship type. Strings are always quoted (quotes doubled), an absent value is an empty
 * unquoted field (no property), numbers are doubles (the driver sends JavaScript numbers as floats too), times are
 * ISO datetimes in UTC, `sources` is a string array joined by `;`.
 */
export const BULK_FILES = {
  users: {
    label: 'User',
    header:
      'id:ID(User),name,emailHash,consentSegmentation:boolean,consentPersonalization:boolean,consentMarketing:boolean,createdAt:datetime,updatedAt:datetime,interestsChangedAt:datetime',
  },
  identities: { label: 'Identity', header: 'key:ID(Identity),source,externalId,snapshot' },
  topics: { label: 'Topic', header: 'key:ID(Topic),id,name,category' },
  identifies: { type: 'IDENTIFIES', header: ':START_ID(Identity),:END_ID(User)' },
  interests: {
    type: 'INTERESTED_IN',
    header:
      ':START_ID(User),:END_ID(Topic),weight:double,sources:string[],w_crm:double,w_purchase:double,firstSeen:datetime,lastSeen:datetime',
  },
  purchases: { type: 'PURCHASED', header: ':START_ID(User),:END_ID(Topic),key,sku,amount:double,weight:double,at:datetime' },
} as const;

export type BulkFile = keyof typeof BULK_FILES;

const QUOTE = /"/g;
const NEWLINE = /[\r\n]/;

/** Buffers lines and writes them in ~1 MB pieces; `drained` resolves once the file has taken what it was given. */
class CsvFile {
  private buffer: string[] = [];
  private size = 0;
  private blocked: Promise<void> | undefined;
  /** A value holds a line break: neo4j-admin must then be told that fields can span lines (slower). */
  multiline = false;
  rows = 0;

  constructor(
    readonly path: string,
    private readonly out: WriteStream,
    header: string,
  ) {
    this.line(header);
    this.rows = 0;
  }

  str(v: string | null): string {
    if (v === null) return '';
    if (NEWLINE.test(v)) this.multiline = true;
    return `"${v.replace(QUOTE, '""')}"`;
  }

  line(text: string): void {
    this.buffer.push(text);
    this.size += text.length + 1;
    this.rows++;
    if (this.size >= 1 << 20) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.size = 0;
    if (!this.out.write(chunk)) this.blocked ??= new Promise((resolve) => this.out.once('drain', () => resolve(undefined)));
  }

  async drained(): Promise<void> {
    const b = this.blocked;
    if (b) {
      await b;
      this.blocked = undefined;
    }
  }

  async close(): Promise<void> {
    this.flush();
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

const num = (v: number | null) => (v === null ? '' : String(v));

/** The CSV files of one bulk load in `dir`. */
export class BulkCsvWriter {
  readonly files: Record<BulkFile, CsvFile>;

  constructor(
    readonly dir: string,
    private readonly now: string,
  ) {
    this.files = Object.fromEntries(
      Object.entries(BULK_FILES).map(([name, spec]) => {
        const file = path.join(dir, `${name}.csv`);
        return [name, new CsvFile(file, createWriteStream(file), spec.header)];
      }),
    ) as Record<BulkFile, CsvFile>;
  }

  person(p: PersonRows): void {
    const { users, identities, identifies, interests, purchases } = this.files;
    const u = users.str(p.user.id);
    // interestsChangedAt: every loaded person is new, as the online import's interestsChanged hook stamps them.
    users.line(
      `${u},${users.str(p.user.name)},${users.str(p.user.emailHash)},${p.user.consentSegmentation},${p.user.consentPersonalization ?? ''},${p.user.consentMarketing ?? ''},${this.now},${this.now},${this.now}`,
    );
    for (const i of p.identities) {
      const key = identities.str(i.key);
      identities.line(`${key},"crm",${identities.str(i.externalId)},${identities.str(i.snapshot)}`);
      identifies.line(`${key},${u}`);
    }
    for (const e of p.interests) {
      interests.line(
        `${u},${interests.str(e.topicKey)},${e.weight},${e.sources.join(';')},${num(e.wCrm)},${num(e.wPurchase)},${e.firstSeen},${e.lastSeen}`,
      );
    }
    for (const x of p.purchases) {
      purchases.line(
        `${u},${purchases.str(x.topicKey)},${purchases.str(x.key)},${purchases.str(x.sku)},${num(x.amount)},${x.weight},${x.at}`,
      );
    }
  }

  topic(t: TopicRow): void {
    const f = this.files.topics;
    f.line(`${f.str(t.key)},${f.str(t.id)},${f.str(t.name)},${f.str(t.category)}`);
  }

  /** Resolves when no file is waiting for the disk: call between records to keep memory flat. */
  async drained(): Promise<void> {
    for (const f of Object.values(this.files)) await f.drained();
  }

  async close(): Promise<void> {
    for (const f of Object.values(this.files)) await f.close();
  }

  get multiline(): boolean {
    return Object.values(this.files).some((f) => f.multiline);
  }

  /** neo4j-admin's `--nodes` / `--relationships` arguments for these files. */
  importArgs(): string[] {
    return Object.entries(BULK_FILES).map(([name, spec]) => {
      const file = this.files[name as BulkFile].path;
      return 'label' in spec ? `--nodes=${spec.label}=${file}` : `--relationships=${spec.type}=${file}`;
    });
  }
}
