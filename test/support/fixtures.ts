import { residentIdCheckCharacter } from '../../src/domain/resident-id';

/** A valid 18-digit resident ID number for the given birth date, gender and region. */
export function residentIdFor(birthDate: string, gender: 'male' | 'female', region = '410102', serial = 12): string {
  const sequence = String(serial * 2 + (gender === 'male' ? 1 : 0)).padStart(3, '0');
  const first17 = `${region}${birthDate.replaceAll('-', '')}${sequence}`;
  return first17 + residentIdCheckCharacter(first17);
}

let serial = 10;

/** A complete, valid body for POST /api/v1/children; each call a new ID number. */
export function childBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  serial += 1;
  const birthDate = (overrides.birthDate as string | undefined) ?? '2015-03-12';
  const gender = (overrides.gender as 'male' | 'female' | undefined) ?? 'male';
  return {
    name: '张小明',
    gender,
    birthDate,
    residentId: residentIdFor(birthDate, gender, '410102', serial),
    hukouRegionCode: '410102',
    residence: { countyCode: '410402', township: '新华路街道', village: '建设路社区' },
    arrivalDate: '2025-01-10',
    guardians: [{ relation: 'mother', name: '李梅', phone: '13812345678', livesWithChild: true }],
    schoolingStatus: 'primary',
    healthInsurance: 'hukou-place',
    ...overrides,
  };
}
