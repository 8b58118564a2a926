# Sourced by the bench scripts run with `postgres`: `bench_database NAME` creates the empty
# database NAME and exports DATABASE_URL to it; `drop_bench_database` removes it. The app
# connects as an ordinary role that owns its database, as in production: row-level security
# applies to it (a superuser would bypass it).
admin=postgres://postgres@127.0.0.1:5432/test
bench_database() {
  bench_db=$1
  psql "$admin" -qc \
    "DO \$\$ BEGIN CREATE ROLE jsap_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$"
  psql "$admin" -qc "CREATE DATABASE $bench_db OWNER jsap_app"
  export DATABASE_URL=postgres://jsap_app@127.0.0.1:5432/$bench_db
}
drop_bench_database() {
  psql "$admin" -qc "DROP DATABASE IF EXISTS $bench_db"
}
