import type { Db } from '../db/neo4j.js';
import type { Role } from './principal.js';

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: string;
}

export class ApiKeyRepository {
  constructor(private readonly db: Db) {}

  async create(k: { id: string; name: string; role: Role; hash: string; prefix: string }): Promise<ApiKeyRecord> {
    const [row] = await this.db.write<{ key: ApiKeyRecord }>('auth/create-api-key', k);
    return row!.key;
  }

  async list(skip: number, limit: number): Promise<ApiKeyRecord[]> {
    const rows = await this.db.read<{ key: ApiKeyRecord }>('auth/list-api-keys', { skip, limit });
    return rows.map((r) => r.key);
  }

  async findByHash(hash: string): Promise<{ id: string; name: string; role: Role } | undefined> {
    const [row] = await this.db.read<{ key: { id: string; name: string; role: Role } }>('auth/find-api-key-by-hash', { hash });
    return row?.key;
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.db.write('auth/delete-api-key', { id });
    return rows.length > 0;
  }

  async upsertBootstrap(k: { id: string; name: string; hash: string; prefix: string }): Promise<void> {
    await this.db.write('auth/upsert-bootstrap-key', k);
  }
}
