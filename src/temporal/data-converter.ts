/** The data converter every careflow client and worker uses: payloads encrypted (issue #10). */
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import { dataKeyFrom } from '../security/field-crypto';
import { derivedPayloadKey, EncryptionCodec, parsePayloadKeys, type PayloadKey } from './payload-codec';

export function payloadKeysFrom(config: Pick<Config, 'CAREFLOW_PAYLOAD_KEYS' | 'CAREFLOW_DATA_KEY'>): PayloadKey[] {
  return config.CAREFLOW_PAYLOAD_KEYS ? parsePayloadKeys(config.CAREFLOW_PAYLOAD_KEYS) : [derivedPayloadKey(dataKeyFrom(config.CAREFLOW_DATA_KEY))];
}

export function careflowDataConverter(keys: readonly PayloadKey[]): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)] };
}
