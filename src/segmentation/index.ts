import type { Deps } from '../services.js';
import type { Hooks } from '../hooks.js';

/** Builds the segmentation feature's repositories and services (filled in by the feature). */
export function createSegmentation(_deps: Deps, _hooks: Hooks) {
  return {};
}
