package eventstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

// Run with: make bench (figures and machine in README.md).

func benchStore(b *testing.B) *eventstore.Store {
	b.Helper()
	pool, _ := eventstoretest.Schema(b, &eventstoretest.SchemaOpts{MaxConns: 20})
	s := eventstore.New(pool, eventstore.Config{})
	b.Cleanup(s.Close)
	return s
}

func reportEventsPerSecond(b *testing.B, events int) {
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAppendSingle16 appends one event per call from 16 concurrent
// callers, each on its own streams: the shape of many residents reporting
// at once.
func BenchmarkAppendSingle16(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	var next atomic.Int64
	b.SetParallelism(max(1, 16/max(1, testingProcs())))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		stream := fmt.Sprintf("case-%d", next.Add(1))
		v := int64(0)
		for pb.Next() {
			if _, err := s.Append(ctx, stream, v, eventstoretest.Event("bench", int(v))); err != nil {
				b.Error(err)
				return
			}
			v++
		}
	})
	reportEventsPerSecond(b, b.N)
}

// BenchmarkAppendBatch50 appends 50 events per call from one caller.
func BenchmarkAppendBatch50(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	batch := make([]eventstore.NewEvent, 50)
	for i := range batch {
		batch[i] = eventstoretest.Event("bench", i)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.Append(ctx, fmt.Sprintf("case-%d", i), eventstore.NoStream, batch...); err != nil {
			b.Fatal(err)
		}
	}
	reportEventsPerSecond(b, b.N*50)
}

// BenchmarkAppendBatch50x4 appends 50 events per call from 4 callers, so
// group commit merges batches.
func BenchmarkAppendBatch50x4(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	batch := make([]eventstore.NewEvent, 50)
	for i := range batch {
		batch[i] = eventstoretest.Event("bench", i)
	}
	var next atomic.Int64
	b.SetParallelism(max(1, 4/max(1, testingProcs())))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Append(ctx, fmt.Sprintf("case-%d", next.Add(1)), eventstore.NoStream, batch...); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportEventsPerSecond(b, b.N*50)
}

func fill(b *testing.B, s *eventstore.Store, streams, perStream int) {
	b.Helper()
	ctx := context.Background()
	batch := make([]eventstore.NewEvent, perStream)
	for i := range batch {
		batch[i] = eventstoretest.Event("bench", i)
	}
	for i := range streams {
		if _, err := s.Append(ctx, fmt.Sprintf("case-%d", i), eventstore.NoStream, batch...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadStream reads a 20-event stream, the size of a busy case.
func BenchmarkReadStream(b *testing.B) {
	s := benchStore(b)
	fill(b, s, 200, 20)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		evs, err := s.ReadStream(ctx, fmt.Sprintf("case-%d", i%200), 0)
		if err != nil || len(evs) != 20 {
			b.Fatalf("read %d events: %v", len(evs), err)
		}
	}
	reportEventsPerSecond(b, b.N*20)
}

// BenchmarkReadAll reads the log in pages of 1000, as a projection
// rebuilding from zero does.
func BenchmarkReadAll(b *testing.B) {
	s := benchStore(b)
	const total = 100_000
	fill(b, s, total/50, 50)
	ctx := context.Background()
	b.ResetTimer()
	read := 0
	for range b.N {
		after := int64(0)
		for {
			evs, err := s.ReadAll(ctx, after, 5000)
			if err != nil {
				b.Fatal(err)
			}
			if len(evs) == 0 {
				break
			}
			read += len(evs)
			after = evs[len(evs)-1].Position
		}
	}
	if read != b.N*total {
		b.Fatalf("read %d events, want %d", read, b.N*total)
	}
	reportEventsPerSecond(b, read)
}
