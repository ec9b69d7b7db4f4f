package casefile

// JudgedBySLA is the one definition of "within SLA" that every figure of a
// department's responsiveness shares (the public board's and the
// responsiveness read model's). A case is judged once it was resolved
// (within SLA when its first resolution came by the due date then in
// force) or while it is open past its due date: a breach, whatever an
// earlier resolution was, since a reopened case left overdue is late again.
// A case still open within its time is not judged yet. Counting only the
// resolved cases would show a department that answers nothing as always in
// time.
func JudgedBySLA(resolved, resolvedWithinSLA, overdueNow bool) (judged, within bool) {
	return resolved || overdueNow, resolvedWithinSLA && !overdueNow
}
