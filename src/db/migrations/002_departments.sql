-- Issue #3 item 1: the department directory. Every department a task or mail can go to:
-- city and county bureaus, townships (乡镇/街道), and 户籍地 bureaus outside Pingdingshan.
-- Codes follow src/domain/department-catalog.ts. The Pingdingshan seed is inserted at
-- start-up by src/db/seed.ts (ON CONFLICT DO NOTHING), not here, so admin edits survive.
CREATE TABLE departments (
  code           text PRIMARY KEY,
  kind           text NOT NULL,
  level          text NOT NULL CHECK (level IN ('city', 'county', 'township', 'outside')),
  name           text NOT NULL,
  region_code    text NOT NULL CHECK (region_code ~ '^[0-9]{6}([0-9]{3})?$'),
  mailbox        text NOT NULL,
  -- The department head: the second rung of the escalation ladder.
  head_mailbox   text NOT NULL,
  superior_code  text NULL REFERENCES departments (code),
  -- W2.4: tier of a mental-health provider; NULL for every other department.
  service_tier   text NULL CHECK (service_tier IN ('low', 'medium', 'high')),
  active         boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (superior_code IS DISTINCT FROM code)
);
CREATE INDEX departments_region_idx ON departments (region_code);
CREATE INDEX departments_kind_level_idx ON departments (kind, level);
CREATE INDEX departments_superior_idx ON departments (superior_code);
