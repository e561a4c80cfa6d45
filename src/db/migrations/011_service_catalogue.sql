-- Issue #12: the service lists (R2, S1-S25) and what each child has been referred for (M3).

-- Profile fields the base list's rules need that the register lacked (optional):
-- height for the free bus (S16), and circumstances found or determined for the child
-- (低保 S13, 特困 S14, orphan / HIV / de-facto unsupported S10, temporary relief S15,
-- housing hardship S9, severe mental disorder at home S8): {"dibao": true, ...}.
ALTER TABLE children ADD COLUMN height_cm numeric(4, 1) CHECK (height_cm > 0 AND height_cm < 250);
ALTER TABLE children ADD COLUMN circumstances jsonb NOT NULL DEFAULT '{}'::jsonb;

-- A county's published list, one row per version; the base list (version 0) lives in the
-- repository (src/domain/catalogue/base-catalogue.ts). In force on a date: the highest
-- version whose effective_from is on or before it.
CREATE TABLE service_lists (
  county_code            char(6) NOT NULL,
  version                integer NOT NULL CHECK (version > 0),
  label                  text NOT NULL,
  effective_from         date NOT NULL,
  referral_working_days  integer NOT NULL CHECK (referral_working_days BETWEEN 1 AND 60),
  items                  jsonb NOT NULL,
  published_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (county_code, version)
);

-- One row per child and item ever matched: the first match decides the referral (a task to
-- the lead department for `task` items), so a later change never refers the same item
-- twice. Whether it was served is the task's outcome (tasks.outcome).
CREATE TABLE entitlement_referrals (
  child_id         uuid NOT NULL REFERENCES children(id),
  item_id          text NOT NULL,
  county_code      char(6) NOT NULL,
  list_version     integer NOT NULL,
  reason           text NOT NULL,
  referral_mode    text NOT NULL CHECK (referral_mode IN ('task', 'visit-plan', 'collective')),
  department_code  text NOT NULL,
  -- NULL for items without a referral task; the task's workflow is task:<task_id>.
  task_id          uuid UNIQUE,
  task_started     boolean NOT NULL DEFAULT false,
  matched_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (child_id, item_id)
);
CREATE INDEX entitlement_referrals_unstarted_idx ON entitlement_referrals (child_id) WHERE task_id IS NOT NULL AND NOT task_started;
CREATE INDEX entitlement_referrals_coverage_idx ON entitlement_referrals (county_code, item_id);
