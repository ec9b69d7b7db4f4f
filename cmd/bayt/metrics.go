package main

import (
	"context"
	"net/http"
	"net/http/pprof"
	"strconv"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/projections"
	"github.com/citizenhouse/bayt/transport/live"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are what bayt serve tells Prometheus, on BAYT_METRICS_ADDR
// only: request counts by route reveal nothing personal, but the figures
// are an operator's, not the public's.
type metrics struct {
	registry *prometheus.Registry

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	batchRequests   prometheus.Histogram
	appendDuration  prometheus.Histogram
	appendFailures  prometheus.Counter
	slaBreaches     prometheus.Counter
	vaultOperations *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bayt_http_requests_total", Help: "HTTP requests answered, by route (the pattern that served it), method and status.",
		}, []string{"route", "method", "status"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "bayt_http_request_duration_seconds", Help: "Time to answer an HTTP request (a WebSocket: to upgrade it), by route and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 15},
		}, []string{"route", "method"}),
		batchRequests: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "bayt_append_batch_requests", Help: "Requests committed together in one group-commit transaction.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128},
		}),
		appendDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "bayt_append_duration_seconds", Help: "Time of one group-commit append transaction, commit included.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
		}),
		appendFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bayt_append_failures_total", Help: "Append transactions that failed.",
		}),
		slaBreaches: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bayt_sla_breaches_recorded_total", Help: "Missed response deadlines the SLA watcher recorded on cases.",
		}),
		vaultOperations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bayt_vault_operations_total", Help: "Operations on the personal-data vault, by operation and outcome.",
		}, []string{"operation", "outcome"}),
	}
	m.registry.MustRegister(m.requests, m.requestDuration, m.batchRequests, m.appendDuration, m.appendFailures,
		m.slaBreaches, m.vaultOperations,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the metrics in Prometheus's text format.
func (m *metrics) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry}))
	// Profiles sit beside the metrics, on the operator's private address
	// only: what a slow node spends its time on is read off the node
	// itself (go tool pprof http://ADDR/debug/pprof/profile).
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	return mux
}

// observeRequest is the middleware's ObserveFunc.
func (m *metrics) observeRequest(method, route string, status int, took time.Duration) {
	r := route
	m.requests.WithLabelValues(r, method, strconv.Itoa(status)).Inc()
	m.requestDuration.WithLabelValues(r, method).Observe(took.Seconds())
}

// observeBatch is the event store's BatchFunc.
func (m *metrics) observeBatch(requests int, took time.Duration, err error) {
	if err != nil {
		m.appendFailures.Inc()
		return
	}
	m.batchRequests.Observe(float64(requests))
	m.appendDuration.Observe(took.Seconds())
}

// watchHubs reports each live board's clients, frames and slow drops.
func (m *metrics) watchHubs(hubs map[string]*live.Hub) {
	for board, h := range hubs {
		labels := prometheus.Labels{"board": board}
		m.registry.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "bayt_live_clients", Help: "Live feed clients connected now.", ConstLabels: labels},
				func() float64 { return float64(h.Stats().Clients) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "bayt_live_frames_sent_total", Help: "Frames written to live feed clients.", ConstLabels: labels},
				func() float64 { return float64(h.Stats().Frames) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "bayt_live_clients_dropped_slow_total", Help: "Live feed clients closed for reading too slowly.", ConstLabels: labels},
				func() float64 { return float64(h.Stats().DroppedSlow) }),
		)
	}
}

// watchDatabase reports the log's head, every checkpoint's position and
// lag (the read models' and the relay's), read at each scrape, and the
// pool's statistics.
func (m *metrics) watchDatabase(pool *pgxpool.Pool) {
	m.registry.MustRegister(checkpointCollector{pool: pool}, poolCollector{pool: pool})
}

var (
	headDesc     = prometheus.NewDesc("bayt_log_head_position", "Position of the newest event in the log.", nil, nil)
	positionDesc = prometheus.NewDesc("bayt_projection_position", "Position in the log a read model (or the relay) has reached.", []string{"name"}, nil)
	lagDesc      = prometheus.NewDesc("bayt_projection_lag_events", "Events a read model (or the relay) is behind the log's head.", []string{"name"}, nil)
)

// checkpointCollector reads the head and the checkpoints at each scrape:
// two indexed reads, and the figures are never older than the scrape.
type checkpointCollector struct{ pool *pgxpool.Pool }

func (checkpointCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- headDesc
	ch <- positionDesc
	ch <- lagDesc
}

func (c checkpointCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var head int64
	if err := c.pool.QueryRow(ctx, "SELECT COALESCE(max(position), 0) FROM events").Scan(&head); err != nil {
		ch <- prometheus.NewInvalidMetric(headDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(headDesc, prometheus.GaugeValue, float64(head))
	statuses, err := projections.Statuses(ctx, c.pool, head)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(positionDesc, err)
		return
	}
	for _, s := range statuses {
		ch <- prometheus.MustNewConstMetric(positionDesc, prometheus.GaugeValue, float64(s.Position), s.Name)
		ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, float64(s.Lag), s.Name)
	}
}

var (
	poolConnsDesc   = prometheus.NewDesc("bayt_db_pool_connections", "Database pool connections, by state.", []string{"state"}, nil)
	poolMaxDesc     = prometheus.NewDesc("bayt_db_pool_max_connections", "The database pool's bound.", nil, nil)
	poolAcquireDesc = prometheus.NewDesc("bayt_db_pool_acquires_total", "Connections taken from the pool.", nil, nil)
	poolWaitDesc    = prometheus.NewDesc("bayt_db_pool_waits_total", "Takes that had to wait for a connection.", nil, nil)
	poolWaitTime    = prometheus.NewDesc("bayt_db_pool_wait_seconds_total", "Time spent waiting for a pool connection.", nil, nil)
)

// poolCollector reports pgxpool's statistics.
type poolCollector struct{ pool *pgxpool.Pool }

func (poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolConnsDesc, poolMaxDesc, poolAcquireDesc, poolWaitDesc, poolWaitTime} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.AcquiredConns()), "acquired")
	ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.ConstructingConns()), "constructing")
	ch <- prometheus.MustNewConstMetric(poolMaxDesc, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(poolAcquireDesc, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWaitDesc, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWaitTime, prometheus.CounterValue, s.AcquireDuration().Seconds())
}

// countingVault counts the vault's operations for the metrics.
type countingVault struct {
	domain.Vault
	ops *prometheus.CounterVec
}

func (v countingVault) count(op string, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	v.ops.WithLabelValues(op, outcome).Inc()
}

func (v countingVault) Put(ctx context.Context, data domain.PersonalData) (string, error) {
	s, err := v.Vault.Put(ctx, data)
	v.count("put", err)
	return s, err
}

func (v countingVault) Get(ctx context.Context, subject string) (domain.PersonalData, error) {
	d, err := v.Vault.Get(ctx, subject)
	v.count("get", err)
	return d, err
}

func (v countingVault) Discard(ctx context.Context, subject string) error {
	err := v.Vault.Discard(ctx, subject)
	v.count("discard", err)
	return err
}
