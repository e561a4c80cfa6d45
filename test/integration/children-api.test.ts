/**
 * The register through HTTP only: API → Temporal dev server → worker → Postgres → SMTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childIntakeWorkflowId } from '../../src/temporal/workflow-ids';
import { childBody, residentIdFor } from '../support/fixtures';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function counts(): Promise<{ children: number; audit: number; notifications: number }> {
  const result = await stack.db.pool.query<{ children: string; audit: string; notifications: string }>(
    `SELECT (SELECT count(*) FROM children) AS children, (SELECT count(*) FROM audit_log) AS audit,
            (SELECT count(*) FROM notifications) AS notifications`,
  );
  const row = result.rows[0]!;
  return { children: Number(row.children), audit: Number(row.audit), notifications: Number(row.notifications) };
}

/**
 * The counts once earlier tests' background work has settled: a key-care child's visit plan
 * (issue #4) writes its quarter, audit entries and mails a moment after the request.
 */
async function settledCounts(): Promise<Awaited<ReturnType<typeof counts>>> {
  let last = await counts();
  for (let stable = 0; stable < 3; ) {
    await new Promise((r) => setTimeout(r, 200));
    const now = await counts();
    stable = JSON.stringify(now) === JSON.stringify(last) ? stable + 1 : 0;
    last = now;
  }
  return last;
}

