-- Issue #13 (M1, M3): the half-yearly monitoring survey. One survey per county and
-- half-year; department lists are stored per upload, accepted rows and rejected rows
-- (with reasons) written in ONE transaction, so a file is never half-imported.
CREATE TABLE surveys (
  id           uuid PRIMARY KEY,
  county_code  char(6) NOT NULL,
  period       text NOT NULL CHECK (period ~ '^\d{4}-H[12]$'),
  -- collecting -> reconciling -> verifying -> closed
  status       text NOT NULL DEFAULT 'collecting' CHECK (status IN ('collecting', 'reconciling', 'verifying', 'closed')),
  workflow_id  text NOT NULL,
  opened_at    timestamptz NOT NULL DEFAULT now(),
  closed_at    timestamptz,
  -- The survey's own figures (rows per source, matched, new, departed, conflicts, unresolved) and M3 statistics.
  figures      jsonb,
  -- The register at close: ids and M1 status only (the export is built from it on request,
  -- so that no ID number is ever stored in clear).
  snapshot     jsonb,
  UNIQUE (county_code, period)
);

CREATE TABLE survey_uploads (
  id              uuid PRIMARY KEY,
  survey_id       uuid NOT NULL REFERENCES surveys (id),
  source          text NOT NULL CHECK (source IN ('police', 'education', 'health', 'cdc')),
  file_name       text NOT NULL,
  format          text NOT NULL CHECK (format IN ('csv', 'xlsx')),
  encoding        text NOT NULL,
  -- A retried upload of the same file is the same upload (idempotent).
  content_sha256  text NOT NULL,
  rows_total      integer NOT NULL,
  rows_accepted   integer NOT NULL,
  rows_rejected   integer NOT NULL,
  uploaded_by     text NOT NULL,
  uploaded_at     timestamptz NOT NULL DEFAULT now(),
  -- A later upload of the same source replaces the earlier one for reconciliation.
  is_current      boolean NOT NULL DEFAULT true,
  UNIQUE (survey_id, source, content_sha256)
);
CREATE UNIQUE INDEX survey_uploads_current_idx ON survey_uploads (survey_id, source) WHERE is_current;

-- Accepted rows. The ID number as in the register: encrypted, keyed hash, masked.
CREATE TABLE survey_rows (
  upload_id           uuid NOT NULL REFERENCES survey_uploads (id),
  line                integer NOT NULL,
  name                text NOT NULL,
  gender              text NOT NULL,
  birth_date          date NOT NULL,
  resident_id_cipher  text,
  resident_id_hash    text,
  resident_id_masked  text,
  hukou_region_code   char(6) NOT NULL,
  residence_county    char(6) NOT NULL,
  township            text,
  village             text,
  arrival_date        date,
  guardian_name       text,
  guardian_phone      text,
  PRIMARY KEY (upload_id, line)
);

-- Rejected rows and why: the downloadable report.
CREATE TABLE survey_rejections (
  upload_id  uuid NOT NULL REFERENCES survey_uploads (id),
  line       integer NOT NULL,
  problems   jsonb NOT NULL,
  PRIMARY KEY (upload_id, line)
);

-- One finding per child after reconciliation (src/domain/survey-reconcile.ts), and the
-- children's director's answer to its verification task.
CREATE TABLE survey_findings (
  survey_id       uuid NOT NULL REFERENCES surveys (id),
  key             text NOT NULL,
  classification  text NOT NULL CHECK (classification IN ('confirmed', 'new-candidate', 'possibly-moved-away', 'conflicting')),
  child_id        uuid REFERENCES children (id),
  matched_rows    jsonb NOT NULL,
  sources         text[] NOT NULL,
  conflicts       text[] NOT NULL,
  profile         jsonb NOT NULL,
  eligibility     jsonb NOT NULL,
  task_id         uuid,
  outcome         text,
  outcome_note    text,
  resolved_at     timestamptz,
  PRIMARY KEY (survey_id, key)
);

-- What the directors' answers change in the register (M1: the information is kept current).
ALTER TABLE children ADD COLUMN verified_on date;
ALTER TABLE children ADD COLUMN left_on date;
