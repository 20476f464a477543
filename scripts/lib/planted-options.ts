import type { GenerateOptions } from '../../src/demo/planted.js';

/** The planted-data options every benchmark on generated people takes (parseArgs), with its own defaults. */
export function plantedArgs(defaults: { users: string; communities: string; topicsPerCommunity: string }) {
  return {
    users: { type: 'string', default: defaults.users },
    interests: { type: 'string', default: '25' },
    communities: { type: 'string', default: defaults.communities },
    'topics-per-community': { type: 'string', default: defaults.topicsPerCommunity },
    seed: { type: 'string', default: '1' },
  } as const;
}

/** What those options ask the generator for. */
export function plantedFrom(opts: {
  users: string;
  interests: string;
  communities: string;
  'topics-per-community': string;
  seed: string;
}): GenerateOptions {
  return {
    users: Number(opts.users),
    communities: Number(opts.communities),
    topicsPerCommunity: Number(opts['topics-per-community']),
    interestsPerUser: Number(opts.interests),
    seed: Number(opts.seed),
  };
}
