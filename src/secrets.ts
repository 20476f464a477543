import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A value from the environment, or one generated once and kept in a file under the data directory, so that a local
 * `npm start` keeps the same admin key and the same email-hash key across restarts (email hashes must stay stable
 * for identity stitching to keep working).
 */
export function persistentSecret(fromEnv: string | undefined, file: string, prefix = ''): string {
  if (fromEnv) return fromEnv;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const value = prefix + randomBytes(32).toString('base64url');
  writeFileSync(file, value + '\n', { mode: 0o600 });
  return value;
}
