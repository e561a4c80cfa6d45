/**
 * Issue #13 through HTTP on the dev server: a survey opened by hand, the four departments'
 * generated lists (a few thousand rows with dirty data) uploaded as GB18030 CSV, UTF-8 CSV
 * and XLSX, validated row by row with a downloadable report of rejected rows; a retried
 * upload is the same upload; a file with a bad header or unreadable content changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaDateOf } from '../../src/domain/calendar-date';
import { surveyPeriodOf } from '../../src/domain/survey-period';
import { ensureSurveySchedules, surveyScheduleId } from '../../src/temporal/survey-schedules';
import { surveyCollectionDoneSignal, surveyStateQuery } from '../../src/workflows/messages';
import { childBody } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { departmentCsv, departmentXlsx, generateSurvey, type GeneratedSurvey } from '../support/survey-data';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let data: GeneratedSurvey;
let surveyId: string;

const COUNTY = '410402';
/** The current half-year: only it can be opened. */
const PERIOD = surveyPeriodOf(chinaDateOf(Date.now()));
const PAST = `${Number(PERIOD.slice(0, 4)) - 1}${PERIOD.slice(4)}`;

beforeAll(async () => {
  stack = await startTestStack();
  data = generateSurvey({ children: 1500, seed: 21, countyCode: COUNTY, today: new Date().toISOString().slice(0, 10) });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

/** ' HH:MM' in China time. */
const chinaTimeOf = (at: Date) => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(10, 16).replace('T', ' ');

const upload = (source: string, fileName: string, content: Buffer) =>
  stack.request('POST', `/api/v1/surveys/${surveyId}/uploads`, { source, fileName, content: content.toString('base64') });

async function download(path: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${stack.baseUrl}${path}`, { headers: { authorization: `Bearer ${stack.adminToken}` } });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

const expectedOf = (source: string) => {
  const rows = data.rows.filter((row) => row.source === source);
  return { total: rows.length, dirty: rows.filter((row) => row.dirt).length };
};

describe('the survey API (issue #13)', () => {
  it('opens one survey per county and half-year', async () => {
    const opened = await stack.request('POST', '/api/v1/surveys', { county: COUNTY, period: PERIOD });
    expect(opened).toMatchObject({ status: 201, body: { countyCode: COUNTY, period: PERIOD, status: 'collecting', workflowId: `survey:${COUNTY}:${PERIOD}` } });
    surveyId = opened.body.id;
    const again = await stack.request('POST', '/api/v1/surveys', { county: COUNTY, period: PERIOD });
    expect(again).toMatchObject({ status: 200, body: { id: surveyId } });
    expect(await stack.request('POST', '/api/v1/surveys', { county: COUNTY, period: '2026-H3' })).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', details: [{ path: 'body.period' }] } });
    expect(await stack.request('POST', '/api/v1/surveys', { county: COUNTY, period: PAST })).toMatchObject({ status: 422, body: { code: 'SURVEY_PERIOD_NOT_CURRENT', details: [{ path: 'body.period' }] } });
  });

  it('takes the police list in GB18030, rejecting wrong check digits and duplicates with their reasons', async () => {
    const expected = expectedOf('police');
    expect(expected.total).toBeGreaterThan(800);
    const answer = await upload('police', '居住证名单.csv', departmentCsv(data, 'police', 'gb18030'));
    expect(answer.status).toBe(201);
    expect(answer.body.upload).toMatchObject({ source: 'police', format: 'csv', encoding: 'gb18030', rowsTotal: expected.total });
    // Every dirty row is rejected; clean rows of the generator are all valid.
    expect(answer.body.upload.rowsRejected).toBe(expected.dirty);
    const reasons = new Set(answer.body.rejected.flatMap((row: { problems: { message: string }[] }) => row.problems.map((problem) => problem.message.replace(/\d+/g, 'N'))));
    expect(reasons).toEqual(new Set(['身份证号码校验位错误', '重复：与第 N 行是同一儿童']));

    const report = await download(answer.body.reportPath);
    expect(report.status).toBe(200);
    expect(report.type).toMatch(/^text\/csv/);
    const lines = report.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('行号,字段,原因');
    expect(lines).toHaveLength(1 + expected.dirty);
    expect(lines.some((line) => /^\d+,身份证号码,身份证号码校验位错误$/.test(line))).toBe(true);
  });

  it('takes education as XLSX and health and CDC as UTF-8 CSV', async () => {
    const education = await upload('education', '随迁子女.xlsx', await departmentXlsx(data, 'education'));
    expect(education).toMatchObject({ status: 201, body: { upload: { format: 'xlsx', rowsTotal: expectedOf('education').total, rowsRejected: expectedOf('education').dirty } } });
    for (const source of ['health', 'cdc'] as const) {
      const answer = await upload(source, `${source}.csv`, departmentCsv(data, source, 'utf-8'));
      expect(answer).toMatchObject({ status: 201, body: { upload: { encoding: 'utf-8', rowsTotal: expectedOf(source).total, rowsRejected: expectedOf(source).dirty } } });
    }
    const total = data.rows.length;
    expect(total).toBeGreaterThan(2000);
    const survey = await stack.request('GET', `/api/v1/surveys/${surveyId}`);
    expect(survey.body.uploads.map((u: { rowsTotal: number }) => u.rowsTotal).reduce((a: number, b: number) => a + b, 0)).toBe(total);
    // The workflow heard of each upload.
    const state = await eventually(
      () => stack.env.client.workflow.getHandle(`survey:${COUNTY}:${PERIOD}`).query(surveyStateQuery),
      (value) => value.uploads === 4,
    );
    expect(state).toMatchObject({ phase: 'collecting', uploads: 4, surveyId });
  });

  it('answers a retried upload with the same upload, and changes nothing', async () => {
    const before = await stack.db.pool.query('SELECT count(*)::int AS n FROM survey_rows');
    const first = (await stack.request('GET', `/api/v1/surveys/${surveyId}`)).body.uploads.find((u: { source: string }) => u.source === 'police');
    const retry = await upload('police', '居住证名单.csv', departmentCsv(data, 'police', 'gb18030'));
    expect(retry).toMatchObject({ status: 200, body: { created: false, upload: { id: first.id } } });
    expect((await stack.db.pool.query('SELECT count(*)::int AS n FROM survey_rows')).rows[0]).toEqual(before.rows[0]);
  });

  it('refuses a file with a missing column or unreadable content as a whole, importing nothing', async () => {
    const before = await stack.db.pool.query('SELECT (SELECT count(*) FROM survey_rows)::int AS rows, (SELECT count(*) FROM survey_uploads)::int AS uploads');
    const noIdColumn = Buffer.from('学生姓名,性别,户籍所在地代码\r\n张三,男,410102\r\n', 'utf8');
    expect(await upload('education', 'bad.csv', noIdColumn)).toMatchObject({
      status: 422,
      body: { code: 'SURVEY_HEADER_INVALID', details: [{ path: 'body.content', message: '缺少“身份证号码”列（可用列名：身份证件号、身份证号码、身份证号）' }] },
    });
    expect(await upload('education', 'fake.xlsx', Buffer.from('not a workbook'))).toMatchObject({ status: 422, body: { code: 'SURVEY_FILE_UNREADABLE', details: [{ path: 'body.content' }] } });
    expect(await stack.request('POST', `/api/v1/surveys/${surveyId}/uploads`, { source: 'police', fileName: 'x.csv', content: '###' })).toMatchObject({ status: 400, body: { details: [{ path: 'body.content' }] } });
    expect(await stack.request('POST', `/api/v1/surveys/${surveyId}/uploads`, { source: 'tax', fileName: 'x.csv', content: 'YQ==' })).toMatchObject({ status: 400, body: { details: [{ path: 'body.source' }] } });
    expect((await stack.db.pool.query('SELECT (SELECT count(*) FROM survey_rows)::int AS rows, (SELECT count(*) FROM survey_uploads)::int AS uploads')).rows[0]).toEqual(before.rows[0]);
  });

  it('has a schedule per county for 1 January and 1 July; a scheduled run for a half-year opened by hand steps aside', async () => {
    expect(await ensureSurveySchedules(stack.env.client, stack.taskQueue, [COUNTY])).toEqual([COUNTY]);
    expect(await ensureSurveySchedules(stack.env.client, stack.taskQueue, [COUNTY])).toEqual([]);
    const schedule = stack.env.client.schedule.getHandle(surveyScheduleId(COUNTY));
    const described = await schedule.describe();
    const next = described.info.nextActionTimes.map((at) => chinaDateOf(at.getTime()) + chinaTimeOf(at));
    expect(next[0]).toMatch(/^\d{4}-(01|07)-01 00:00$/);
    expect(next.slice(0, 2).map((at) => at.slice(5, 7)).sort()).toEqual(['01', '07']);
    try {
      await schedule.trigger();
      const run = await eventually(
        async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId,
        (id) => id !== undefined,
      );
      const result = await stack.env.client.workflow.getHandle(run!).result();
      // The scheduled run takes today's half-year, which the survey opened by hand holds.
      expect(result).toMatchObject({ phase: 'superseded', period: PERIOD, surveyId });
    } finally {
      await schedule.delete();
    }
  });

  it('reconciles when collection is done and lists the findings, with the register children found and missing', async () => {
    const county = '410403';
    const small = generateSurvey({ children: 12, seed: 3, countyCode: county, today: chinaDateOf(Date.now()), movedAway: 0, wrongCheckDigit: 0, duplicate: 0 });
    const [listed, absent] = small.children;
    for (const child of [listed!, absent!]) {
      const body = childBody({ name: child.name, gender: child.gender, birthDate: child.birthDate, residentId: child.residentId, hukouRegionCode: child.hukouRegionCode, arrivalDate: child.arrivalDate, residence: { countyCode: county, township: child.township, village: child.village } });
      expect((await stack.request('POST', '/api/v1/children', body)).status).toBe(201);
    }
    // The second child is in no list: drop its rows.
    small.rows = small.rows.filter((row) => row.truth !== absent!.id);
    const opened = await stack.request('POST', '/api/v1/surveys', { county, period: PERIOD });
    for (const source of ['police', 'education', 'health', 'cdc']) {
      const answer = await stack.request('POST', `/api/v1/surveys/${opened.body.id}/uploads`, { source, fileName: `${source}.csv`, content: departmentCsv(small, source as 'police', 'utf-8').toString('base64') });
      expect(answer.status).toBe(201);
    }
    await stack.env.client.workflow.getHandle(opened.body.workflowId).signal(surveyCollectionDoneSignal);
    await eventually(() => stack.request('GET', `/api/v1/surveys/${opened.body.id}`), (answer) => answer.body.status === 'verifying');
    const all = await stack.request('GET', `/api/v1/surveys/${opened.body.id}/findings`);
    expect(all.body.total).toBe(12);
    const classOf = (name: string) => all.body.items.find((item: { profile: { name: string }; childId: string | null }) => item.profile.name === name && item.childId)?.classification;
    expect(classOf(listed!.name)).toBe('confirmed');
    expect(classOf(absent!.name)).toBe('possibly-moved-away');
    const fresh = await stack.request('GET', `/api/v1/surveys/${opened.body.id}/findings?classification=new-candidate&pageSize=5`);
    expect(fresh.body).toMatchObject({ total: 10, page: 1, pageSize: 5 });
    expect(fresh.body.items).toHaveLength(5);
    expect(fresh.body.items.every((item: { childId: string | null; eligibility: { rule: string } }) => item.childId === null && item.eligibility.rule)).toBe(true);
    // Verification tasks went to the townships' children's directors.
    const tasks = await eventually(
      async () => (await stack.db.pool.query<{ assignee_code: string }>("SELECT assignee_code FROM tasks WHERE kind LIKE 'survey.%' AND county_code = $1", [county])).rows,
      (rows) => rows.length > 0,
    );
    expect(tasks.every((task) => /^xz-410403\d{3}$/.test(task.assignee_code))).toBe(true);
  });

  it('stores ID numbers only sealed, and has no export before the survey closes', async () => {
    const stored = await stack.db.pool.query<{ cipher: string | null; masked: string | null }>('SELECT resident_id_cipher AS cipher, resident_id_masked AS masked FROM survey_rows WHERE resident_id_hash IS NOT NULL LIMIT 1');
    expect(stored.rows[0]?.cipher).toMatch(/^v1:/);
    expect(stored.rows[0]?.masked).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
    expect(await stack.request('GET', `/api/v1/surveys/${surveyId}/export`)).toMatchObject({ status: 409, body: { code: 'SURVEY_NOT_CLOSED' } });
  });
});
