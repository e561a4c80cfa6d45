import { METADATA_ENCODING_KEY, defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { EncryptionCodec, derivedPayloadKey, parsePayloadKeys } from '../../src/temporal/payload-codec';

const oldKey = derivedPayloadKey(Buffer.alloc(32, 1));
const newKey = { id: 'k2026', key: Buffer.alloc(32, 2) };
const payload = defaultPayloadConverter.toPayload({ childId: 'c-1', name: '张小明' });

describe('payload encryption codec (issue #10)', () => {
  it('encrypts with the first key and names it in the metadata', async () => {
    const [sealed] = await new EncryptionCodec([newKey, oldKey]).encode([payload]);
    expect(Buffer.from(sealed!.metadata![METADATA_ENCODING_KEY]!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(sealed!.metadata!['encryption-key-id']!).toString()).toBe('k2026');
    expect(Buffer.from(sealed!.data!).toString()).not.toContain('张小明');
    const [opened] = await new EncryptionCodec([newKey]).decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ childId: 'c-1', name: '张小明' });
  });

  it('still decrypts payloads of a rotated-out key, and refuses an unknown one', async () => {
    const [old] = await new EncryptionCodec([oldKey]).encode([payload]);
    const [opened] = await new EncryptionCodec([newKey, oldKey]).decode([old!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ childId: 'c-1', name: '张小明' });
    await expect(new EncryptionCodec([newKey]).decode([old!])).rejects.toThrow(/unknown key/);
  });

  it('detects tampering and passes unencrypted payloads through', async () => {
    const [sealed] = await new EncryptionCodec([newKey]).encode([payload]);
    const data = Buffer.from(sealed!.data!);
    data[20] = data[20]! ^ 1;
    await expect(new EncryptionCodec([newKey]).decode([{ ...sealed!, data }])).rejects.toThrow();
    expect(await new EncryptionCodec([newKey]).decode([payload])).toEqual([payload]);
  });

  it('reads keys from configuration', () => {
    const spec = `k2:${Buffer.alloc(32, 2).toString('base64')}, k1:${Buffer.alloc(32, 1).toString('base64')}`;
    expect(parsePayloadKeys(spec).map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(() => parsePayloadKeys('k1:c2hvcnQ=')).toThrow(/32 bytes/);
  });
});
