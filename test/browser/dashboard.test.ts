/// <reference lib="dom" />
/**
 * Issue #9: the dashboard renders real data from a running stack in headless Chromium
 * (Debian's, driven by playwright-core), including a case page with its timeline; a
 * screenshot is kept in test-artifacts/ for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../scripts/provision-browser';
import { DEFAULT_ESCALATION_POLICY } from '../../src/domain/escalation';
import { bureauTaskWorkflowId } from '../../src/temporal/workflow-ids';
import { childBody } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let browser: Browser;
let caseId: string;
const artifacts = new URL('../../test-artifacts/', import.meta.url);

beforeAll(async () => {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('Chromium not found: run `npm test` (installs Debian chromium as root) or set CHROMIUM_PATH');
  [stack, browser] = await Promise.all([
    startTestStack(),
    chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }),
  ]);
  // Real data: children in two counties, one key-care; a drop-out case with an overdue task.
  await stack.request('POST', '/api/v1/children', childBody({ riskFlags: { familyHardship: true } }));
  await stack.request('POST', '/api/v1/children', childBody());
  const ruzhou = await stack.request('POST', '/api/v1/children', childBody({ residence: { countyCode: '410482', township: '煤山街道', village: '一社区' }, name: '<img src=x onerror=alert(1)>' }));
  const opened = await stack.request('POST', '/api/v1/cases', { type: 'dropout', childId: ruzhou.body.id, report: { kind: 'dropped-out', absenceDays: 10, source: 'school', reportedBy: '班主任' } });
  caseId = opened.body.id;
  const taskId = randomUUID();
  await stack.env.client.workflow.start('bureauTask', {
    workflowId: bureauTaskWorkflowId(taskId),
    taskQueue: stack.taskQueue,
    args: [{ taskId, kind: 'dropout.verify', title: '核查疑似辍学（补充）', instructions: '请立即核查。', assignee: { departmentCode: 'jt-410482' }, countyCode: '410482', due: { hours: 0 }, acceptedOutcomes: [{ code: 'done', label: '已办' }], caseRef: { caseId, caseType: 'dropout' }, policy: { ...DEFAULT_ESCALATION_POLICY, referral: { ...DEFAULT_ESCALATION_POLICY.referral, breaches: 1 } } }],
  });
  const deadline = Date.now() + 20_000;
  while ((await stack.request('GET', '/api/v1/referrals')).body.total === 0) {
    if (Date.now() > deadline) throw new Error('no referral appeared');
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('dashboard (Simplified Chinese)', () => {
  it('shows the overview figures, charts, overdue cases and referrals from the live API', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    // The city supervisor's link, as `npm start` prints it (issue #10).
    await page.goto(`${stack.baseUrl}/?token=${await stack.tokenFor('supervisor', { county: '410400' })}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 }).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${problems.join('\n')}\n${await page.textContent('#error')}`);
    });

    expect(await page.title()).toBe('流动儿童关爱保护 · 协同督办');
    expect(await page.textContent('#fig-children')).toBe('3');
    expect(await page.textContent('#fig-keycare')).toBe('1');
    expect(await page.textContent('#fig-open-cases')).toBe('1');
    expect(Number(await page.textContent('#fig-overdue'))).toBeGreaterThanOrEqual(1);
    expect(await page.textContent('#fig-referrals')).toBe('1');
    expect(await page.locator('#overdue-cases tbody tr').first().textContent()).toContain('汝州市');
    expect(await page.locator('#referrals tbody').textContent()).toContain('jt-410482');
    // The key-care child's plan (begun today) is in the visit compliance table (S20); its
    // township is not in the register's township list, so the county civil-affairs bureau holds it.
    expect(await page.locator('#visit-compliance tbody tr').first().textContent()).toContain('新华区民政局');
    // Chart.js drew on both canvases.
    const drawn = await page.evaluate(() => ['chart-county', 'chart-stage'].map((id) => (document.getElementById(id) as HTMLCanvasElement).toDataURL().length));
    drawn.forEach((length) => expect(length).toBeGreaterThan(3000));

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: new URL('dashboard.png', artifacts).pathname, fullPage: true });

    // The case page, with its timeline.
    await page.click(`#overdue-cases a[href="#/cases/${caseId}"]`);
    await page.waitForFunction(() => document.getElementById('case-title')?.textContent?.includes('案件'));
    expect(await page.textContent('#case-title')).toContain('控辍保学');
    await page.waitForFunction(() => document.querySelectorAll('#case-timeline li').length >= 2);
    expect(await page.locator('#case-timeline').textContent()).toContain('报告');
    expect(await page.locator('#case-timeline').textContent()).toContain('派发任务');
    await page.screenshot({ path: new URL('dashboard-case.png', artifacts).pathname, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
