/**
 * `npm run generate -- --users 5000 [--communities 12] [--topics-per-community 20] [--interests 25]
 *   [--noise 0.2] [--subgroups 1] [--seed 1] [--prefix demo-] [--out file.ndjson]` (stdout when --out is absent):
 * planted-community profiles as NDJSON in the import format (POST /v1/imports/profiles).
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateProfiles } from '../src/demo/planted.js';

async function main() {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '5000' },
      communities: { type: 'string', default: '12' },
      'topics-per-community': { type: 'string', default: '20' },
      interests: { type: 'string', default: '25' },
      noise: { type: 'string', default: '0.2' },
      subgroups: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      prefix: { type: 'string', default: '' },
      out: { type: 'string' },
    },
  });
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  for (const record of generateProfiles({
    users: Number(values.users),
    communities: Number(values.communities),
    topicsPerCommunity: Number(values['topics-per-community']),
    interestsPerUser: Number(values.interests),
    noise: Number(values.noise),
    subgroups: Number(values.subgroups),
    seed: Number(values.seed),
    prefix: values.prefix,
  })) {
    if (!out.write(JSON.stringify(record) + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  if (out !== process.stdout) await new Promise<void>((r) => out.end(() => r()));
}

await main();
