/**
 * R4: many tasks of one department breaching at the same moment (a survey's verification
 * tasks, a quarter's visit tasks) each ask to open a referral. Exactly one is opened, and
 * no request fails on the one-open-referral-per-department index.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferralActivities } from '../../src/activities/referrals';
import { createTestDatabase, type TestDatabase } from '../support/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('openReferral under concurrency', () => {
  it('opens one referral for 12 simultaneous requests of one department, and names it to all', async () => {
    const { openReferral } = createReferralActivities({ pool: db.pool });
    const at = new Date().toISOString();
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        openReferral({ referralId: randomUUID(), departmentCode: 'mz-410402', countyCode: '410402', taskId: randomUUID(), reason: '三个月内三次逾期', at }),
      ),
    );
    const created = answers.filter((answer) => answer.created);
    expect(created).toHaveLength(1);
    expect(new Set(answers.map((answer) => answer.referralId))).toEqual(new Set([created[0]!.referralId]));
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM referrals WHERE department_code = 'mz-410402'`)).rows[0].n).toBe(1);
  });
});
