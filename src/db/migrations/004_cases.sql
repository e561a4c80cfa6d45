-- Case read model (issue #5 ff.): one row per case, kept current by the case's workflow
-- through activities; the timeline of every step. The workflow is the authority.
CREATE TABLE cases (
  id                uuid PRIMARY KEY,
  type              text NOT NULL CHECK (type IN ('dropout', 'mental-health', 'guardianship', 'assistance')),
  child_id          uuid NOT NULL REFERENCES children(id),
  county_code       char(6) NOT NULL,
  township_code     text,
  workflow_id       text NOT NULL UNIQUE,
  status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  stage             text NOT NULL,
  outcome           text,
  escalation_level  integer NOT NULL DEFAULT 0,
  overdue           boolean NOT NULL DEFAULT false,
  idempotency_key   text UNIQUE,
  opened_at         timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  closed_at         timestamptz
);
-- W1-W4: one open case of a type per child; a second is a 409 naming the first.
CREATE UNIQUE INDEX cases_one_open_per_child_and_type ON cases (child_id, type) WHERE status = 'open';
CREATE INDEX cases_county_idx ON cases (county_code, status, opened_at);

CREATE TABLE case_events (
  id        text PRIMARY KEY,              -- <workflowId>:<seq>: a retried activity writes it once
  case_id   uuid NOT NULL REFERENCES cases(id),
  at        timestamptz NOT NULL,
  actor     text NOT NULL,
  kind      text NOT NULL,
  summary   jsonb NOT NULL
);
CREATE INDEX case_events_case_idx ON case_events (case_id, at);

-- A case that moves on cancels the tasks it no longer needs.
ALTER TABLE tasks DROP CONSTRAINT tasks_status_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_status_check CHECK (status IN ('open', 'acknowledged', 'completed', 'cancelled'));
