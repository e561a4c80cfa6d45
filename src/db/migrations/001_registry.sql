-- M1/M2: the register of flowing children. Personal data stays in this database: the
-- resident ID number only encrypted (AES-256-GCM) with a keyed hash for duplicate look-up.
CREATE TABLE children (
  id                   uuid PRIMARY KEY,
  name                 text NOT NULL,
  gender               text NOT NULL CHECK (gender IN ('male', 'female')),
  birth_date           date NOT NULL,
  resident_id_cipher   text NOT NULL,
  resident_id_hash     text NOT NULL UNIQUE,
  resident_id_masked   text NOT NULL,
  hukou_region_code    char(6) NOT NULL,
  residence_county     char(6) NOT NULL,
  residence_township   text NOT NULL,
  residence_village    text NOT NULL,
  arrival_date         date NOT NULL,
  guardians            jsonb NOT NULL,
  schooling_status     text NOT NULL,
  health_insurance     text NOT NULL,
  disability           jsonb NOT NULL,
  risk_flags           jsonb NOT NULL,
  help_requested       boolean NOT NULL,
  key_care             boolean NOT NULL,
  key_care_reasons     text[] NOT NULL,
  -- M1 eligibility is a function of the profile and a date; these two dates make it a
  -- range test in SQL (NULL eligible_from: never eligible for a location reason).
  eligible_from        date,
  eligible_until       date,
  version              integer NOT NULL DEFAULT 1,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX children_county_idx ON children (residence_county, created_at, id);
CREATE INDEX children_key_care_idx ON children (residence_county) WHERE key_care;

-- Every change of a child, case or task: who, when, what, before -> after summary.
-- Append-only: the trigger refuses UPDATE and DELETE (issue #3 item 7).
CREATE TABLE audit_log (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor        text NOT NULL,
  entity_type  text NOT NULL,
  entity_id    text NOT NULL,
  action       text NOT NULL,
  summary      jsonb NOT NULL
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, id);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- Outbox of notifications: one row per idempotency key (workflow ID + step), so a retried
-- activity never sends a second mail; message_id is derived from the key.
CREATE TABLE notifications (
  idempotency_key  text PRIMARY KEY,
  message_id       text NOT NULL UNIQUE,
  recipient        text NOT NULL,
  subject          text NOT NULL,
  body             text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  attempts         integer NOT NULL DEFAULT 0,
  sent_at          timestamptz
);
