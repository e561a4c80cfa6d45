/**
 * Authorisation (issue #10): who may do what to which record, as ONE table keyed by route
 * (method + Fastify route pattern). src/security/http.ts enforces it in hooks for every
 * route, so route modules carry no authorisation code; a route missing here is refused
 * (403) for everyone, and test/integration/authorisation-matrix.test.ts fails.
 *
 * How a row reads:
 * - `roles`: who may call the route at all (admin may call every route in the table: it is
 *   the operator role, and every request it makes is written to the access log). Anyone
 *   else gets 403 FORBIDDEN before anything is looked up or validated.
 * - `record`: the record the route acts on (`params.id`, or `body.childId` for a new case).
 *   The hook looks up its jurisdiction (a child's or case's county, a task's assignee and
 *   county, a referral's department and procuratorate); a record outside the caller's
 *   jurisdiction answers exactly like a record that does not exist (404 NOT_FOUND), so
 *   nobody learns that it exists.
 * - `filter`: a list's query parameter forced to the caller's jurisdiction: applied when
 *   the caller gives none, 403 FORBIDDEN (at `query.<param>`) when it asks for another.
 * - `bodyCounty`: a body field naming a county the caller must hold (403 at `body.<field>`):
 *   registering a child in another county, or moving one there.
 * - `logRead`: every successful look-up is written to the access log (who, role, child,
 *   route, purpose) before the route reads the record.
 *
 * Jurisdiction (`covers`): a county's caseworker and supervisor hold that county; the city
 * supervisor (county 410400) and admin hold everything; a bureau holds the records of its
 * department (tasks assigned to it, referrals about it); a procuratorate holds the
 * referrals sent to it (procuratorate_code = its department code).
 */
import { CITY, type Principal, type Role } from './auth';

export type RecordKind = 'child' | 'case' | 'task' | 'referral' | 'survey';

/** What a record's jurisdiction is made of; look-ups fill what the record has. */
export interface RecordScope {
  county?: string;
  department?: string;
  procuratorate?: string;
}

/** The value a list filter is forced to: the caller's county, department, or its county's procuratorate. */
export type FilterValue = 'county' | 'department' | 'county-procuratorate';

export interface RoutePolicy {
  /** Group of routes in docs/security.md. */
  group: string;
  /** What the route does, in a few words. */
  does: string;
  /** Roles that may call the route besides admin. */
  roles: readonly Exclude<Role, 'admin'>[];
  record?: { kind: RecordKind; at: 'params.id' | 'body.childId' };
  filter?: Partial<Record<Exclude<Role, 'admin'>, { param: string; value: FilterValue }>>;
  /** Dotted path of a body field holding a county code. */
  bodyCounty?: string;
  logRead?: true;
}

export type Rule = RoutePolicy | 'public';

const countyFilter = { caseworker: { param: 'county', value: 'county' }, supervisor: { param: 'county', value: 'county' } } as const;
const referralFilter = {
  supervisor: { param: 'procuratorate', value: 'county-procuratorate' },
  bureau: { param: 'department', value: 'department' },
  procuratorate: { param: 'procuratorate', value: 'department' },
} as const;
const child = { kind: 'child', at: 'params.id' } as const;
const caseRecord = { kind: 'case', at: 'params.id' } as const;
const task = { kind: 'task', at: 'params.id' } as const;
const referral = { kind: 'referral', at: 'params.id' } as const;
const survey = { kind: 'survey', at: 'params.id' } as const;
const EVERY_ROLE = ['caseworker', 'bureau', 'supervisor', 'procuratorate'] as const;

