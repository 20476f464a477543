/**
 * Planted-community generator: users whose interests come from known topic communities, plus uniform noise.
 * Deterministic for a seed. Output is NDJSON in the contract's import format (POST /v1/imports/profiles).
 *
 * `plantedTopics(opts)` (the ground truth) and `generateProfiles(opts)` (a record iterator); the demo data of `npm start`
 * and the benchmarks' data. CLI: scripts/generate.ts.
 */
import { mulberry32 } from '../segmentation/random.js';

export interface GenerateOptions {
  users: number;
  communities?: number;
  topicsPerCommunity?: number;
  /** Mean interests per user (each user draws 70%..130% of it). */
  interestsPerUser?: number;
  /** Share of each user's interests drawn uniformly from all topics. */
  noise?: number;
  seed?: number;
  /** Prefixes topic names and external ids, so several data sets can share one database. */
  prefix?: string;
  /** Share of users who also draw from a second community (people have more than one passion). */
  secondaryShare?: number;
  /** Share of users who refuse segmentation. */
  nonConsentShare?: number;
  /**
   * Sub-communities per community (default 1 = none): the community's topics are cut into this many consecutive
   * groups, and each user draws `subgroupFocus` of their community interests from one of them, the rest from the
   * whole community. A planted hierarchy, for the fine segmentation level.
   */
  subgroups?: number;
  /** Default 0.8. */
  subgroupFocus?: number;
}

export interface PlantedTopic {
  name: string;
  category: string;
  community: number;
  /** Global sub-community index (community × subgroups + group); equals `community` without subgroups. */
  subgroup: number;
}

/** Topic positions [from, to) of sub-community g within a community of m topics. */
function subgroupRange(m: number, subgroups: number, g: number): [number, number] {
  return [Math.floor((g * m) / subgroups), Math.floor(((g + 1) * m) / subgroups)];
}

export interface ProfileRecord {
  externalId: string;
  name: string;
  interests: Array<{ topic: string; category: string; weight: number; at: string }>;
  consent: { segmentation: boolean };
}

const THEMES: Array<[string, string[]]> = [
  [
    'Running',
    ['Trail running', 'Marathon', 'Running shoes', 'Ultramarathon', 'Parkrun', 'Sports watches', 'Interval training', 'Hydration packs'],
  ],
  ['Cooking', ['Sourdough', 'Cast iron cooking', 'Fermentation', 'Knife skills', 'Meal prep', 'Spices', 'Slow cooker', 'Pasta making']],
  [
    'Gaming',
    ['Esports', 'Game streaming', 'Indie games', 'Mechanical keyboards', 'RPG', 'Speedrunning', 'Retro consoles', 'Game soundtracks'],
  ],
  [
    'Gardening',
    ['Composting', 'Houseplants', 'Seed saving', 'Raised beds', 'Permaculture', 'Bonsai', 'Rose pruning', 'Organic pest control'],
  ],
  [
    'Travel',
    ['Backpacking', 'Budget airlines', 'City breaks', 'Travel photography', 'Hostels', 'Rail passes', 'Road trips', 'Travel insurance'],
  ],
  [
    'Parenting',
    ['Baby food', 'Strollers', 'Toddler sleep', 'Montessori', 'Family holidays', 'School supplies', 'Kids books', 'Baby carriers'],
  ],
  [
    'Personal finance',
    [
      'Index funds',
      'Budgeting apps',
      'Retirement saving',
      'Credit scores',
      'Dividend investing',
      'Mortgages',
      'Side hustles',
      'Frugal living',
    ],
  ],
  [
    'Cycling',
    [
      'Road cycling',
      'Mountain biking',
      'Bike maintenance',
      'Gravel bikes',
      'Cycling jerseys',
      'Bike commuting',
      'Indoor trainers',
      'E-bikes',
    ],
  ],
  ['Music', ['Vinyl records', 'Jazz', 'Music festivals', 'Guitar lessons', 'Synthesizers', 'Home studio', 'Concert tickets', 'Headphones']],
  ['Fashion', ['Streetwear', 'Sneakers', 'Sustainable fashion', 'Vintage clothing', 'Watches', 'Skincare', 'Perfume', 'Handbags']],
  ['Pets', ['Dog training', 'Cat toys', 'Pet insurance', 'Aquariums', 'Dog food', 'Puppy classes', 'Bird watching', 'Pet grooming']],
  [
    'Home improvement',
    ['Power tools', 'Interior design', 'Smart home', 'Painting walls', 'Tiling', 'Woodworking', 'Home insulation', 'Kitchen renovation'],
  ],
  [
    'Photography',
    [
      'Mirrorless cameras',
      'Film photography',
      'Photo editing',
      'Prime lenses',
      'Tripods',
      'Street photography',
      'Portrait lighting',
      'Drones',
    ],
  ],
  ['Wellness', ['Yoga', 'Meditation', 'Sleep tracking', 'Herbal tea', 'Pilates', 'Breathwork', 'Massage', 'Journaling']],
  ['Cars', ['Electric cars', 'Car detailing', 'Classic cars', 'Motorsport', 'Tyres', 'Dashcams', 'Car audio', 'Track days']],
  ['Reading', ['Crime fiction', 'Audiobooks', 'E-readers', 'Book clubs', 'Poetry', 'Science fiction', 'Graphic novels', 'Biographies']],
];

