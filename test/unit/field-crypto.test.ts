import { describe, expect, it } from 'vitest';
import { createFieldCrypto } from '../../src/security/field-crypto';

describe('field encryption of the resident ID number', () => {
  const crypto = createFieldCrypto(Buffer.alloc(32, 9));
  const id = '41010220150312123X';

  it('round-trips, with a fresh IV each time', () => {
    const a = crypto.encrypt(id);
    const b = crypto.encrypt(id);
    expect(a).not.toBe(b);
    expect(a).not.toContain(id);
    expect(crypto.decrypt(a)).toBe(id);
    expect(crypto.decrypt(b)).toBe(id);
  });

  it('detects tampering', () => {
    const sealed = crypto.encrypt(id).split(':');
    const body = Buffer.from(sealed[4]!, 'base64');
    body[0] = body[0]! ^ 1;
    sealed[4] = body.toString('base64');
    expect(() => crypto.decrypt(sealed.join(':'))).toThrow();
  });

  it('gives a stable keyed look-up hash that differs between keys', () => {
    expect(crypto.lookupHash(id)).toBe(crypto.lookupHash(id));
    expect(createFieldCrypto(Buffer.alloc(32, 8)).lookupHash(id)).not.toBe(crypto.lookupHash(id));
    expect(() => createFieldCrypto(Buffer.alloc(32, 8)).decrypt(crypto.encrypt(id))).toThrow(/unknown key/);
  });
});
