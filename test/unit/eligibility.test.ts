import { describe, expect, it } from 'vitest';
import {
  ageLimitReachedOn,
  decideEligibility,
  residenceRuleMetFrom,
  type EligibilityParams,
  type EligibilityProfile,
} from '../../src/domain/eligibility';
import { DEFAULT_CENTRAL_URBAN_DISTRICTS } from '../../src/domain/regions';

const defaults: EligibilityParams = { centralUrbanDistricts: DEFAULT_CENTRAL_URBAN_DISTRICTS };

/** A child from 郑州 中原区 living in 平顶山 新华区 since 2025-01-01; eligible unless a test changes something. */
function profile(overrides: Partial<EligibilityProfile> = {}): EligibilityProfile {
  return {
    birthDate: '2015-05-10',
    hukouRegionCode: '410102',
    residenceCountyCode: '410402',
    arrivalDate: '2025-01-01',
    ...overrides,
  };
}

describe('M1 age: under 16 on the decision date', () => {
  const child = profile({ birthDate: '2010-06-15', arrivalDate: '2020-01-01' });

  it('is under 16 the day before the 16th birthday', () => {
    const decision = decideEligibility(child, '2026-06-14', defaults);
    expect(decision).toMatchObject({ eligible: true, rule: 'eligible', ageYears: 15 });
  });

  it('is 16, and out of scope, on the 16th birthday itself', () => {
    const decision = decideEligibility(child, '2026-06-15', defaults);
    expect(decision).toMatchObject({ eligible: false, rule: 'age-16-or-over', ageYears: 16 });
    expect(decision.reason).toContain('16周岁');
  });

  it('dates the 16th birthday', () => {
    expect(ageLimitReachedOn('2010-06-15')).toBe('2026-06-15');
  });

  it('puts a 29 February 16th birthday in a common year on 1 March', () => {
    // 2100 is not a leap year, so a child born 2084-02-29 has no 2100-02-29.
    const leapling = profile({ birthDate: '2084-02-29', arrivalDate: '2099-01-01' });
    expect(decideEligibility(leapling, '2100-02-28', defaults)).toMatchObject({ rule: 'eligible', ageYears: 15 });
    expect(decideEligibility(leapling, '2100-03-01', defaults)).toMatchObject({ rule: 'age-16-or-over', ageYears: 16 });
    expect(ageLimitReachedOn('2084-02-29')).toBe('2100-03-01');
    expect(ageLimitReachedOn('2012-02-29')).toBe('2028-02-29'); // 2028 is a leap year
  });

  it('counts ages of 29 February children the same way in other years', () => {
    const leapling = profile({ birthDate: '2012-02-29', arrivalDate: '2012-02-29', hukouRegionCode: '410102' });
    expect(decideEligibility(leapling, '2013-02-28', defaults).ageYears).toBe(0);
    expect(decideEligibility(leapling, '2013-03-01', defaults).ageYears).toBe(1);
  });

  it('honours a configured age limit', () => {
    const child17 = profile({ birthDate: '2009-01-01' });
    expect(decideEligibility(child17, '2026-03-01', defaults).rule).toBe('age-16-or-over');
    expect(decideEligibility(child17, '2026-03-01', { ...defaults, maxAgeYears: 18 }).rule).toBe('eligible');
  });
});