describe('children API (M1, M2)', () => {
  it('registers a child, derives eligibility and key care, masks the ID number, and tells the county bureau', async () => {
    const body = childBody({ riskFlags: { familyHardship: true } });
    const created = await stack.request('POST', '/api/v1/children', body);

    expect(created.status).toBe(201);
    expect(created.body.residentIdMasked).toBe(`${String(body.residentId).slice(0, 6)}********${String(body.residentId).slice(-4)}`);
    expect(JSON.stringify(created.body)).not.toContain(String(body.residentId));
    expect(created.body.eligibility).toMatchObject({ eligible: true, rule: 'eligible' });
    expect(created.body.keyCare).toEqual({ keyCare: true, reasons: ['familyHardship'] });
    expect(created.body.hukouRegionName).toBe('河南省郑州市中原区');

    const read = await stack.request('GET', `/api/v1/children/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const mails = await stack.smtp.waitForMessages(1);
    const mail = mails.find((m) => m.text.includes(created.body.id));
    expect(mail?.to).toEqual(['mz-410402@pds.careflow.local']);
    expect(mail?.subject).toBe('【流动儿童登记】新登记儿童待核实');
    expect(mail?.text).toContain(`${stack.baseUrl}/api/v1/children/${created.body.id}`);
    expect(mail?.text).not.toContain('张小明');

    const description = await stack.env.client.workflow.getHandle(childIntakeWorkflowId(created.body.id)).describe();
    expect(description.status.name).toBe('RUNNING');

    const stored = await stack.db.pool.query('SELECT resident_id_cipher FROM children WHERE id = $1', [created.body.id]);
    expect(stored.rows[0].resident_id_cipher).not.toContain(String(body.residentId));
  });

  it('refuses a second child with the same ID number with 409 naming the first', async () => {
    const body = childBody();
    const first = await stack.request('POST', '/api/v1/children', body);
    // The first child's intake mail is written a moment after the answer: count once it is.
    const before = await settledCounts();

    const second = await stack.request('POST', '/api/v1/children', { ...body, name: '王小明', residentId: String(body.residentId).toLowerCase() });

    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'DUPLICATE_CHILD', existingId: first.body.id });
    expect(second.body.details[0].path).toBe('body.residentId');
    expect(await counts()).toEqual(before);
  });

  it('updates a profile: clearing the risk flags leaves the key-care ledger, with an audit entry', async () => {
    const created = await stack.request('POST', '/api/v1/children', childBody({ riskFlags: { vagrancy: true } }));
    expect(created.body.keyCare.keyCare).toBe(true);

    // By the county's caseworker: the audit entry names the token's role and subject.
    const caseworker = await stack.tokenFor('caseworker', { county: '410402' }, 'caseworker-wang');
    const patched = await stack.request('PATCH', `/api/v1/children/${created.body.id}`, {
      riskFlags: { vagrancy: false },
      schoolingStatus: 'junior-secondary',
    }, {}, caseworker);

    expect(patched.status).toBe(200);
    expect(patched.body.keyCare).toEqual({ keyCare: false, reasons: [] });
    expect(patched.body.schoolingStatus).toBe('junior-secondary');
    expect(patched.body.version).toBe(2);
    // The register's own entries (the visit plan, issue #4, writes its own beside them).
    const audit = await stack.db.pool.query("SELECT action, actor, summary FROM audit_log WHERE entity_id = $1 AND action LIKE 'child.%' ORDER BY id", [created.body.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['child.registered', 'child.updated']);
    expect(audit.rows.map((r) => r.actor)).toEqual(['admin:test-operator', 'caseworker:caseworker-wang']);
    expect(audit.rows[1].summary.fields).toEqual(['schoolingStatus', 'riskFlags']);
    await expect(stack.db.pool.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(stack.db.pool.query("UPDATE audit_log SET actor = 'x'")).rejects.toThrow(/append-only/);
  });

  it('shows a child recorded as gone (leftOn) until a new residence is registered', async () => {
    const created = await stack.request('POST', '/api/v1/children', childBody());
    expect(created.body.leftOn).toBeNull();
    // A survey's director found the child gone (issue #13 sets the mark; tested there).
    await stack.db.pool.query("UPDATE children SET left_on = '2026-08-03' WHERE id = $1", [created.body.id]);
    expect((await stack.request('GET', `/api/v1/children/${created.body.id}`)).body.leftOn).toBe('2026-08-03');

    const notAMove = await stack.request('PATCH', `/api/v1/children/${created.body.id}`, { schoolingStatus: 'junior-secondary' });
    expect(notAMove.body.leftOn).toBe('2026-08-03');
    const sameAddress = await stack.request('PATCH', `/api/v1/children/${created.body.id}`, { residence: { countyCode: '410402', township: '新华路街道', village: '建设路社区' } });
    expect(sameAddress.status).toBe(200);
    expect(sameAddress.body.leftOn).toBe('2026-08-03');
    const found = await stack.request('PATCH', `/api/v1/children/${created.body.id}`, { residence: { countyCode: '410402', township: '曙光街街道', village: '建设路社区' } });
    expect(found.status).toBe(200);
    expect(found.body.leftOn).toBeNull();
  });

  it('lists by county, key care and eligibility, page by page', async () => {
    const county = '410482';
    const residence = { countyCode: county, township: '煤山街道', village: '一社区' };
    await stack.request('POST', '/api/v1/children', childBody({ residence, riskFlags: { disability: true } }));
    await stack.request('POST', '/api/v1/children', childBody({ residence }));
    // Arrived a month ago: registered, not yet eligible (M1 6 months).
    const recent = new Date(Date.now() - 31 * 86400_000).toISOString().slice(0, 10);
    await stack.request('POST', '/api/v1/children', childBody({ residence, arrivalDate: recent }));

    const all = await stack.request('GET', `/api/v1/children?county=${county}`);
    expect(all.body.total).toBe(3);
    const keyCare = await stack.request('GET', `/api/v1/children?county=${county}&keyCare=true`);
    expect(keyCare.body.items.map((c: { keyCare: { keyCare: boolean } }) => c.keyCare.keyCare)).toEqual([true]);
    const eligible = await stack.request('GET', `/api/v1/children?county=${county}&eligible=true`);
    expect(eligible.body.total).toBe(2);
    const notEligible = await stack.request('GET', `/api/v1/children?county=${county}&eligible=false`);
    expect(notEligible.body.items.map((c: { eligibility: { rule: string } }) => c.eligibility.rule)).toEqual(['residence-under-6-months']);
    const page2 = await stack.request('GET', `/api/v1/children?county=${county}&pageSize=2&page=2`);
    expect(page2.body).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(page2.body.items).toHaveLength(1);
  });

  it('answers /healthz with both dependencies and serves the OpenAPI document', async () => {
    const health = await stack.request('GET', '/healthz');
    expect(health).toEqual({ status: 200, body: { status: 'ok', checks: { postgres: 'ok', temporal: 'ok' } } });
    const spec = await stack.request('GET', '/docs/json');
    expect(spec.status).toBe(200);
    expect(Object.keys(spec.body.paths)).toEqual(expect.arrayContaining(['/api/v1/children', '/api/v1/children/{id}', '/healthz']));
    const docs = await fetch(`${stack.baseUrl}/docs`);
    expect(docs.status).toBe(200);
  });
});

describe('bad input to the children API gets a 4xx with a code and the field, and writes nothing', () => {
  beforeAll(async () => {
    // Let the intake mails of the children registered above arrive (one per child), so
    // that any mail counted below would have come from bad input.
    await stack.request('POST', '/api/v1/children', childBody());
    const deadline = Date.now() + 20_000;
    for (let c = await counts(); c.notifications < c.children || stack.smtp.messages.length < c.children; c = await counts()) {
      if (Date.now() > deadline) throw new Error('intake mails did not arrive');
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  const valid = () => childBody();
  const cases: Array<{ name: string; send: () => Promise<{ status: number; body: { code: string; message: string; details: Array<{ path: string }> } }>; status: number; code: string; path: string }> = [
    {
      name: 'bad check digit',
      send: () => {
        const body = valid();
        const id = String(body.residentId);
        const wrong = id.slice(0, 17) + (id[17] === '1' ? '2' : '1');
        return stack.request('POST', '/api/v1/children', { ...body, residentId: wrong });
      },
      status: 400,
      code: 'VALIDATION_FAILED',
      path: 'body.residentId',
    },
    {
      name: 'future birth date',
      send: () => {
        const future = new Date(Date.now() + 40 * 86400_000).toISOString().slice(0, 10);
        return stack.request('POST', '/api/v1/children', { ...valid(), birthDate: future, residentId: residentIdFor(future, 'male', '410102', 401), arrivalDate: future });
      },
      status: 400,
      code: 'VALIDATION_FAILED',
      path: 'body.birthDate',
    },
    { name: 'unknown region code', send: () => stack.request('POST', '/api/v1/children', { ...valid(), hukouRegionCode: '419999' }), status: 400, code: 'VALIDATION_FAILED', path: 'body.hukouRegionCode' },
    {
      name: 'missing field',
      send: () => {
        const { name: _omitted, ...body } = valid();
        return stack.request('POST', '/api/v1/children', body);
      },
      status: 400,
      code: 'VALIDATION_FAILED',
      path: 'body.name',
    },
    { name: 'unknown field', send: () => stack.request('POST', '/api/v1/children', { ...valid(), nickname: '小明' }), status: 400, code: 'VALIDATION_FAILED', path: 'body.nickname' },
    { name: 'wrong type', send: () => stack.request('POST', '/api/v1/children', { ...valid(), helpRequested: 'yes' }), status: 400, code: 'VALIDATION_FAILED', path: 'body.helpRequested' },
    { name: 'oversize body', send: () => stack.request('POST', '/api/v1/children', { ...valid(), name: '张'.repeat(70_000) }), status: 413, code: 'BODY_TOO_LARGE', path: 'body' },
    { name: 'non-JSON body', send: () => stack.request('POST', '/api/v1/children', '{"name": "张小明",'), status: 400, code: 'INVALID_JSON', path: 'body' },
    { name: 'bad id in the path', send: () => stack.request('GET', '/api/v1/children/not-a-uuid'), status: 400, code: 'VALIDATION_FAILED', path: 'params.id' },
    { name: 'bad query', send: () => stack.request('GET', '/api/v1/children?keyCare=maybe&page=0'), status: 400, code: 'VALIDATION_FAILED', path: 'query.keyCare' },
    { name: 'unknown child', send: () => stack.request('PATCH', '/api/v1/children/00000000-0000-4000-8000-000000000000', { name: '李四' }), status: 404, code: 'NOT_FOUND', path: 'params.id' },
    { name: 'text/plain body', send: () => stack.request('POST', '/api/v1/children', 'name=x', { 'content-type': 'text/plain' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', path: 'body' },
  ];

  it.each(cases)('$name → $status $code at $path', async ({ send, status, code, path }) => {
    const before = await settledCounts();
    const mailsBefore = stack.smtp.messages.length;

    const response = await send();

    expect(response.status).toBe(status);
    expect(response.body.code).toBe(code);
    expect(response.body.message).toMatch(/[\u4e00-\u9fff]/);
    expect(response.body.details.map((d) => d.path)).toContain(path);
    expect(await counts()).toEqual(before);
    expect(stack.smtp.messages.length).toBe(mailsBefore);
  });
});
