/**
 * The small look-ups the authorisation hook needs: a record's jurisdiction, by id. One
 * indexed primary-key read each, and only for callers who do not hold everything.
 */
import type { Pool } from '../db/pool';
import type { Principal } from './auth';
import { referralScope, type RecordKind, type RecordScope } from './policy';

export type ScopeLookup = (kind: RecordKind, id: string) => Promise<RecordScope | undefined>;

export function sqlScopeLookup(pool: Pool): ScopeLookup {
  return async (kind, id) => {
    switch (kind) {
      case 'child': {
        const row = (await pool.query<{ county: string }>('SELECT residence_county AS county FROM children WHERE id = $1', [id])).rows[0];
        return row && { county: row.county };
      }
      case 'case': {
        const row = (await pool.query<{ county: string }>('SELECT county_code AS county FROM cases WHERE id = $1', [id])).rows[0];
        return row && { county: row.county };
      }
      case 'task': {
        const row = (await pool.query<{ county: string; department: string }>('SELECT county_code AS county, assignee_code AS department FROM tasks WHERE id = $1', [id])).rows[0];
        return row && { county: row.county, department: row.department };
      }
      case 'survey': {
        const row = (await pool.query<{ county: string }>('SELECT county_code AS county FROM surveys WHERE id = $1', [id])).rows[0];
        return row && { county: row.county };
      }
      case 'referral': {
        const row = (await pool.query<{ department: string; procuratorate: string }>('SELECT department_code AS department, procuratorate_code AS procuratorate FROM referrals WHERE id = $1', [id])).rows[0];
        return row && referralScope(row.department, row.procuratorate);
      }
    }
  };
}

export interface AccessEntry {
  principal: Principal;
  action: 'child.read' | 'operator.request';
  route: string;
  childId?: string;
  params?: Record<string, unknown>;
  purpose?: string;
  requestId: string;
}

export type AccessLogWriter = (entry: AccessEntry) => Promise<void>;

export function sqlAccessLog(pool: Pool): AccessLogWriter {
  return async (entry) => {
    const { principal } = entry;
    await pool.query(
      `INSERT INTO access_log (subject, role, jurisdiction, action, route, child_id, params, purpose, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        principal.subject,
        principal.role,
        principal.department ?? principal.township ?? principal.county ?? null,
        entry.action,
        entry.route,
        entry.childId ?? null,
        entry.params && Object.keys(entry.params).length ? JSON.stringify(entry.params) : null,
        entry.purpose ?? null,
        entry.requestId,
      ],
    );
  };
}
