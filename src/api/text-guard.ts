/**
 * Text Postgres cannot store, refused before validation (issue #11): a NUL character
 * (`text` columns reject 0x00) or a lone UTF-16 surrogate (not valid Unicode, no UTF-8
 * form). Either used to reach the database and come back as a 500; now it is a 400 that
 * names the field, and nothing is written. Everything else (astral characters, combining
 * marks, bidi controls, HTML, SQL) is stored as sent and only ever shown as text.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors';

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Deeper than any of our schemas: the validator refuses such a body at its own path. */
const MAX_DEPTH = 32;

/** Whether Postgres can store `text` (no NUL, no lone surrogate). */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** The path of the first unstorable string in `value`, e.g. `body.guardians.0.name`. */
export function unstorableTextAt(value: unknown, root: string): string | undefined {
  // Iterative: a hostile body nested 20,000 levels deep must not overflow the stack.
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (pending.length) {
    const item = pending.pop()!;
    if (typeof item.value === 'string') {
      if (UNSTORABLE.test(item.value)) return item.path;
    } else if (item.value && typeof item.value === 'object' && item.depth < MAX_DEPTH) {
      for (const [key, child] of Object.entries(item.value).reverse()) {
        if (UNSTORABLE.test(key)) return `${item.path}.${key.replace(UNSTORABLE, '?')}`;
        pending.push({ value: child, path: `${item.path}.${key}`, depth: item.depth + 1 });
      }
    }
  }
  return undefined;
}

/** Registers the check for body, query string and path parameters of every route. */
export function registerTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const where =
      unstorableTextAt(request.params, 'params') ?? unstorableTextAt(request.query, 'query') ?? unstorableTextAt(request.body, 'body');
    if (where) throw new ApiError(400, 'INVALID_TEXT', '文本包含无法保存的字符（NUL 或不成对的代理项）', [{ path: where, message: '含有无法保存的字符' }]);
  });
}
