import { describe, expect, it } from 'vitest';
import {
  KEY_CARE_REASON_LABELS,
  NO_RISK_FLAGS,
  RISK_FLAGS,
  RISK_FLAG_LABELS,
  deriveKeyCare,
  type RiskFlags,
} from '../../src/domain/key-care';

const flags = (set: Partial<RiskFlags>): RiskFlags => ({ ...NO_RISK_FLAGS, ...set });

describe('deriveKeyCare (M2)', () => {
  it('leaves a child with no risk and no request out of the ledger', () => {
    expect(deriveKeyCare(flags({}), false)).toEqual({ keyCare: false, reasons: [] });
  });

  it.each(RISK_FLAGS)('puts the child in the ledger for %s alone', (flag) => {
    expect(deriveKeyCare(flags({ [flag]: true }), false)).toEqual({ keyCare: true, reasons: [flag] });
  });

  it('puts the child in the ledger for a request for help alone', () => {
    expect(deriveKeyCare(flags({}), true)).toEqual({ keyCare: true, reasons: ['helpRequested'] });
  });

  it('lists every reason, in the fixed order, help last', () => {
    const decision = deriveKeyCare(flags({ psychologicalAbnormality: true, familyHardship: true, vagrancy: true }), true);
    expect(decision.reasons).toEqual(['familyHardship', 'vagrancy', 'psychologicalAbnormality', 'helpRequested']);
  });

  it('does not change the flags it was given', () => {
    const input = flags({ disability: true });
    deriveKeyCare(input, true);
    expect(input).toEqual(flags({ disability: true }));
  });
});

describe('labels', () => {
  it('gives the seed wording for every risk flag', () => {
    expect(RISK_FLAG_LABELS).toEqual({
      familyHardship: '家庭生活困难',
      disability: '自身残疾',
      guardianshipMissing: '监护缺失',
      vagrancy: '流浪',
      psychologicalAbnormality: '心理和行为异常',
    });
    expect(Object.keys(RISK_FLAG_LABELS).sort()).toEqual([...RISK_FLAGS].sort());
  });

  it('labels the request for help too', () => {
    expect(KEY_CARE_REASON_LABELS.helpRequested).toBe('主动提出救助帮扶需求');
    expect(KEY_CARE_REASON_LABELS.vagrancy).toBe('流浪');
  });
});
