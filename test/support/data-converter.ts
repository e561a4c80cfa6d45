/** The payload encryption every test client and worker shares (a fixed test key). */
import { careflowDataConverter } from '../../src/temporal/data-converter';
import { derivedPayloadKey } from '../../src/temporal/payload-codec';

export const TEST_PAYLOAD_KEY = derivedPayloadKey(Buffer.alloc(32, 42));
export const TEST_DATA_CONVERTER = careflowDataConverter([TEST_PAYLOAD_KEY]);
