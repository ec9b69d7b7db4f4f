package stats

// Computed counts the aggregations p made, for tests of its cache.
func Computed(p *Postgres) int64 { return p.cache.computed.Load() }
