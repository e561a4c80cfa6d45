/**
 * Encrypts every payload careflow sends through Temporal (workflow inputs and results,
 * activity arguments, update and query values) with AES-256-GCM, so the Temporal server's
 * history, visible in its UI, holds no readable personal data (issue #10; samples-typescript
 * `encryption`). The key id travels in the payload's metadata: after a rotation the new
 * key encrypts and the old keys still decrypt what was written with them.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
// @temporalio/proto is CommonJS: its namespaces come through the default export in Node's ESM.
import proto from '@temporalio/proto';

const { temporal } = proto;
const ENCODING = 'binary/encrypted';
const METADATA_KEY_ID = 'encryption-key-id';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** Keys from CAREFLOW_PAYLOAD_KEYS: `id:base64,id:base64`, the first one encrypts. */
export function parsePayloadKeys(spec: string): PayloadKey[] {
  return spec.split(',').map((entry) => {
    const [id, material] = entry.trim().split(':');
    const key = Buffer.from(material ?? '', 'base64');
    if (!id || key.length !== 32) throw new Error('each payload key must be "id:<32 bytes, base64>"');
    return { id, key };
  });
}

/** Development and test key: derived from the data key, so `npm start` needs no setup. */
export function derivedPayloadKey(dataKey: Buffer): PayloadKey {
  const key = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'careflow:temporal-payloads', 32));
  return { id: `dev-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`, key };
}

export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new Error('at least one payload key');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const current = this.keys[0]!;
    return payloads.map((payload) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: encoder.encode(ENCODING), [METADATA_KEY_ID]: encoder.encode(current.id) },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      // Payloads written before encryption (recorded test histories) pass through.
      if (!encoding || decoder.decode(encoding) !== ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[METADATA_KEY_ID];
      const keyId = keyIdBytes ? decoder.decode(keyIdBytes) : '';
      const key = this.byId.get(keyId);
      if (!key) throw new ValueError(`payload encrypted with unknown key "${keyId}"`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