describe('M1 residence: 6 whole calendar months', () => {
  it('is not met at 5 months 29 days and is met at exactly 6 months', () => {
    const child = profile({ arrivalDate: '2026-01-15' });
    expect(decideEligibility(child, '2026-07-14', defaults)).toMatchObject({
      eligible: false,
      rule: 'residence-under-6-months',
      monthsResident: 5,
    });
    expect(decideEligibility(child, '2026-07-15', defaults)).toMatchObject({ eligible: true, monthsResident: 6 });
  });

  it('is not met at 5 months 30 days and is met at exactly 6 months', () => {
    // 2026-03-01 + 5 months = 2026-08-01; + 30 days = 2026-08-31.
    const child = profile({ arrivalDate: '2026-03-01' });
    expect(decideEligibility(child, '2026-08-31', defaults)).toMatchObject({
      rule: 'residence-under-6-months',
      monthsResident: 5,
    });
    expect(decideEligibility(child, '2026-09-01', defaults)).toMatchObject({ rule: 'eligible', monthsResident: 6 });
  });

  it('clamps to the month end: arrival 2026-08-31 qualifies on 2027-02-28', () => {
    const child = profile({ arrivalDate: '2026-08-31' });
    expect(residenceRuleMetFrom(child)).toBe('2027-02-28');
    expect(decideEligibility(child, '2027-02-27', defaults).rule).toBe('residence-under-6-months');
    expect(decideEligibility(child, '2027-02-28', defaults)).toMatchObject({ rule: 'eligible', monthsResident: 6 });
    expect(residenceRuleMetFrom(profile({ arrivalDate: '2027-08-31' }))).toBe('2028-02-29'); // leap year
  });

  it('tells the caseworker when the 6 months will be complete', () => {
    const decision = decideEligibility(profile({ arrivalDate: '2026-01-15' }), '2026-03-01', defaults);
    expect(decision.monthsResident).toBe(1);
    expect(decision.reason).toContain('2026-07-15');
  });

  it('counts a child born after the family arrived from birth', () => {
    const child = profile({ birthDate: '2025-03-10', arrivalDate: '2020-06-01' });
    expect(decideEligibility(child, '2025-09-09', defaults)).toMatchObject({
      rule: 'residence-under-6-months',
      monthsResident: 5,
    });
    expect(decideEligibility(child, '2025-09-10', defaults)).toMatchObject({ rule: 'eligible', monthsResident: 6 });
  });

  it('honours a configured minimum', () => {
    const child = profile({ arrivalDate: '2025-06-01' });
    expect(decideEligibility(child, '2026-03-01', defaults).rule).toBe('eligible');
    expect(decideEligibility(child, '2026-03-01', { ...defaults, minResidenceMonths: 12 }).rule).toBe(
      'residence-under-6-months',
    );
  });
});

describe('M1 county line', () => {
  const on = '2026-03-01';

  it('does not count living in the 户籍 county itself', () => {
    const decision = decideEligibility(profile({ hukouRegionCode: '410402', residenceCountyCode: '410402' }), on, defaults);
    expect(decision).toMatchObject({ eligible: false, rule: 'same-county' });
  });

  it('does not count a move between central urban districts: 新华 410402 → 卫东 410403', () => {
    const decision = decideEligibility(profile({ hukouRegionCode: '410402', residenceCountyCode: '410403' }), on, defaults);
    expect(decision).toMatchObject({ eligible: false, rule: 'central-urban-move' });
  });

  it('does not count 湛河 410411 → 新华 410402 either', () => {
    const decision = decideEligibility(profile({ hukouRegionCode: '410411', residenceCountyCode: '410402' }), on, defaults);
    expect(decision.rule).toBe('central-urban-move');
  });

  it('counts a move from a central district to a county: 新华 410402 → 宝丰县 410421', () => {
    const decision = decideEligibility(profile({ hukouRegionCode: '410402', residenceCountyCode: '410421' }), on, defaults);
    expect(decision).toMatchObject({ eligible: true, rule: 'eligible' });
  });

  it('counts a move from a county into the centre: 叶县 410422 → 新华 410402', () => {
    const decision = decideEligibility(profile({ hukouRegionCode: '410422', residenceCountyCode: '410402' }), on, defaults);
    expect(decision.eligible).toBe(true);
  });

  describe('the enclave district toggled', () => {
    const fromShilong = profile({ hukouRegionCode: '410404', residenceCountyCode: '410402' });

    it('counts 石龙 410404 → 新华 410402 by default, 石龙 being outside the central set', () => {
      expect(decideEligibility(fromShilong, on, defaults)).toMatchObject({ eligible: true, rule: 'eligible' });
    });

    it('does not count it once 410404 is configured as central', () => {
      const withShilong = { centralUrbanDistricts: [...DEFAULT_CENTRAL_URBAN_DISTRICTS, '410404'] };
      expect(decideEligibility(fromShilong, on, withShilong)).toMatchObject({
        eligible: false,
        rule: 'central-urban-move',
      });
    });
  });

  it('counts a child from another city: 户籍 郑州 中原区 410102 living in 新华 410402', () => {
    const decision = decideEligibility(profile({ hukouRegionCode: '410102', residenceCountyCode: '410402' }), on, defaults);
    expect(decision).toMatchObject({ eligible: true, rule: 'eligible', monthsResident: 14 });
    expect(decision.reason).toContain('流动儿童');
  });

  it('applies the central-urban exception only within one city', () => {
    // Both districts configured as central, but 郑州 and 平顶山 are different cities.
    const params = { centralUrbanDistricts: ['410102', '410103', ...DEFAULT_CENTRAL_URBAN_DISTRICTS] };
    const acrossCities = profile({ hukouRegionCode: '410102', residenceCountyCode: '410402' });
    expect(decideEligibility(acrossCities, on, params).rule).toBe('eligible');
    const withinZhengzhou = profile({ hukouRegionCode: '410102', residenceCountyCode: '410103' });
    expect(decideEligibility(withinZhengzhou, on, params).rule).toBe('central-urban-move');
  });

  it('ignores the central set when it is empty', () => {
    const decision = decideEligibility(profile({ hukouRegionCode: '410402', residenceCountyCode: '410403' }), on, {
      centralUrbanDistricts: [],
    });
    expect(decision.rule).toBe('eligible');
  });
});

