/** SQL for the register of children (M1/M2). Callers pass a client to share a transaction. */
import type { ChildProfile } from '../domain/child';
import type { Pool, PoolClient } from './pool';

/** What the register stores beside the profile: derived and protected values. */
export interface ChildDerived {
  residentIdCipher: string;
  residentIdHash: string;
  residentIdMasked: string;
  keyCare: boolean;
  keyCareReasons: string[];
  eligibleFrom: string | null;
  eligibleUntil: string | null;
}

export interface ChildRecord extends ChildProfile, ChildDerived {
  id: string;
  /**
   * The day the child was found to have left the county of residence (a survey answer,
   * issue #13, or the key-care plan's re-verification, #4; M1), else null. A new residence
   * in the register clears it: the child has been found again.
   */
  leftOn: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

interface ChildRow {
  id: string;
  name: string;
  gender: ChildProfile['gender'];
  birth_date: string;
  resident_id_cipher: string;
  resident_id_hash: string;
  resident_id_masked: string;
  hukou_region_code: string;
  residence_county: string;
  residence_township: string;
  residence_village: string;
  arrival_date: string;
  guardians: ChildProfile['guardians'];
  schooling_status: ChildProfile['schoolingStatus'];
  health_insurance: ChildProfile['healthInsurance'];
  disability: ChildProfile['disability'];
  risk_flags: ChildProfile['riskFlags'];
  help_requested: boolean;
  height_cm: string | null;
  circumstances: NonNullable<ChildProfile['circumstances']>;
  key_care: boolean;
  key_care_reasons: string[];
  eligible_from: string | null;
  eligible_until: string | null;
  left_on: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

function fromRow(row: ChildRow): ChildRecord {
  return {
    id: row.id,
    name: row.name,
    gender: row.gender,
    birthDate: row.birth_date,
    hukouRegionCode: row.hukou_region_code,
    residence: { countyCode: row.residence_county, township: row.residence_township, village: row.residence_village },
    arrivalDate: row.arrival_date,
    guardians: row.guardians,
    schoolingStatus: row.schooling_status,
    healthInsurance: row.health_insurance,
    disability: row.disability,
    riskFlags: row.risk_flags,
    helpRequested: row.help_requested,
    heightCm: row.height_cm === null ? null : Number(row.height_cm),
    circumstances: row.circumstances,
    residentIdCipher: row.resident_id_cipher,
    residentIdHash: row.resident_id_hash,
    residentIdMasked: row.resident_id_masked,
    keyCare: row.key_care,
    keyCareReasons: row.key_care_reasons,
    eligibleFrom: row.eligible_from,
    eligibleUntil: row.eligible_until,
    leftOn: row.left_on,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function columnValues(profile: ChildProfile, derived: ChildDerived): unknown[] {
  return [
    profile.name,
    profile.gender,
    profile.birthDate,
    derived.residentIdCipher,
    derived.residentIdHash,
    derived.residentIdMasked,
    profile.hukouRegionCode,
    profile.residence.countyCode,
    profile.residence.township,
    profile.residence.village,
    profile.arrivalDate,
    JSON.stringify(profile.guardians),
    profile.schoolingStatus,
    profile.healthInsurance,
    JSON.stringify(profile.disability),
    JSON.stringify(profile.riskFlags),
    profile.helpRequested,
    derived.keyCare,
    derived.keyCareReasons,
    derived.eligibleFrom,
    derived.eligibleUntil,
    profile.heightCm ?? null,
    JSON.stringify(profile.circumstances ?? {}),
  ];
}

const COLUMNS = `name, gender, birth_date, resident_id_cipher, resident_id_hash, resident_id_masked,
  hukou_region_code, residence_county, residence_township, residence_village, arrival_date,
  guardians, schooling_status, health_insurance, disability, risk_flags, help_requested,
  key_care, key_care_reasons, eligible_from, eligible_until, height_cm, circumstances`;

/** Inserts a child; returns the id of the existing child instead when the ID number is taken. */
export async function insertChild(
  client: PoolClient,
  id: string,
  profile: ChildProfile,
  derived: ChildDerived,
): Promise<{ inserted: true; record: ChildRecord } | { inserted: false; existingId: string }> {
  const placeholders = Array.from({ length: 23 }, (_, i) => `$${i + 2}`).join(', ');
  const result = await client.query<ChildRow>(
    `INSERT INTO children (id, ${COLUMNS}) VALUES ($1, ${placeholders})
     ON CONFLICT (resident_id_hash) DO NOTHING RETURNING *`,
    [id, ...columnValues(profile, derived)],
  );
  const row = result.rows[0];
  if (row) return { inserted: true, record: fromRow(row) };
  const existing = await client.query<{ id: string }>('SELECT id FROM children WHERE resident_id_hash = $1', [
    derived.residentIdHash,
  ]);
  const existingId = existing.rows[0]?.id;
  if (!existingId) throw new Error('insert conflicted on resident_id_hash but no row holds it');
  return { inserted: false, existingId };
}

export async function findChild(db: Pool | PoolClient, id: string, forUpdate = false): Promise<ChildRecord | undefined> {
  const result = await db.query<ChildRow>(`SELECT * FROM children WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  const row = result.rows[0];
  return row ? fromRow(row) : undefined;
}

/**
 * Marks the child as having left its county on `onDate` (M1). A child already marked keeps
 * its first day; false then, so that a retried caller writes nothing twice.
 */
export async function markChildLeft(client: PoolClient, id: string, onDate: string): Promise<boolean> {
  const result = await client.query(
    'UPDATE children SET left_on = $2, version = version + 1, updated_at = now() WHERE id = $1 AND left_on IS NULL',
    [id, onDate],
  );
  return (result.rowCount ?? 0) > 0;
}

export async function findChildIdByHash(db: Pool | PoolClient, residentIdHash: string): Promise<string | undefined> {
  const result = await db.query<{ id: string }>('SELECT id FROM children WHERE resident_id_hash = $1', [residentIdHash]);
  return result.rows[0]?.id;
}

export async function replaceChild(
  client: PoolClient,
  id: string,
  profile: ChildProfile,
  derived: ChildDerived,
): Promise<ChildRecord> {
  const columns = COLUMNS.split(',').map((column) => column.trim());
  const assignments = columns.map((column, i) => `${column} = $${i + 2}`).join(', ');
  // SET reads the row as it was: a new county or township means the child who had left
  // has been found again (an unchanged residence keeps the mark).
  const [county, township] = [columns.indexOf('residence_county') + 2, columns.indexOf('residence_township') + 2];
  // (No casts: each parameter keeps the type its own column gives it in the SET list.)
  const leftOn = `left_on = CASE WHEN residence_county IS DISTINCT FROM $${county} OR residence_township IS DISTINCT FROM $${township} THEN NULL ELSE left_on END`;
  const result = await client.query<ChildRow>(
    `UPDATE children SET ${assignments}, ${leftOn}, version = version + 1, updated_at = now() WHERE id = $1 RETURNING *`,
    [id, ...columnValues(profile, derived)],
  );
  const row = result.rows[0];
  if (!row) throw new Error(`child ${id} vanished during update`);
  return fromRow(row);
}

export interface ChildListFilter {
  county?: string;
  keyCare?: boolean;
  eligible?: boolean;
  /** The date eligibility is judged on (YYYY-MM-DD). */
  onDate: string;
  page: number;
  pageSize: number;
}

export async function listChildren(db: Pool, filter: ChildListFilter): Promise<{ items: ChildRecord[]; total: number }> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const add = (sql: (placeholder: string) => string, value: unknown) => {
    values.push(value);
    conditions.push(sql(`$${values.length}`));
  };
  if (filter.county) add((p) => `residence_county = ${p}`, filter.county);
  if (filter.keyCare !== undefined) add((p) => `key_care = ${p}`, filter.keyCare);
  if (filter.eligible !== undefined) {
    const inWindow = (p: string) => `(eligible_from IS NOT NULL AND eligible_from <= ${p}::date AND ${p}::date < eligible_until)`;
    add((p) => (filter.eligible ? inWindow(p) : `NOT ${inWindow(p)}`), filter.onDate);
  }
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const total = await db.query<{ count: string }>(`SELECT count(*) FROM children ${where}`, values);
  const page = await db.query<ChildRow>(
    `SELECT * FROM children ${where} ORDER BY created_at, id LIMIT ${filter.pageSize} OFFSET ${(filter.page - 1) * filter.pageSize}`,
    values,
  );
  return { items: page.rows.map(fromRow), total: Number(total.rows[0]?.count ?? 0) };
}
