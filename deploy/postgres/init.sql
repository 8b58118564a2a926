-- The app's own role: an ordinary one (not a superuser, no BYPASSRLS), owner of its database,
-- so that PostgreSQL's row-level security policies (m0028_row_level_security) hold it.
-- The image's superuser (POSTGRES_USER) stays for administration only.
CREATE ROLE jsap LOGIN PASSWORD 'jsap';
CREATE DATABASE jsap OWNER jsap;
