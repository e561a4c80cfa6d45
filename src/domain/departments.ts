/**
 * The departments a notification goes to. Until the department directory (issue #3) lands,
 * the county civil-affairs bureau (民政局), which leads M1, is derived from the county code.
 */
import { countyName } from './regions';

export interface Department {
  code: string;
  name: string;
  mailbox: string;
}

export function countyCivilAffairs(countyCode: string): Department {
  return {
    code: `mz-${countyCode}`,
    name: `${countyName(countyCode) ?? countyCode}民政局`,
    mailbox: `mz-${countyCode}@pds.careflow.local`,
  };
}
