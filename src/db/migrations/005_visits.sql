-- Issue #4: the quarterly home-visit plans of key-care children (S20, M2). The plan's
-- workflow (`key-care-visits:<childId>`) is the authority; these rows are what it records.

-- Per-county parameters of the plan (quota, reminder lead, task periods); absent = the
-- defaults in src/domain/visits.ts. A quarter keeps the parameters it started with.
CREATE TABLE county_visit_policies (
  county_code  char(6) PRIMARY KEY,
  policy       jsonb NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- One row per quarter of a plan (two when the plan was handed over or reopened within the
-- quarter: each part has its own start and quota): what was planned and how it ended. The
-- workflow keeps only the last 8 quarters in its compact state; this table keeps them all.
CREATE TABLE visit_quarters (
  plan_id        uuid NOT NULL,
  quarter        text NOT NULL CHECK (quarter ~ '^[0-9]{4}-Q[1-4]$'),
  child_id       uuid NOT NULL REFERENCES children(id),
  workflow_id    text NOT NULL,
  county_code    char(6) NOT NULL,
  assignee_code  text NOT NULL,
  planned_from   date NOT NULL,
  quota          integer NOT NULL CHECK (quota >= 0),
  due_dates      date[] NOT NULL,
  done           integer NOT NULL DEFAULT 0,
  -- M2: at least one family guardianship capability assessment in the quarter; false at
  -- the close is the record of a missing one.
  assessed       boolean NOT NULL DEFAULT false,
  outcome        text CHECK (outcome IN ('met', 'short', 'closing', 'handed-over', 'closed')),
  opened_at      timestamptz NOT NULL,
  closed_at      timestamptz,
  PRIMARY KEY (plan_id, quarter, planned_from)
);
CREATE INDEX visit_quarters_child_idx ON visit_quarters (child_id, quarter);
CREATE INDEX visit_quarters_assignee_idx ON visit_quarters (assignee_code, quarter);

-- Home visits. The API writes a visit as 'pending' before it asks the plan's workflow to
-- accept it (a Temporal update); the update's handler marks it 'recorded', and the API
-- deletes it again when the workflow refuses it. So the findings, which are personal data,
-- stay in this database and never enter a workflow's history.
CREATE TABLE visits (
  id               uuid PRIMARY KEY,
  child_id         uuid NOT NULL REFERENCES children(id),
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'recorded')),
  visited_on       date NOT NULL,
  visitor          text NOT NULL,
  notes            text NOT NULL,
  -- M2: what a visit records, each {level: good|attention|risk, note?}.
  living_security  jsonb NOT NULL,
  guardianship     jsonb NOT NULL,
  medical_care     jsonb NOT NULL,
  schooling        jsonb NOT NULL,
  -- Family guardianship capability assessment: {scores, total, level, note?}; NULL if none.
  assessment       jsonb,
  -- [{service, note?, openTask, taskId?}]: needs found, and the task opened for each.
  needs            jsonb NOT NULL,
  plan_id          uuid,
  quarter          text,
  -- The planned visit (1-based) it counts for; NULL beyond the quota.
  slot             integer,
  -- The planned visit's task that this visit completed.
  task_id          uuid,
  submitted_at     timestamptz NOT NULL DEFAULT now(),
  recorded_at      timestamptz
);
CREATE INDEX visits_child_idx ON visits (child_id, visited_on);
