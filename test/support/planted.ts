import { mulberry32 } from '../../src/segmentation/random.js';

/**
 * Planted communities for insight and comparison tests: four communities of eight topics (one category each) with
 * 150 members each, 60 people mixing the first two, a handful of popular topics everyone holds (weakly: weight 0.5,
 * so wherever a run places them, nobody's affinity to that segment reaches 0.3 through them alone), pairs of people
 * sharing a rare topic of their community, and 50 people without consent who hold the first community's topics.
 * Everything is recorded so a test can count by brute force what the API should say.
 */
export interface PlantedPerson {
  externalId: string;
  consent: boolean;
  community: number | 'mixer';
  interests: Array<{ topic: string; category: string; weight: number }>;
}

export const COMMUNITIES = ['Climbing', 'Jazz', 'Baking', 'Chess'];
export const CATEGORIES = ['Outdoors', 'Music', 'Food', 'Games'];
export const PER_COMMUNITY = 150;
export const MIXERS = 60;
export const topicsOf = (c: number) => Array.from({ length: 8 }, (_, k) => `${COMMUNITIES[c]} topic ${k + 1}`);
export const POPULAR = ['Popular news', 'Popular weather', 'Popular football', 'Popular memes'];
export const rareTopic = (c: number, k: number) => `${COMMUNITIES[c]} rarity ${k + 1}`;

export function plantedPeople(prefix: string, seed = 14): PlantedPerson[] {
  const rand = mulberry32(seed);
  const pick = (list: string[], n: number) => {
    const copy = [...list];
    const out: string[] = [];
    while (out.length < n) out.push(copy.splice(Math.floor(rand() * copy.length), 1)[0]!);
    return out;
  };
  const interest = (c: number) => (topic: string) => ({ topic, category: CATEGORIES[c]!, weight: 1 + Math.floor(rand() * 3) });
  const popular = POPULAR.map((topic) => ({ topic, category: 'Popular', weight: 0.5 }));
  const people: PlantedPerson[] = [];
  for (let c = 0; c < COMMUNITIES.length; c++) {
    for (let i = 0; i < PER_COMMUNITY; i++) {
      const interests = [...pick(topicsOf(c), 5).map(interest(c)), ...popular];
      // Every 20th person and the next share a rare topic of their community: support 2, a high lift that means nothing.
      if (i % 20 < 2) interests.push(interest(c)(rareTopic(c, Math.floor(i / 20))));
      people.push({ externalId: `${prefix}-c${c}-${i}`, consent: true, community: c, interests });
    }
  }
  for (let i = 0; i < MIXERS; i++) {
    people.push({
      externalId: `${prefix}-mix-${i}`,
      consent: true,
      community: 'mixer',
      // Equal weights: a mixer's affinity to either community is at least 6 / 14 (0.43) wherever the popular topics are.
      interests: [...pick(topicsOf(0), 3), ...pick(topicsOf(1), 3)]
        .map((topic, k) => ({ topic, category: CATEGORIES[k < 3 ? 0 : 1]!, weight: 2 }))
        .concat(popular),
    });
  }
  for (let i = 0; i < 50; i++) {
    people.push({
      externalId: `${prefix}-nc-${i}`,
      consent: false,
      community: 0,
      interests: [...pick(topicsOf(0), 6).map(interest(0)), ...popular],
    });
  }
  return people;
}

/** Profile records for POST /v1/imports/profiles. */
export function profiles(people: readonly PlantedPerson[]) {
  return people.map((p) => ({
    externalId: p.externalId,
    interests: p.interests.map((i) => ({ ...i, at: '2026-10-01T10:00:00Z' })),
    consent: { segmentation: p.consent },
  }));
}
