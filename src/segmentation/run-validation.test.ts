import { describe, expect, it } from 'vitest';
import { MIN_COVERAGE_RATIO, rejection } from './run-validation.js';

describe('rejection', () => {
  const visible = { id: 'run-a', users: 1000, segmentedUsers: 900 };

  it('refuses a run without segments, first run or not, and names the visible run that stays', () => {
    expect(rejection({ segments: 0, users: 1000, segmentedUsers: 0 }, null)).toMatch(/^rejected: the run found no segments/);
    const why = rejection({ segments: 0, users: 1000, segmentedUsers: 0 }, visible);
    expect(why).toContain('no segments');
    expect(why).toContain('run run-a stays visible');
  });

  it('refuses a run that covers less than half the share of people the visible run covered', () => {
    // 90% before: 45% is the floor.
    expect(rejection({ segments: 12, users: 2000, segmentedUsers: 880 }, visible)).toMatch(/leaves most people without a segment: 44\.0%/);
    expect(rejection({ segments: 12, users: 2000, segmentedUsers: 900 }, visible)).toBeNull();
    // Rates, not counts: a population that halved is fine when the same share is covered.
    expect(rejection({ segments: 12, users: 500, segmentedUsers: 450 }, visible)).toBeNull();
    expect(MIN_COVERAGE_RATIO).toBe(0.5);
  });

  it('skips runs of a kind that never becomes visible', () => {
    expect(rejection({ segments: 0, users: 1000, segmentedUsers: 0 }, visible, 'audience')).toBeNull();
    expect(rejection({ segments: 3, users: 1000, segmentedUsers: 1 }, visible, 'audience')).toBeNull();
    expect(rejection({ segments: 3, users: 1000, segmentedUsers: 1 }, visible, 'segmentation')).toMatch(/^rejected/);
  });

  it('accepts any coverage when the visible run did not measure it (older runs) or there is none', () => {
    expect(rejection({ segments: 3, users: 1000, segmentedUsers: 1 }, { id: 'old' })).toBeNull();
    expect(rejection({ segments: 3, users: 1000, segmentedUsers: 1 }, null)).toBeNull();
    expect(rejection({ segments: 3, users: 0, segmentedUsers: 0 }, { id: 'empty', users: 0, segmentedUsers: 0 })).toBeNull();
  });
});
