import type { Deps } from '../services.js';
import type { Hooks } from '../hooks.js';

/** Builds the affinity feature's repositories and services (filled in by the feature). */
export function createAffinity(_deps: Deps, _hooks: Hooks) {
  return {};
}
