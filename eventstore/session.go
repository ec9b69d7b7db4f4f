package eventstore

// SessionSettings are the server settings every connection of Bayt's pool
// needs, to be set as runtime parameters when the pool is built.
//
// plan_cache_mode=force_custom_plan: pgx prepares and caches every
// statement, and after five executions PostgreSQL may settle a prepared
// statement on a plan it chose by what it knew then. A server that starts
// on a new, empty database keeps its connections for days; with autovacuum
// off, as some operators run it, fresh statistics never come to change
// that. Measured on the build machine (README, Reliability and security),
// reports over HTTP from a new database fell by a third within a minute,
// the writer's head look-up and the case list's row look-up taking 5–50 ms
// a call, and a restart restored them; with custom plans they held steady.
// Custom plans cost a few microseconds of planning per statement.
func SessionSettings() map[string]string {
	return map[string]string{"plan_cache_mode": "force_custom_plan"}
}
