import { describe, expect, it } from 'vitest';
import { maskResidentId, normaliseResidentId, residentIdCheckCharacter, validateResidentId } from '../../src/domain/resident-id';

// Independent implementation of GB 11643-1999 / ISO 7064 MOD 11-2, so a fault in
// the module cannot hide behind itself.
function withCheckDigit(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, digit, i) => acc + Number(digit) * (weights[i] ?? NaN), 0);
  return first17 + '10X98765432'.charAt(sum % 11);
}

/** Same number with a different, therefore wrong, check character. */
function withWrongCheckDigit(valid: string): string {
  const last = valid.charAt(17);
  return valid.slice(0, 17) + (last === '0' ? '1' : '0');
}

describe('validateResidentId', () => {
  it('accepts the worked examples printed in GB 11643-1999', () => {
    expect(validateResidentId('11010519491231002X')).toEqual({
      ok: true,
      birthDate: '1949-12-31',
      gender: 'female',
      regionCode: '110105',
    });
    expect(validateResidentId('440524188001010014')).toEqual({
      ok: true,
      birthDate: '1880-01-01',
      gender: 'male',
      regionCode: '440524',
    });
  });

  it('accepts numbers built with the algorithm and reads region, birth date and gender', () => {
    const boy = withCheckDigit('41040220150315123'); // sequence 123: odd → male
    const girl = withCheckDigit('41042220120229004'); // 2012 is a leap year; 004: even → female
    expect(validateResidentId(boy)).toEqual({ ok: true, birthDate: '2015-03-15', gender: 'male', regionCode: '410402' });
    expect(validateResidentId(girl)).toEqual({ ok: true, birthDate: '2012-02-29', gender: 'female', regionCode: '410422' });
  });

  it('accepts a lower-case x check character and surrounding spaces', () => {
    expect(validateResidentId('  11010519491231002x ')).toMatchObject({ ok: true, regionCode: '110105' });
  });

  it('rejects a wrong check character', () => {
    const valid = withCheckDigit('41040220150315123');
    expect(validateResidentId(withWrongCheckDigit(valid))).toEqual({ ok: false, reason: 'checksum' });
    expect(validateResidentId('110105194912310020')).toEqual({ ok: false, reason: 'checksum' });
  });

  it('rejects a transposition of two digits (caught by the checksum)', () => {
    const valid = withCheckDigit('41040220150315123');
    const swapped = valid.slice(0, 14) + valid.charAt(15) + valid.charAt(14) + valid.slice(16);
    expect(validateResidentId(swapped)).toEqual({ ok: false, reason: 'checksum' });
  });

  it('rejects impossible birth dates even with a correct check character', () => {
    expect(validateResidentId(withCheckDigit('41040220230230123'))).toEqual({ ok: false, reason: 'birthdate' });
    expect(validateResidentId(withCheckDigit('41040220230229123'))).toEqual({ ok: false, reason: 'birthdate' }); // 2023 is not leap
    expect(validateResidentId(withCheckDigit('41040220231301123'))).toEqual({ ok: false, reason: 'birthdate' });
    expect(validateResidentId(withCheckDigit('41040220230400123'))).toEqual({ ok: false, reason: 'birthdate' });
    expect(validateResidentId(withCheckDigit('41040219000229123'))).toEqual({ ok: false, reason: 'birthdate' }); // 1900 is not leap
  });

  it.each([
    ['empty', ''],
    ['17 characters', '41040220150315123'],
    ['19 characters', '4104022015031512300'],
    ['X not at the end', '4104022015031512X3'],
    ['a letter', '41040220150315A234'],
    ['15-digit first-generation number', '410402150315123'],
    ['inner space', '410402 2015031512'],
  ])('rejects a bad format: %s', (_label, id) => {
    expect(validateResidentId(id)).toEqual({ ok: false, reason: 'format' });
  });
});

describe('residentIdCheckCharacter', () => {
  it('agrees with the independent implementation over many inputs', () => {
    for (let n = 0; n < 500; n++) {
      const first17 = '410402' + String(20100101 + n * 37).slice(0, 8) + String(n % 1000).padStart(3, '0');
      expect(first17 + residentIdCheckCharacter(first17)).toBe(withCheckDigit(first17));
    }
  });

  it('refuses anything but 17 digits', () => {
    expect(() => residentIdCheckCharacter('4104022015031512')).toThrow(RangeError);
  });
});

describe('maskResidentId', () => {
  it('keeps the first 6 and last 4 characters and hides the 8 between', () => {
    expect(maskResidentId('41040220150315123X')).toBe('410402********123X');
    expect(maskResidentId(' 41040220150315123x')).toBe('410402********123X');
  });

  it('never reveals a short or odd input whole', () => {
    expect(maskResidentId('1234567890')).toBe('**********');
    expect(maskResidentId('410402150315123')).toBe('410402*****5123');
  });
});

describe('normaliseResidentId', () => {
  it('trims and upper-cases', () => {
    expect(normaliseResidentId(' 11010519491231002x\n')).toBe('11010519491231002X');
  });
});
