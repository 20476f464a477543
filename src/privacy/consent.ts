/**
 * Consent by purpose. A person consents (or not) to each purpose separately:
 * - `segmentation`: their interests are held and segmented (runs, their segment of one, anything built on it);
 * - `personalization`: content systems read their affinities (GET /v1/users/:user/affinities, the batch);
 * - `marketing`: they are counted in audiences, exported and delivered to destinations.
 * Personalization and marketing are built on segmentation, so they are in force only with it. Absent means given
 * (the contract's default). The v1 form, a consent naming only `segmentation`, speaks for every purpose: that is what
 * the single flag always meant. Pure: no I/O.
 */
export const PURPOSES = ['segmentation', 'personalization', 'marketing'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** What a person or an import states: each purpose named is set, the others stay as they are. */
export type ConsentChoice = { [P in Purpose]?: boolean | undefined };
export type ConsentState = Record<Purpose, boolean>;

/** `{segmentation}` alone (the v1 form) → every purpose; otherwise the purposes named. */
export function expandConsent(choice: ConsentChoice | undefined): ConsentChoice {
  if (!choice) return {};
  const named = PURPOSES.filter((p) => choice[p] !== undefined);
  if (named.length === 1 && named[0] === 'segmentation') {
    const all = choice.segmentation!;
    return { segmentation: all, personalization: all, marketing: all };
  }
  const out: ConsentChoice = {};
  for (const p of named) out[p] = choice[p];
  return out;
}

/** The purposes in force: personalization and marketing need segmentation (nothing of the person is held without it). */
export function inForce(stated: ConsentState): ConsentState {
  return {
    segmentation: stated.segmentation,
    personalization: stated.segmentation && stated.personalization,
    marketing: stated.segmentation && stated.marketing,
  };
}

export interface ConsentChange {
  userId: string;
  purpose: Purpose;
  granted: boolean;
}

/** The purposes whose stated value differs between `before` and `after`, as history entries. */
export function consentChanges(userId: string, before: ConsentState, after: ConsentState): ConsentChange[] {
  return PURPOSES.filter((p) => before[p] !== after[p]).map((purpose) => ({ userId, purpose, granted: after[purpose] }));
}

/** `[segmentation, personalization, marketing]` as Cypher returns them → a state. */
export function stateOf(values: readonly boolean[]): ConsentState {
  return { segmentation: values[0] !== false, personalization: values[1] !== false, marketing: values[2] !== false };
}

export const ALL_GIVEN: ConsentState = { segmentation: true, personalization: true, marketing: true };
