/**
 * Encryption of single personal-data fields at rest (the resident ID number), and a keyed
 * hash of the same value for duplicate look-up without decrypting the table.
 * AES-256-GCM with a random 96-bit IV; the key id is stored with each value so that keys
 * can rotate (issue #10 builds rotation on this format).
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export interface FieldCrypto {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
  /** Deterministic keyed hash: equal inputs give equal hashes, unguessable without the key. */
  lookupHash(plain: string): string;
}

const FORMAT = 'v1';

function derive(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `careflow:${purpose}`, 32));
}

export function createFieldCrypto(masterKey: Buffer): FieldCrypto {
  if (masterKey.length !== 32) throw new Error('the data key must be 32 bytes');
  const encryptionKey = derive(masterKey, 'field-encryption');
  const hashKey = derive(masterKey, 'lookup-hash');
  const keyId = createHash('sha256').update(encryptionKey).digest('hex').slice(0, 8);

  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [FORMAT, keyId, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
    },
    decrypt(sealed) {
      const [format, sealedKeyId, iv, tag, body] = sealed.split(':');
      if (format !== FORMAT || !iv || !tag || !body) throw new Error('not a sealed field value');
      if (sealedKeyId !== keyId) throw new Error(`field sealed with unknown key ${sealedKeyId}`);
      const decipher = createDecipheriv('aes-256-gcm', encryptionKey, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    },
    lookupHash(plain) {
      return createHmac('sha256', hashKey).update(plain).digest('hex');
    },
  };
}

/**
 * The development key: fixed, so that `npm start` keeps reading its own data between runs,
 * and useless in production, where config refuses to start without CAREFLOW_DATA_KEY.
 */
export const DEVELOPMENT_DATA_KEY = createHash('sha256').update('careflow-development-only').digest();

export function dataKeyFrom(base64Key: string | undefined): Buffer {
  return base64Key ? Buffer.from(base64Key, 'base64') : DEVELOPMENT_DATA_KEY;
}
