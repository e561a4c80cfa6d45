-- M3 statistics break the register down by whom the child lives with. Derived from the
-- guardians list once, on write, so a city-wide breakdown is one scan (bench/queries).
CREATE FUNCTION careflow_living_with(guardians jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
           WHEN count(*) FILTER (WHERE g->>'relation' IN ('father', 'mother')) = 2 THEN 'both-parents'
           WHEN count(*) FILTER (WHERE g->>'relation' IN ('father', 'mother')) = 1 THEN 'one-parent'
           WHEN count(*) > 0 THEN 'other-guardian'
           ELSE 'no-guardian-at-home'
         END
    FROM jsonb_array_elements(guardians) g
   WHERE (g->>'livesWithChild')::boolean
$$;

ALTER TABLE children ADD COLUMN living_with text GENERATED ALWAYS AS (careflow_living_with(guardians)) STORED;
