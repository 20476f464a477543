import { AppError } from '../errors.js';
import type { Hooks } from '../hooks.js';
import { expandConsent, type ConsentChoice, type ConsentState } from './consent.js';
import type { ConsentHistoryEntry, ConsentRepository } from './consent-repository.js';

/**
 * Consent by purpose (src/privacy/consent.ts) as people change it on their own page. A change is recorded in the
 * history and awaits `interestsChanged`, so every process applies it (store reloaded, audiences re-counted) before and
 * soon after the call returns.
 */
export class ConsentService {
  constructor(
    private readonly repo: ConsentRepository,
    private readonly hooks: Hooks,
  ) {}

  async setByPerson(userId: string, choice: ConsentChoice): Promise<ConsentState> {
    const state = await this.repo.setByPerson(userId, expandConsent(choice));
    if (!state) throw AppError.notFound('User');
    await this.hooks.emit('interestsChanged', { userIds: [userId] });
    return state;
  }

  async get(userId: string): Promise<ConsentState> {
    const state = await this.repo.get(userId);
    if (!state) throw AppError.notFound('User');
    return state;
  }

  async history(userId: string, skip: number, limit: number): Promise<ConsentHistoryEntry[]> {
    await this.get(userId);
    return this.repo.history(userId, skip, limit);
  }
}