export function plantedTopics(opts: GenerateOptions): PlantedTopic[] {
  const k = opts.communities ?? 12;
  const m = opts.topicsPerCommunity ?? 20;
  const prefix = opts.prefix ?? '';
  const s = opts.subgroups ?? 1;
  const topics: PlantedTopic[] = [];
  for (let c = 0; c < k; c++) {
    const [theme, names] = THEMES[c % THEMES.length]!;
    const round = Math.floor(c / THEMES.length);
    const category = round === 0 ? theme : `${theme} ${round + 1}`;
    for (let j = 0; j < m; j++) {
      const base = j < names.length ? names[j]! : `${theme} topic ${j + 1}`;
      let g = 0;
      while (subgroupRange(m, s, g)[1] <= j) g++;
      topics.push({
        name: `${prefix}${base}${round === 0 ? '' : ` ${round + 1}`}`,
        category: `${prefix}${category}`,
        community: c,
        subgroup: c * s + g,
      });
    }
  }
  return topics;
}

/** Records one at a time, so 100k users never sit in memory as JSON objects all at once. */
export function* generateProfiles(opts: GenerateOptions): Generator<ProfileRecord> {
  const rng = mulberry32(opts.seed ?? 1);
  const topics = plantedTopics(opts);
  const k = opts.communities ?? 12;
  const m = opts.topicsPerCommunity ?? 20;
  const mean = opts.interestsPerUser ?? 25;
  const noise = opts.noise ?? 0.2;
  const secondaryShare = opts.secondaryShare ?? 0.3;
  const nonConsent = opts.nonConsentShare ?? 0.02;
  const prefix = opts.prefix ?? '';
  const subgroups = opts.subgroups ?? 1;
  const focus = opts.subgroupFocus ?? 0.8;
  // Within a community a few topics are popular and most are niche (Zipf-like), as with real likes.
  const popularity = Array.from({ length: m }, (_, j) => 1 / Math.pow(j + 1, 0.6));
  const cumulative: number[] = [];
  popularity.reduce((acc, p, j) => (cumulative[j] = acc + p), 0);
  const pickInCommunity = (c: number, from = 0, to = m) => {
    const base = from > 0 ? cumulative[from - 1]! : 0;
    const r = base + rng() * (cumulative[to - 1]! - base);
    let lo = from;
    let hi = to - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return c * m + lo;
  };
  // Community sizes differ too: some passions are mainstream, some are niche.
  const commWeights = Array.from({ length: k }, (_, c) => 1 / Math.pow(c + 1, 0.3));
  const commTotal = commWeights.reduce((a, b) => a + b, 0);
  const pickCommunity = () => {
    let r = rng() * commTotal;
    for (let c = 0; c < k; c++) {
      r -= commWeights[c]!;
      if (r <= 0) return c;
    }
    return k - 1;
  };
  const at = new Date(Date.UTC(2026, 9, 1) + Math.floor(rng() * 30) * 86_400_000).toISOString();

  for (let u = 0; u < opts.users; u++) {
    const primary = pickCommunity();
    const secondary = rng() < secondaryShare ? pickCommunity() : -1;
    // Without subgroups no draw is made, so such data sets stay exactly as they were.
    const [subFrom, subTo] = subgroups > 1 ? subgroupRange(m, subgroups, Math.floor(rng() * subgroups)) : [0, m];
    const want = Math.max(2, Math.round(mean * (0.7 + 0.6 * rng())));
    const chosen = new Set<number>();
    let guard = want * 20;
    while (chosen.size < want && guard-- > 0) {
      if (rng() < noise) chosen.add(Math.floor(rng() * topics.length));
      else if (secondary >= 0 && rng() < 1 / 3) chosen.add(pickInCommunity(secondary));
      else if (subgroups > 1 && rng() < focus) chosen.add(pickInCommunity(primary, subFrom, subTo));
      else chosen.add(pickInCommunity(primary));
    }
    yield {
      externalId: `${prefix}u-${u}`,
      name: `User ${u}`,
      interests: [...chosen].map((t) => ({
        topic: topics[t]!.name,
        category: topics[t]!.category,
        weight: 1 + Math.floor(rng() * 3),
        at,
      })),
      consent: { segmentation: rng() >= nonConsent },
    };
  }
}
