/**
 * The departments a notification goes to. The county civil-affairs bureau (民政局), which leads
 * M1, follows the directory's code scheme (department-catalog.ts): `mz-<county>`, mailbox
 * `mz-<county>@pds.careflow.local`, the seeded row of the `departments` table.
 */
import { departmentCode, departmentName, mailboxOf } from './department-catalog';

export interface Department {
  code: string;
  name: string;
  mailbox: string;
}

export function countyCivilAffairs(countyCode: string): Department {
  const code = departmentCode('mz', 'county', countyCode);
  return {
    code,
    name: departmentName('mz', 'county', countyCode) ?? `${countyCode}民政局`,
    mailbox: mailboxOf(code, 'county'),
  };
}
