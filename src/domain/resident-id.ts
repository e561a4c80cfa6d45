/**
 * Citizen identity number (公民身份号码), GB 11643-1999, 18 characters:
 * 6-digit region code (GB/T 2260, the 户籍 place at first registration),
 * 8-digit birth date YYYYMMDD, 3-digit sequence (odd = male, even = female),
 * 1 check character computed with ISO 7064 MOD 11-2.
 *
 * The region code is NOT checked against the current division list: numbers
 * issued under codes that have since been retired stay valid for life.
 * Whether the birth date lies in the future needs a clock, so the caller checks it.
 */

export type ResidentIdGender = 'male' | 'female';

export type ResidentIdValidation =
  | { ok: true; birthDate: string /* YYYY-MM-DD */; gender: ResidentIdGender; regionCode: string }
  | { ok: false; reason: 'format' | 'checksum' | 'birthdate' };

/** Why a number is refused, in Chinese, for API errors and upload reports. */
export const RESIDENT_ID_PROBLEMS = {
  format: '身份证号码应为 18 位（前 17 位数字，末位数字或 X）',
  checksum: '身份证号码校验位错误',
  birthdate: '身份证号码中的出生日期无效',
} as const;

/** ISO 7064 MOD 11-2 weights for positions 1..17 (2^(18-i) mod 11). */
const CHECK_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character indexed by (weighted sum mod 11). */
const CHECK_CHARACTERS = '10X98765432';

const RESIDENT_ID_PATTERN = /^\d{17}[\dX]$/;

/** Trims and upper-cases, so a trailing lower-case `x` is accepted. */
export function normaliseResidentId(id: string): string {
  return id.trim().toUpperCase();
}

/**
 * The check character for the first 17 digits of an ID number.
 * Throws when `first17` is not exactly 17 digits.
 */
export function residentIdCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('expected exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (CHECK_WEIGHTS[i] ?? 0);
  return CHECK_CHARACTERS.charAt(sum % 11);
}

/**
 * Validates an 18-character ID number. The checksum is tested before the birth
 * date because a typing error usually breaks both, and "checksum" is the
 * more useful message for it.
 */
export function validateResidentId(id: string): ResidentIdValidation {
  const normalised = normaliseResidentId(id);
  if (!RESIDENT_ID_PATTERN.test(normalised)) return { ok: false, reason: 'format' };
  if (residentIdCheckCharacter(normalised.slice(0, 17)) !== normalised.charAt(17)) {
    return { ok: false, reason: 'checksum' };
  }
  const year = Number(normalised.slice(6, 10));
  const month = Number(normalised.slice(10, 12));
  const day = Number(normalised.slice(12, 14));
  if (!isRealDate(year, month, day)) return { ok: false, reason: 'birthdate' };
  const sequence = Number(normalised.slice(14, 17));
  return {
    ok: true,
    birthDate: `${normalised.slice(6, 10)}-${normalised.slice(10, 12)}-${normalised.slice(12, 14)}`,
    gender: sequence % 2 === 1 ? 'male' : 'female',
    regionCode: normalised.slice(0, 6),
  };
}

/**
 * Masks an ID number for display and logs: keeps the region code (first 6)
 * and the last 4, hides the birth date and the rest. `410402********123X`.
 * Input that is not 18 characters long is masked the same way in proportion
 * (and fully if 10 characters or fewer), so nothing identifying leaks.
 */
export function maskResidentId(id: string): string {
  const normalised = normaliseResidentId(id);
  if (normalised.length <= 10) return '*'.repeat(normalised.length);
  return normalised.slice(0, 6) + '*'.repeat(normalised.length - 10) + normalised.slice(-4);
}

/** True when the numbers name a day that exists in the Gregorian calendar (no 2023-02-30). */
function isRealDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthLengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= (monthLengths[month - 1] ?? 0);
}
