/**
 * The codec endpoint for the Temporal UI (issue #10): an operator's browser sends the
 * encrypted payloads it shows, and gets them decrypted, so the UI can display what the
 * server itself cannot read. Point the UI's "codec endpoint" at `<API>/codec`.
 * Only an authenticated operator may call it once authentication lands (issue #10).
 */
import type { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../errors';

const jsonPayload = z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() });
const payloadsBody = z.object({ payloads: z.array(jsonPayload).max(1000) });

type JsonPayload = z.infer<typeof jsonPayload>;

const fromJson = (payload: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
  data: payload.data === undefined ? undefined : Buffer.from(payload.data, 'base64'),
});

const toJson = (payload: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
  data: payload.data ? Buffer.from(payload.data).toString('base64') : undefined,
});

/** The client's own codecs, applied as the client applies them (decode in reverse order). */
function clientCodec(temporal: Client): PayloadCodec {
  const codecs = temporal.workflow.options.loadedDataConverter.payloadCodecs;
  return {
    encode: async (payloads) => {
      let out = payloads;
      for (const codec of codecs) out = await codec.encode(out);
      return out;
    },
    decode: async (payloads) => {
      let out = payloads;
      for (const codec of [...codecs].reverse()) out = await codec.decode(out);
      return out;
    },
  };
}

export function codecRoutes(deps: { temporal: Client }): FastifyPluginAsyncZod {
  const payloadCodec = clientCodec(deps.temporal);
  return async (app) => {
    for (const direction of ['encode', 'decode'] as const) {
      app.post(`/codec/${direction}`, {
        schema: { tags: ['ops'], summary: `Temporal UI 编解码（${direction}）`, body: payloadsBody, response: { 200: payloadsBody, 400: errorBodySchema } },
        handler: async (request) => {
          const payloads = await payloadCodec[direction](request.body.payloads.map(fromJson));
          return { payloads: payloads.map(toJson) };
        },
      });
    }
  };
}
