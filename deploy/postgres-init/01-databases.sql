-- Runs once, when the postgres volume is initialised (docker-entrypoint-initdb.d),
-- as POSTGRES_USER (careflow) connected to POSTGRES_DB (careflow).
--
--   careflow             application data (DATABASE_URL)
--   temporal             Temporal persistence (history, executions, ...)
--   temporal_visibility  Temporal visibility store (list/search, search attributes)
--
-- Idempotent: CREATE DATABASE cannot run inside a transaction block nor use
-- IF NOT EXISTS, so each statement is generated only when the database is missing
-- and executed with psql's \gexec.

SELECT 'CREATE DATABASE careflow'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'careflow')\gexec

SELECT 'CREATE DATABASE temporal'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'temporal')\gexec

SELECT 'CREATE DATABASE temporal_visibility'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'temporal_visibility')\gexec
