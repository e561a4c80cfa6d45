-- Issue #10: who read what. One row per read of a child's full record
-- (GET /api/v1/children/:id) and per request of the operator role (admin), written by the
-- authorisation hook (src/security/http.ts) before the route runs. Append-only, like the
-- audit log: the triggers refuse UPDATE, DELETE and TRUNCATE.
CREATE TABLE access_log (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  -- The token's subject and role, and the jurisdiction it claimed (county / department).
  subject       text NOT NULL,
  role          text NOT NULL,
  jurisdiction  text,
  -- 'child.read' or 'operator.request'.
  action        text NOT NULL,
  -- The route pattern and method, e.g. 'GET /api/v1/children/:id'.
  route         text NOT NULL,
  -- The child whose record was read (no foreign key: attempts on unknown ids are kept too).
  child_id      uuid,
  -- The route's parameters (ids and codes, never personal data).
  params        jsonb,
  -- Why, when the client says so (X-Access-Purpose header, at most 200 characters).
  purpose       text,
  request_id    text
);
CREATE INDEX access_log_child_idx ON access_log (child_id, at) WHERE child_id IS NOT NULL;
CREATE INDEX access_log_subject_idx ON access_log (subject, at);

CREATE FUNCTION access_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'access_log is append-only';
END $$;
CREATE TRIGGER access_log_no_update BEFORE UPDATE OR DELETE ON access_log
  FOR EACH ROW EXECUTE FUNCTION access_log_is_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
  FOR EACH STATEMENT EXECUTE FUNCTION access_log_is_append_only();
