-- Issue #3: tasks assigned to departments, their escalations, the breaches they record,
-- and procuratorate referrals (R4). Rows are written by activities (idempotent upserts);
-- the owning workflows hold the authoritative state.
CREATE TABLE tasks (
  id                 uuid PRIMARY KEY,
  workflow_id        text NOT NULL UNIQUE,
  kind               text NOT NULL,
  title              text NOT NULL,
  instructions       text NOT NULL,
  assignee_code      text NOT NULL,
  assignee_person    text,
  county_code        char(6) NOT NULL,
  case_id            uuid,
  case_type          text,
  accepted_outcomes  jsonb NOT NULL,
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'completed')),
  due_at             timestamptz NOT NULL,
  -- The deadline ran past the years the holiday calendar knows (see src/calendar).
  due_beyond_calendar boolean NOT NULL DEFAULT false,
  escalation_level   integer NOT NULL DEFAULT 0,
  overdue            boolean NOT NULL DEFAULT false,
  acknowledged_at    timestamptz,
  acknowledged_by    text,
  completed_at       timestamptz,
  completed_by       text,
  outcome            text,
  outcome_note       text,
  created_at         timestamptz NOT NULL
);
CREATE INDEX tasks_assignee_idx ON tasks (assignee_code, status, due_at);
CREATE INDEX tasks_case_idx ON tasks (case_id);

CREATE TABLE escalations (
  task_id      uuid NOT NULL REFERENCES tasks(id),
  level        integer NOT NULL,
  recipient    text NOT NULL,
  label        text NOT NULL,
  at           timestamptz NOT NULL,
  PRIMARY KEY (task_id, level)
);

-- A department's failure of duty: a step overdue, or persistently overdue.
CREATE TABLE breaches (
  id               text PRIMARY KEY,          -- <taskId>:<kind>: one per task and kind
  department_code  text NOT NULL,
  task_id          uuid REFERENCES tasks(id),
  kind             text NOT NULL CHECK (kind IN ('overdue', 'persistently-overdue', 'quarter-short', 'reply-overdue')),
  at               timestamptz NOT NULL
);
CREATE INDEX breaches_department_idx ON breaches (department_code, at);

CREATE TABLE referrals (
  id                uuid PRIMARY KEY,
  workflow_id       text NOT NULL UNIQUE,
  department_code   text NOT NULL,
  procuratorate_code text NOT NULL,
  status            text NOT NULL CHECK (status IN ('sent', 'no-suggestion', 'suggestion-issued', 'reply-overdue', 'replied')),
  reason            text NOT NULL,
  dossier           jsonb NOT NULL,
  opened_at         timestamptz NOT NULL,
  suggestion        jsonb,
  reply_due_at      timestamptz,
  reply             jsonb,
  escalated_at      timestamptz,
  closed_at         timestamptz
);
-- One open referral per department at a time: new breaches join its dossier's timeline.
CREATE UNIQUE INDEX referrals_one_open_per_department ON referrals (department_code)
  WHERE status IN ('sent', 'suggestion-issued', 'reply-overdue');

-- Per-county escalation policy (ladder, referral threshold); absent = the default.
CREATE TABLE county_escalation_policies (
  county_code  char(6) PRIMARY KEY,
  policy       jsonb NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