/** The table. Keys: `METHOD /fastify/route/:pattern` (HEAD follows GET). */
export const POLICY: Readonly<Record<string, Rule>> = Object.freeze({
  // Public: liveness, the API description, the dashboard's static files (its data needs a token).
  'GET /healthz': 'public',
  'GET /': 'public',
  'GET /dashboard/*': 'public',
  'GET /assets/*': 'public',

  // The register (M1/M2).
  'POST /api/v1/children': { group: 'Register', does: 'register a child', roles: ['caseworker'], bodyCounty: 'residence.countyCode' },
  'GET /api/v1/children': { group: 'Register', does: 'list children', roles: ['caseworker', 'supervisor'], filter: countyFilter },
  'GET /api/v1/children/:id': { group: 'Register', does: "read a child's full record", roles: ['caseworker', 'supervisor'], record: child, logRead: true },
  'PATCH /api/v1/children/:id': { group: 'Register', does: 'change a child', roles: ['caseworker'], record: child, bodyCounty: 'residence.countyCode' },

  // Home visits of key-care children (issue #4): recorded by caseworkers (a township's caseworker too).
  'POST /api/v1/children/:id/visits': { group: 'Visits', does: 'record a home visit', roles: ['caseworker'], record: child },
  // Visit findings (notes, the guardian's assessment, needs) are personal data: reads are logged.
  'GET /api/v1/children/:id/visits': { group: 'Visits', does: "list a child's visits", roles: ['caseworker', 'supervisor'], record: child, logRead: true },
  'GET /api/v1/children/:id/visits/:visitId': { group: 'Visits', does: 'read a visit', roles: ['caseworker', 'supervisor'], record: child, logRead: true },
  'GET /api/v1/children/:id/visit-plan': { group: 'Visits', does: "read a child's visit plan", roles: ['caseworker', 'supervisor'], record: child },

  // Service lists and entitlements (issue #12, R2, M3).
  'GET /api/v1/children/:id/entitlements': { group: 'Register', does: "read a child's entitlements", roles: ['caseworker', 'supervisor'], record: child, logRead: true },

  // Cases (W1-W4).
  'POST /api/v1/cases': { group: 'Cases', does: 'open a case', roles: ['caseworker'], record: { kind: 'child', at: 'body.childId' } },
  'GET /api/v1/cases': { group: 'Cases', does: 'list cases (JSON, CSV)', roles: ['caseworker', 'supervisor'], filter: countyFilter },
  'GET /api/v1/cases/:id': { group: 'Cases', does: 'read a case', roles: ['caseworker', 'supervisor'], record: caseRecord },
  'POST /api/v1/cases/:id/actions': { group: 'Cases', does: 'record a case action', roles: ['caseworker'], record: caseRecord },

  // The bureaus' inbox (issue #3).
  'GET /api/v1/tasks': {
    group: 'Tasks',
    does: 'list tasks',
    roles: ['caseworker', 'supervisor', 'bureau'],
    filter: { ...countyFilter, bureau: { param: 'assignee', value: 'department' } },
  },
  'GET /api/v1/tasks/:id': { group: 'Tasks', does: 'read a task', roles: ['caseworker', 'supervisor', 'bureau'], record: task },
  'POST /api/v1/tasks/:id/acknowledge': { group: 'Tasks', does: 'acknowledge a task', roles: ['bureau'], record: task },
  'POST /api/v1/tasks/:id/complete': { group: 'Tasks', does: 'complete a task', roles: ['bureau'], record: task },

  // Procuratorate referrals (R4).
  'GET /api/v1/referrals': { group: 'Referrals', does: 'list referrals', roles: ['supervisor', 'bureau', 'procuratorate'], filter: referralFilter },
  'GET /api/v1/referrals/:id': { group: 'Referrals', does: 'read a referral and its dossier', roles: ['supervisor', 'bureau', 'procuratorate'], record: referral },
  'POST /api/v1/referrals/:id/suggestion': { group: 'Referrals', does: 'record the procuratorial suggestion', roles: ['procuratorate'], record: referral },
  'POST /api/v1/referrals/:id/reply': { group: 'Referrals', does: "record the department's written reply", roles: ['procuratorate', 'bureau'], record: referral },

  // The half-yearly monitoring survey (issue #13; M1, M3): the county's civil-affairs caseworkers
  // open it and upload the departments' lists; supervisors follow it and take the export.
  'POST /api/v1/surveys': { group: 'Survey', does: 'open a half-yearly survey', roles: ['caseworker'], bodyCounty: 'county' },
  'GET /api/v1/surveys/:id': { group: 'Survey', does: 'read a survey', roles: ['caseworker', 'supervisor'], record: survey },
  'POST /api/v1/surveys/:id/uploads': { group: 'Survey', does: "upload a department's list", roles: ['caseworker'], record: survey },
  'GET /api/v1/surveys/:id/findings': { group: 'Survey', does: "read a survey's findings", roles: ['caseworker', 'supervisor'], record: survey },
  'GET /api/v1/surveys/:id/uploads/:uploadId/report': { group: 'Survey', does: 'download the rejected rows', roles: ['caseworker', 'supervisor'], record: survey },
  'GET /api/v1/surveys/:id/export': { group: 'Survey', does: 'download the national export', roles: ['caseworker', 'supervisor'], record: survey },

  // Statistics (M3), counts only.
  'GET /api/v1/stats': { group: 'Statistics', does: 'statistics', roles: ['caseworker', 'supervisor'], filter: countyFilter },

  // Administration: the directory and county parameters are read by everyone, changed by admin.
  'GET /api/v1/admin/departments': { group: 'Administration', does: 'list the department directory', roles: EVERY_ROLE },
  'GET /api/v1/admin/departments/:code': { group: 'Administration', does: 'read a department', roles: EVERY_ROLE },
  'POST /api/v1/admin/departments': { group: 'Administration', does: 'add a department', roles: [] },
  'PATCH /api/v1/admin/departments/:code': { group: 'Administration', does: 'change a department', roles: [] },
  'GET /api/v1/admin/counties/:code/escalation-policy': { group: 'Administration', does: "read a county's escalation ladder", roles: EVERY_ROLE },
  'PUT /api/v1/admin/counties/:code/escalation-policy': { group: 'Administration', does: "set a county's escalation ladder", roles: [] },
  'GET /api/v1/admin/counties/:code/visit-policy': { group: 'Administration', does: "read a county's visit parameters", roles: EVERY_ROLE },
  'PUT /api/v1/admin/counties/:code/visit-policy': { group: 'Administration', does: "set a county's visit parameters", roles: [] },
  'GET /api/v1/admin/service-catalogue': { group: 'Administration', does: "read the city's base service list", roles: EVERY_ROLE },
  'GET /api/v1/admin/counties/:code/service-list': { group: 'Administration', does: "read a county's service list in force", roles: EVERY_ROLE },
  'POST /api/v1/admin/counties/:code/service-list': { group: 'Administration', does: "publish a county's service list", roles: [] },

  // The Temporal UI's codec endpoint: decrypted payloads, for the operator only.
  'POST /codec/encode': { group: 'Operations', does: 'Temporal UI codec: encode', roles: [] },
  'POST /codec/decode': { group: 'Operations', does: 'Temporal UI codec: decode', roles: [] },
} satisfies Record<string, Rule>);