describe('decision reporting', () => {
  it('names the first failing rule in order: age before county before residence', () => {
    const tooOldSameCountyNew = profile({
      birthDate: '2000-01-01',
      hukouRegionCode: '410402',
      residenceCountyCode: '410402',
      arrivalDate: '2026-02-01',
    });
    expect(decideEligibility(tooOldSameCountyNew, '2026-03-01', defaults).rule).toBe('age-16-or-over');
    const sameCountyNew = profile({ hukouRegionCode: '410402', residenceCountyCode: '410402', arrivalDate: '2026-02-01' });
    expect(decideEligibility(sameCountyNew, '2026-03-01', defaults).rule).toBe('same-county');
  });

  it('flags a birth date after the decision date', () => {
    const decision = decideEligibility(profile({ birthDate: '2026-05-01' }), '2026-03-01', defaults);
    expect(decision).toMatchObject({ eligible: false, rule: 'not-born-yet', ageYears: 0 });
  });

  it('flags an arrival date after the decision date', () => {
    const decision = decideEligibility(profile({ arrivalDate: '2026-04-01' }), '2026-03-01', defaults);
    expect(decision).toMatchObject({ eligible: false, rule: 'arrival-in-future', monthsResident: 0 });
  });

  it('always gives a one-sentence Chinese reason', () => {
    const decisions = [
      decideEligibility(profile(), '2026-03-01', defaults),
      decideEligibility(profile({ hukouRegionCode: '410402' }), '2026-03-01', defaults),
      decideEligibility(profile({ arrivalDate: '2026-02-01' }), '2026-03-01', defaults),
    ];
    for (const { reason } of decisions) {
      expect(reason).toMatch(/[\u4e00-\u9fff]/);
      expect(reason.endsWith('。')).toBe(true);
      expect(reason.slice(0, -1)).not.toContain('。');
    }
  });

  it('refuses malformed input instead of guessing', () => {
    expect(() => decideEligibility(profile(), '2026-02-30', defaults)).toThrow(RangeError);
    expect(() => decideEligibility(profile(), '2026-3-1', defaults)).toThrow(RangeError);
    expect(() => decideEligibility(profile({ birthDate: '20150510' }), '2026-03-01', defaults)).toThrow(RangeError);
    expect(() => decideEligibility(profile({ hukouRegionCode: '4101' }), '2026-03-01', defaults)).toThrow(RangeError);
    expect(() => decideEligibility(profile(), '2026-03-01', { ...defaults, minResidenceMonths: 5.5 })).toThrow(RangeError);
  });
});
