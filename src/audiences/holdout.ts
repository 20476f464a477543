/**
 * The holdout of a saved audience: the members left out of every export and every delivery, so that what happens to
 * them can be compared with what happens to the people who were reached (outcome.ts). Membership of the holdout is a
 * keyed hash of (audience, user id) under SECRET_KEY: the same people on every export and across runs, not guessable
 * from the outside, and nothing to store per person beyond the membership itself. Raising the percentage only adds
 * people (a person's position never changes), though the percentage is fixed once the audience exists.
 */
import { createHmac } from 'node:crypto';

/** The person's position in [0, 1) for this audience: uniform over people, fixed for a given SECRET_KEY. */
export function holdoutPosition(secretKey: string, audienceId: string, userId: string): number {
  const digest = createHmac('sha256', secretKey).update(`holdout\u0000${audienceId}\u0000${userId}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** True when the person is in the audience's holdout of `percent` % (0 keeps everyone). */
export function inHoldout(secretKey: string, audienceId: string, userId: string, percent: number): boolean {
  return percent > 0 && holdoutPosition(secretKey, audienceId, userId) * 100 < percent;
}