/** The table's key of a request's route; HEAD is answered by the GET route. */
export function routeKey(method: string, url: string): string {
  return `${method === 'HEAD' ? 'GET' : method} ${url}`;
}

/** The rule for a route; the API description under /docs and CORS preflights are public. */
export function ruleFor(method: string, url: string): Rule | undefined {
  if (method === 'OPTIONS') return 'public';
  if ((method === 'GET' || method === 'HEAD') && (url === '/docs' || url.startsWith('/docs/'))) return 'public';
  return POLICY[routeKey(method, url)];
}

/** Whether the role may call the route at all. */
export function mayCall(principal: Principal, policy: RoutePolicy): boolean {
  return principal.role === 'admin' || (policy.roles as readonly Role[]).includes(principal.role);
}

/** Holds everything: no look-up needed. */
export function holdsEverything(principal: Principal): boolean {
  return principal.role === 'admin' || (principal.role === 'supervisor' && principal.county === CITY);
}

/** Whether the record lies in the principal's jurisdiction. */
export function covers(principal: Principal, record: RecordScope): boolean {
  if (holdsEverything(principal)) return true;
  switch (principal.role) {
    case 'caseworker':
    case 'supervisor':
      return record.county !== undefined && record.county === principal.county;
    case 'bureau':
      return record.department !== undefined && record.department === principal.department;
    case 'procuratorate':
      return record.procuratorate !== undefined && record.procuratorate === principal.department;
    default:
      return false;
  }
}

/** The value a list filter is forced to for the principal; undefined: no forcing (the whole city). */
export function forcedFilter(principal: Principal, policy: RoutePolicy): { param: string; value: string } | undefined {
  if (holdsEverything(principal) || principal.role === 'admin') return undefined;
  const filter = policy.filter?.[principal.role];
  if (!filter) return undefined;
  const value = filter.value === 'county' ? principal.county : filter.value === 'department' ? principal.department : principal.county && `jc-${principal.county}`;
  // A principal without the claim its filter needs gets an impossible value: an empty list, never everything.
  return { param: filter.param, value: value ?? '-' };
}

/** A referral's scope: the county of its procuratorate (jc-410402 → 410402) for county supervisors. */
export function referralScope(departmentCode: string, procuratorateCode: string): RecordScope {
  return { department: departmentCode, procuratorate: procuratorateCode, county: /^jc-(\d{6})$/.exec(procuratorateCode)?.[1] };
}

const ROLE_COLUMNS = ['caseworker', 'supervisor', 'bureau', 'procuratorate', 'admin'] as const;

function cell(role: Role, policy: RoutePolicy): string {
  if (role === 'admin') return 'all (logged)';
  if (!(policy.roles as readonly Role[]).includes(role)) return '—';
  const scoped = policy.record || policy.filter?.[role] || policy.bodyCounty;
  if (!scoped) return 'all';
  if (policy.group === 'Referrals') return role === 'supervisor' ? 'own county¹ ²' : role === 'bureau' ? 'about own dept.' : 'sent to it';
  if (role === 'bureau') return 'own dept.';
  return role === 'supervisor' ? 'own county¹' : 'own county';
}

/** The table as Markdown, for docs/security.md (a unit test keeps the two equal). */
export function policyMarkdown(): string {
  const lines = [`| route | ${ROLE_COLUMNS.join(' | ')} |`, `|---|${ROLE_COLUMNS.map(() => '---').join('|')}|`];
  for (const [key, rule] of Object.entries(POLICY)) {
    if (rule === 'public') continue;
    const notes = [rule.logRead ? 'access-logged' : '', rule.filter ? 'list filtered' : ''].filter(Boolean).join(', ');
    lines.push(`| \`${key}\` ${rule.does}${notes ? ` (${notes})` : ''} | ${ROLE_COLUMNS.map((role) => cell(role, rule)).join(' | ')} |`);
  }
  return lines.join('\n');
}
