package eventstore

import "testing"

// TestLeaveAfterTheStreamWasForgotten: a caller whose context ends just
// as its answer arrives may find its stream already forgotten (answered,
// idle, deleted); leaving then says the answer is there to read, and
// does not crash the process.
func TestLeaveAfterTheStreamWasForgotten(t *testing.T) {
	t.Parallel()
	ts := &turns{streams: map[string]*queue{}}
	tk := &ticket{done: make(chan answer, 1)}
	tk.done <- answer{}
	if ts.leave("case-01JZ0000000000000000000000", tk) {
		t.Fatal("leave took out a ticket no queue holds")
	}
	if len(tk.done) != 1 {
		t.Fatal("leave consumed the answer the caller must read")
	}
}
