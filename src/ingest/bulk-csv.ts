import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TopicRow } from './ingest-repository.js';
import type { PersonRows } from './bulk-plan.js';

/**
 * neo4j-admin's CSV input (header files with typed columns, https://neo4j.com/docs/operations-manual/5/tools/neo4j-admin/neo4j-admin-import/):
 * one header file per label and relationship type (`users.header.csv`), followed by any number of data parts
 * (`users.part-<name>.csv`): each conversion thread appends to its own parts, and the tool reads them all as one
 * input. Strings are always quoted (quotes doubled), an absent value is an empty unquoted field (no property), numbers
 * are doubles (the driver sends JavaScript numbers as floats too), times are ISO datetimes in UTC, `sources` is a
 * string array joined by `;`.
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

const FILE_NAMES = Object.keys(BULK_FILES) as BulkFile[];
const QUOTE = /"/g;
const NEWLINE = /[\r\n]/;
/** A part's lines are appended to its file once they reach this many characters (and at `flush`). */
const FLUSH_CHARS = 4 << 20;

const headerFile = (dir: string, name: BulkFile) => path.join(dir, `${name}.header.csv`);
const partFile = (dir: string, name: BulkFile, part: string) => path.join(dir, `${name}.part-${part}.csv`);

/** The header files of a load in `dir` (once, before any part is written). */
export function writeBulkHeaders(dir: string): void {
  for (const name of FILE_NAMES) writeFileSync(headerFile(dir, name), BULK_FILES[name].header + '\n');
}

/** Lines of one file's part, kept until flushed. */
class Lines {
  private lines: string[] = [];
  private chars = 0;
  rows = 0;
  /** A value holds a line break: neo4j-admin must then be told that fields can span lines (slower). */
  multiline = false;

  str(v: string | null): string {
    if (v === null) return '';
    if (NEWLINE.test(v)) this.multiline = true;
    return v.includes('"') ? `"${v.replace(QUOTE, '""')}"` : `"${v}"`;
  }

  add(text: string): void {
    this.lines.push(text);
    this.chars += text.length + 1;
    this.rows++;
  }

  get full(): boolean {
    return this.chars >= FLUSH_CHARS;
  }

  /** Appends the kept lines to `file` (synchronously: a conversion thread has nothing else to do meanwhile). */
  flushTo(file: string): void {
    if (this.lines.length === 0) return;
    this.lines.push('');
    appendFileSync(file, this.lines.join('\n'));
    this.lines = [];
    this.chars = 0;
  }
}

const num = (v: number | null) => (v === null ? '' : String(v));

/** One thread's part of every file of a load in `dir`. */
export class BulkCsvPart {
  private readonly lines = Object.fromEntries(FILE_NAMES.map((n) => [n, new Lines()])) as Record<BulkFile, Lines>;

  constructor(
    readonly dir: string,
    /** Names the part files (letters, digits, dashes). */
    readonly part: string,
    private readonly now: string,
  ) {}

  person(p: PersonRows): void {
    const { users, identities, identifies, interests, purchases } = this.lines;
    const u = users.str(p.user.id);
    // interestsChangedAt: every loaded person is new, as the online import's interestsChanged hook stamps them.
    users.add(
      `${u},${users.str(p.user.name)},${users.str(p.user.emailHash)},${p.user.consentSegmentation},${p.user.consentPersonalization ?? ''},${p.user.consentMarketing ?? ''},${this.now},${this.now},${this.now}`,
    );
    for (const i of p.identities) {
      const key = identities.str(i.key);
      identities.add(`${key},"crm",${identities.str(i.externalId)},${identities.str(i.snapshot)}`);
      identifies.add(`${key},${u}`);
    }
    for (const e of p.interests) {
      interests.add(
        `${u},${interests.str(e.topicKey)},${e.weight},${e.sources.join(';')},${num(e.wCrm)},${num(e.wPurchase)},${e.firstSeen},${e.lastSeen}`,
      );
    }
    for (const x of p.purchases) {
      purchases.add(
        `${u},${purchases.str(x.topicKey)},${purchases.str(x.key)},${purchases.str(x.sku)},${num(x.amount)},${x.weight},${x.at}`,
      );
    }
    if (interests.full) this.flush();
  }

  topic(t: TopicRow): void {
    const f = this.lines.topics;
    f.add(`${f.str(t.key)},${f.str(t.id)},${f.str(t.name)},${f.str(t.category)}`);
    if (f.full) this.flush();
  }

  /** Appends what is kept to the part files. */
  flush(): void {
    for (const name of FILE_NAMES) this.lines[name].flushTo(partFile(this.dir, name, this.part));
  }

  get multiline(): boolean {
    return FILE_NAMES.some((n) => this.lines[n].multiline);
  }
}

/** neo4j-admin's `--nodes` / `--relationships` arguments: each header file, then every part written in `dir`. */
export function bulkImportArgs(dir: string): string[] {
  const files = readdirSync(dir).sort();
  return FILE_NAMES.map((name) => {
    const spec = BULK_FILES[name];
    const parts = files.filter((f) => f.startsWith(`${name}.part-`) && f.endsWith('.csv')).map((f) => path.join(dir, f));
    const list = [headerFile(dir, name), ...parts].join(',');
    return 'label' in spec ? `--nodes=${spec.label}=${list}` : `--relationships=${spec.type}=${list}`;
  });
}
