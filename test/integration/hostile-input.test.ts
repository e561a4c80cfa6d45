/// <reference lib="dom" />
/**
 * Issue #11 item 4: hostile input on the real stack. Oversize and deeply nested bodies,
 * Unicode edge cases in names, SQL and HTML injection strings: each either refused with a
 * 4xx, a stable `code` and the field at fault with nothing stored, or stored exactly as
 * sent and shown inert (as text) on the dashboard in Chromium.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../scripts/provision-browser';
import { BODY_LIMIT_BYTES } from '../../src/api/app';
import { childBody } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const childCount = async () => Number((await stack.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM children')).rows[0]!.n);

/** Refused with a 4xx and nothing stored; the API still answers afterwards. */
async function expectRefused(body: unknown, status: number, code: string): Promise<{ details: Array<{ path: string }> }> {
  const before = await childCount();
  const response = await stack.request('POST', '/api/v1/children', body);
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body.code).toBe(code);
  expect(response.body.message).toMatch(/[\u4e00-\u9fff]/);
  expect(await childCount()).toBe(before);
  expect((await stack.request('GET', '/healthz')).status).toBe(200);
  return response.body;
}

// Each within the field's 50 characters.
const SQL = "x'); DROP TABLE children; --";
const HTML = '<img src=x onerror=window.__pwned=1><script>';

describe('hostile input (issue #11)', () => {
  it('refuses a body over the limit with 413', async () => {
    const huge = childBody({ village: 'x'.repeat(BODY_LIMIT_BYTES + 1) });
    await expectRefused(huge, 413, 'BODY_TOO_LARGE');
  });

  it('refuses deeply nested JSON (objects and arrays) with 400 at the field, no stack overflow', async () => {
    const depth = 20_000;
    const deepArray = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const deepObject = `${'{"a":'.repeat(depth / 4)}1${'}'.repeat(depth / 4)}`;
    const body = JSON.stringify(childBody()).replace(/"guardians":\[[^\]]*\]/, `"guardians":${deepArray}`);
    const first = await expectRefused(body, 400, 'VALIDATION_FAILED');
    expect(first.details.map((d) => d.path)).toContain('body.guardians.0');
    const second = await expectRefused(JSON.stringify(childBody()).replace(/"residence":\{[^}]*\}/, `"residence":${deepObject}`), 400, 'VALIDATION_FAILED');
    expect(second.details.some((d) => d.path.startsWith('body.residence'))).toBe(true);
  });

  it('stores names with astral characters, combining marks, emoji and bidi controls exactly as sent', async () => {
    for (const name of ['𠮷野家', 'Zoe\u0308 e\u0301', '👨‍👩‍👧 小明', '\u202Eevil\u202C', '阿卜杜热合曼·买买提']) {
      const created = await stack.request('POST', '/api/v1/children', childBody({ name }));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect((await stack.request('GET', `/api/v1/children/${created.body.id}`)).body.name).toBe(name);
    }
  });

  it('refuses text Postgres cannot store (NUL, a lone surrogate) with 400 at the field, not 500', async () => {
    for (const name of ['张\u0000三', '张\uD800三']) {
      const refused = await expectRefused(childBody({ name }), 400, 'INVALID_TEXT');
      expect(refused.details.map((d) => d.path)).toEqual(['body.name']);
    }
    const nested = await expectRefused(childBody({ guardians: [{ relation: 'mother', name: '李\u0000梅', phone: '13812345678', livesWithChild: true }] }), 400, 'INVALID_TEXT');
    expect(nested.details.map((d) => d.path)).toEqual(['body.guardians.0.name']);
  });

  it('stores SQL and HTML injection strings as plain text; the dashboard shows them inert', async () => {
    const child = await stack.request('POST', '/api/v1/children', childBody({ name: SQL }));
    expect(child.status).toBe(201);
    expect((await stack.request('GET', `/api/v1/children/${child.body.id}`)).body.name).toBe(SQL);
    expect(await childCount()).toBeGreaterThan(0); // the table is still there
    const opened = await stack.request('POST', '/api/v1/cases', {
      type: 'dropout',
      childId: child.body.id,
      townshipCode: '410402001',
      report: { kind: 'suspected', absenceDays: 5, source: 'school', reportedBy: HTML },
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);

    const executablePath = findChromium();
    if (!executablePath) throw new Error('Chromium not found: run `npm test` (installs Debian chromium as root) or set CHROMIUM_PATH');
    const browser: Browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await page.goto(`${stack.baseUrl}/?token=${await stack.tokenFor('supervisor', { county: '410400' })}#/cases/${opened.body.id}`);
      await page.waitForFunction(() => (document.getElementById('case-timeline')?.textContent ?? '').includes('onerror'), undefined, { timeout: 20_000 });
      const timeline = await page.textContent('#case-timeline');
      expect(timeline).toContain(HTML);
      expect(await page.evaluate(() => document.querySelectorAll('#case-timeline img, #case-timeline script').length)).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(dialogs).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
