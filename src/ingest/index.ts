import type { Deps } from '../services.js';
import type { Hooks } from '../hooks.js';

/** Builds the ingest feature's repositories and services (filled in by the feature). */
export function createIngest(_deps: Deps, _hooks: Hooks) {
  return {};
}
