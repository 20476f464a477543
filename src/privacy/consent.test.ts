import { describe, expect, it } from 'vitest';
import { ALL_GIVEN, consentChanges, expandConsent, inForce, stateOf } from './consent.js';

describe('consent by purpose', () => {
  it('reads the v1 single flag as every purpose, and otherwise only the purposes named', () => {
    expect(expandConsent({ segmentation: false })).toEqual({ segmentation: false, personalization: false, marketing: false });
    expect(expandConsent({ segmentation: true })).toEqual({ segmentation: true, personalization: true, marketing: true });
    expect(expandConsent({ marketing: false })).toEqual({ marketing: false });
    expect(expandConsent({ segmentation: true, marketing: false })).toEqual({ segmentation: true, marketing: false });
    expect(expandConsent({ personalization: true, marketing: undefined })).toEqual({ personalization: true });
    expect(expandConsent(undefined)).toEqual({});
    expect(expandConsent({})).toEqual({});
  });

  it('puts personalization and marketing in force only with segmentation', () => {
    expect(inForce({ segmentation: false, personalization: true, marketing: true })).toEqual({
      segmentation: false,
      personalization: false,
      marketing: false,
    });
    expect(inForce({ segmentation: true, personalization: false, marketing: true })).toEqual({
      segmentation: true,
      personalization: false,
      marketing: true,
    });
  });

  it('records the purposes that changed, and treats absent values as given', () => {
    expect(consentChanges('u1', ALL_GIVEN, { ...ALL_GIVEN, marketing: false })).toEqual([
      { userId: 'u1', purpose: 'marketing', granted: false },
    ]);
    expect(consentChanges('u1', ALL_GIVEN, ALL_GIVEN)).toEqual([]);
    expect(stateOf([true, null as unknown as boolean, false])).toEqual({ segmentation: true, personalization: true, marketing: false });
  });
});
