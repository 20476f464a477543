/**
 * Planted data whose segments split on demand, for the curation tests: plain communities, and "twin" communities made of
 * two halves that only bridge people hold together. While the bridges are there a twin is one segment; once they are
 * erased its halves have nothing in common and the next run splits it.
 */
import { mulberry32 } from '../../src/segmentation/random.js';

export interface PlantedProfile {
  externalId: string;
  interests: Array<{ topic: string; weight: number }>;
  consent: { segmentation: boolean };
}

export interface SplitData {
  /** Topic names of each plain community, by name. */
  plain: Map<string, string[]>;
  /** Topic names of each half of each twin, by the twin's name. */
  twins: Map<string, [string[], string[]]>;
  people: PlantedProfile[];
  /** External ids of the people holding a twin's halves together (erase them to split it). */
  bridges: Map<string, string[]>;
  /** People of one half or the other of each twin, to import once the bridges are gone. */
  halves: PlantedProfile[];
}

export function splitData(prefix: string, plainNames: readonly string[], twinNames: readonly string[], seed = 7): SplitData {
  const rng = mulberry32(seed);
  const topics = (name: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${name} ${i}`);
  const pick = (from: readonly string[], k: number) => {
    const out = new Set<string>();
    while (out.size < k) out.add(from[Math.floor(rng() * from.length)]!);
    return [...out];
  };
  let people: PlantedProfile[] = [];
  const person = (id: string, held: string[]) =>
    people.push({
      externalId: `${prefix}${id}`,
      interests: held.map((topic) => ({ topic, weight: 1 + Math.floor(rng() * 3) })),
      consent: { segmentation: true },
    });
  const plain = new Map(plainNames.map((n) => [n, topics(n, 10)]));
  const twins = new Map(twinNames.map((n) => [n, [topics(`${n} left`, 8), topics(`${n} right`, 8)] as [string[], string[]]]));
  const bridges = new Map<string, string[]>();
  for (const [name, ts] of plain) for (let i = 0; i < 160; i++) person(`${name}-${i}`, pick(ts, 4 + Math.floor(rng() * 3)));
  for (const [name, [left, right]] of twins) {
    for (let i = 0; i < 30; i++) person(`${name}-l${i}`, pick(left, 4));
    for (let i = 0; i < 30; i++) person(`${name}-r${i}`, pick(right, 4));
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) {
      person(`${name}-b${i}`, [...pick(left, 3), ...pick(right, 3)]);
      ids.push(`${prefix}${name}-b${i}`);
    }
    bridges.set(name, ids);
  }
  const all = people;
  people = [];
  for (const [name, [left, right]] of twins) {
    for (let i = 0; i < 200; i++) person(`${name}-L${i}`, pick(left, 4));
    for (let i = 0; i < 200; i++) person(`${name}-R${i}`, pick(right, 4));
  }
  return { plain, twins, people: all, bridges, halves: people };
}
