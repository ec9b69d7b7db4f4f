package caselist

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections"
)

// Name is the projection's name in checkpoints and leases.
const Name = "case_list"

// Config is what the case list needs besides its storage.
type Config struct {
	// Zone is the city's time zone: a case's number counts the reports of
	// the year its report falls in there (casefile.NumberYear). UTC when
	// nil. The numbers a rebuild gives follow the zone of the day, so the
	// zone of a deployment is set once.
	Zone *time.Location
}

func (c Config) zone() *time.Location {
	if c.Zone == nil {
		return time.UTC
	}
	return c.Zone
}

// Filter selects cases. Empty fields do not filter.
type Filter struct {
	Status     string
	District   string
	Category   string
	Department string
	Overdue    *bool
	// Located keeps the cases with a location only: the map's and the
	// GeoJSON export's.
	Located bool
	// Q matches title and description, case-insensitively: the texts the
	// public reads, and for Staff also the reporter's own texts that
	// moderation replaced. A Q that reads as a case number (2026-0142,
	// 2026-142, or a bare 142 for the current year in the city) also finds
	// the case of that number.
	Q string
	// Number selects the case of that number alone (casefile.ParseNumber
	// reads it); one that is not a case number is invalid.
	Number string
	// IDs, when not nil, selects those cases alone.
	IDs    []string
	Cursor string
	Limit  int
	// Now decides what is overdue.
	Now time.Time
	// Staff lists the cases as advocates and admins read them: hidden
	// cases too, each with the reporter's texts and its moderation. The
	// public, officers among them, never set it.
	Staff bool
	// Order is the order of the answer; newest first when zero.
	Order Order
}

// Order is the order in which List answers.
type Order int

const (
	// OrderNewest lists the newest case first, and pages with Cursor.
	OrderNewest Order = iota
	// OrderDue lists the soonest due case first, the cases without a due
	// date last, ties the oldest first: a work queue. It answers the
	// first Limit cases only; Cursor must be empty and NextCursor stays
	// empty.
	OrderDue
)

// Page is one page of cases, newest first. NextCursor is empty on the last.
type Page struct {
	Items      []casefile.Case
	NextCursor string
}

// MaxLimit bounds a page.
const MaxLimit = 200

func (f *Filter) normalise() error {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > MaxLimit {
		return domain.Invalid("limit", fmt.Sprintf("at most %d", MaxLimit))
	}
	if f.Status != "" && !casefile.Status(f.Status).Valid() {
		return domain.Invalid("status", "unknown status")
	}
	switch f.Order {
	case OrderNewest:
	case OrderDue:
		if f.Cursor != "" {
			return domain.Invalid("cursor", "the due order does not page")
		}
	default:
		return domain.Invalid("order", "unknown order")
	}
	f.Q = strings.ToLower(strings.TrimSpace(f.Q))
	if f.Number != "" {
		n, ok := casefile.ParseNumber(f.Number)
		if !ok {
			return domain.Invalid("number", "not a case number")
		}
		f.Number = n
	}
	return nil
}

// searchNumber returns the case number f.Q reads as, or "": a bare rank is
// of the current year in zone, when f.Now tells it.
func (f *Filter) searchNumber(zone *time.Location) string {
	if n, ok := casefile.ParseNumber(f.Q); ok {
		return n
	}
	if n, ok := casefile.ParseRank(f.Q); ok && !f.Now.IsZero() {
		return casefile.FormatNumber(casefile.NumberYear(f.Now, zone), n)
	}
	return ""
}

func cursorOf(c casefile.Case) string {
	return projections.Cursor{CreatedAt: c.CreatedAt, ID: c.ID}.String()
}

// FeedItem is a public event as the live feed and the board show it:
// redacted to what anyone may read, with the case's state after it.
type FeedItem struct {
	Type     string `json:"type"`
	Position int64  `json:"position"`
	Stream   string `json:"stream"`
	Event    string `json:"event"`
	CaseID   string `json:"case_id"`
	Status   string `json:"status"`
	// PreviousStatus is the status the board counted the case under just
	// before the event, "" when it did not count it (a new report, a case
	// moderation had hidden): with Status, what an open board moves
	// between its counts without reading the board again.
	PreviousStatus string `json:"previous_status"`
	Title          string `json:"title"`
	District       string `json:"district"`
	Category       string `json:"category"`
	// Number is the case's public number, and Language the language it
	// was reported in ("" when not known), so that an open board's card
	// reads as the server's do.
	Number   string `json:"number,omitempty"`
	Language string `json:"language,omitempty"`
	// Hidden is set on the CaseModerated item that hides a case: an open
	// board drops its card. Nothing else is said of a hidden case.
	Hidden bool      `json:"hidden,omitempty"`
	At     time.Time `json:"at"`
}

// feedEdit is what a moderation does to the feed items of its case that
// came before it: a hidden case's are removed, and the others show the
// public title. The public feed never keeps what moderation withdrew,
// whoever reads it later (a board's recent items, a client resuming with
// since).
type feedEdit struct {
	Stream string
	Before int64 // the moderation's position: the items before it
	Hidden bool
	Title  string
}

// apply returns it as the edit leaves it, and false when it goes.
func (ed feedEdit) apply(it FeedItem) (FeedItem, bool) {
	if it.Stream != ed.Stream || it.Position >= ed.Before {
		return it, true
	}
	if ed.Hidden {
		return it, false
	}
	if !it.Hidden {
		it.Title = ed.Title
	}
	return it, true
}

// editAll returns items with ed applied, in order.
func (ed feedEdit) editAll(items []FeedItem) []FeedItem {
	out := items[:0]
	for _, it := range items {
		if it, keep := ed.apply(it); keep {
			out = append(out, it)
		}
	}
	return out
}

// fold applies the case events among events onto states, adding states for
// new cases. It returns the ids touched, in first-touched order, the feed
// items of the public events of cases not hidden and of every moderation,
// and the edits the moderations make to the items of earlier batches
// (those of this batch are edited already).
func fold(events []projections.Event, states map[string]*casefile.Case) ([]string, map[string]int64, []FeedItem, []feedEdit, error) {
	var (
		touched []string
		feed    []FeedItem
		edits   []feedEdit
		last    = map[string]int64{}
	)
	for _, e := range events {
		if !strings.HasPrefix(e.Stream, casefile.StreamPrefix) {
			continue
		}
		ev, err := casefile.Decode(e.Type, e.Data)
		if errors.Is(err, casefile.ErrUnknownEventType) {
			continue
		}
		if err != nil {
			return nil, nil, nil, nil, fmt.Errorf("decode %s at %d: %w", e.Type, e.Position, err)
		}
		c, ok := states[e.Stream]
		if !ok {
			c = &casefile.Case{}
			states[e.Stream] = c
		}
		touched = append(touched, e.Stream)
		last[e.Stream] = e.Position
		// The board counts every case not hidden under its status; a new
		// case has none yet.
		var counted string
		if !c.Hidden() {
			counted = string(c.Status)
		}
		c.Apply(ev)
		item := FeedItem{
			Type: "event", Position: e.Position, Stream: e.Stream, Event: casefile.EventName(e.Type),
			CaseID: c.ID, Status: string(c.Status), PreviousStatus: counted, Title: c.PublicTitle(),
			District: c.District, Category: c.Category, Language: c.Language, At: e.RecordedAt,
		}
		if _, moderation := ev.(*casefile.CaseModerated); moderation {
			ed := feedEdit{Stream: e.Stream, Before: e.Position, Hidden: c.Hidden(), Title: c.PublicTitle()}
			feed, edits = ed.editAll(feed), append(edits, ed)
			if c.Hidden() {
				item = FeedItem{Type: item.Type, Position: item.Position, Stream: item.Stream, Event: item.Event,
					CaseID: item.CaseID, Hidden: true, At: item.At}
			}
			feed = append(feed, item)
			continue
		}
		if _, public := casefile.Redact(ev); public && !c.Hidden() {
			feed = append(feed, item)
		}
	}
	return dedupe(touched), last, feed, edits, nil
}

// check decodes every case event of a batch, so that a batch that cannot
// be applied whole is refused before anything is folded.
func check(events []projections.Event) error {
	for _, e := range events {
		if !strings.HasPrefix(e.Stream, casefile.StreamPrefix) {
			continue
		}
		if _, err := casefile.Decode(e.Type, e.Data); err != nil && !errors.Is(err, casefile.ErrUnknownEventType) {
			return fmt.Errorf("decode %s at %d: %w", e.Type, e.Position, err)
		}
	}
	return nil
}

// caseIDs lists the case streams among events.
func caseIDs(events []projections.Event) []string {
	var ids []string
	for _, e := range events {
		if strings.HasPrefix(e.Stream, casefile.StreamPrefix) {
			ids = append(ids, e.Stream)
		}
	}
	return dedupe(ids)
}

// folded is what a batch does to the case list.
type folded struct {
	// ids are the cases touched, in first-touched order, and rows their
	// rows as the batch leaves them.
	ids  []string
	rows []Row
	// tokens holds, by index of ids, the tracking token hash of each case
	// whose report is in the batch (nil for the others): what the list
	// finds a case by when its reporter comes back, kept beside the row
	// and never in it.
	tokens [][]byte
	// last is the position of each case's newest event.
	last map[string]int64
	// feed holds the feed items of the public events, and edits the
	// moderations' edits of earlier feed items.
	feed  []FeedItem
	edits []feedEdit
}

// foldRows turns the stored rows of the cases among events into cases,
// folds the events onto them with the case's own Apply, and turns them
// back into rows. Both implementations fold through the stored form, so
// they cannot drift apart.
func foldRows(events []projections.Event, stored map[string]Row) (folded, error) {
	states := make(map[string]*casefile.Case, len(stored))
	for id, r := range stored {
		c := r.Case()
		states[id] = &c
	}
	ids, last, feed, edits, err := fold(events, states)
	if err != nil {
		return folded{}, err
	}
	out := folded{ids: ids, rows: make([]Row, len(ids)), tokens: make([][]byte, len(ids)), last: last, feed: feed, edits: edits}
	for i, id := range ids {
		out.rows[i] = rowOf(states[id])
		if _, old := stored[id]; !old {
			out.tokens[i] = states[id].TrackingTokenHash
		}
	}
	return out, nil
}

// numberFeed gives the feed items the numbers of their cases, once the
// rows are numbered: a new case's number is given only after the batch is
// folded.
func (f *folded) numberFeed() {
	numbers := make(map[string]string, len(f.ids))
	for i, id := range f.ids {
		numbers[id] = f.rows[i].Number
	}
	for i := range f.feed {
		if !f.feed[i].Hidden {
			f.feed[i].Number = numbers[f.feed[i].Stream]
		}
	}
}

// unnumberedYears returns the years whose counts the rows without a number
// move on, in the order they first appear.
func unnumberedYears(rows []Row, zone *time.Location) []int {
	var years []int
	for i := range rows {
		if r := &rows[i]; r.Number == "" && r.ID != "" {
			if y := casefile.NumberYear(r.CreatedAt, zone); !slices.Contains(years, y) {
				years = append(years, y)
			}
		}
	}
	return years
}

// numberRows gives each row without a number, in order, the next number of
// its report's year in zone; last holds each year's last rank given, and
// moves on. Rows come in first-touched order, and a case is first touched
// by its report, so the numbers follow the reports' order in the log
// however the log is cut into batches: a rebuild gives the same numbers.
func numberRows(rows []Row, zone *time.Location, last map[int]int) {
	for i := range rows {
		r := &rows[i]
		if r.Number != "" || r.ID == "" {
			continue // a row without a report has no year to count in
		}
		y := casefile.NumberYear(r.CreatedAt, zone)
		last[y]++
		r.Number = casefile.FormatNumber(y, last[y])
	}
}

func dedupe(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := xs[:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// searchText is what a search matches: the texts the public reads, so that
// a search never tells whether a case once said something else.
func searchText(r *Row) string {
	c := r.publicCase()
	return strings.ToLower(c.Title + "\n" + c.Description)
}

// originalText is what a staff search matches besides searchText: the
// reporter's own texts, which differ only for a moderated case.
func originalText(r *Row) string {
	return strings.ToLower(r.Title + "\n" + r.Description)
}

// answerCases returns the cases rows record as f's reader reads them.
func answerCases(rows []Row, f Filter) []casefile.Case {
	if f.Staff {
		return cases(rows)
	}
	return publicCases(rows)
}

// cases returns the cases rows record, as staff read them.
func cases(rows []Row) []casefile.Case {
	if rows == nil {
		return nil
	}
	out := make([]casefile.Case, len(rows))
	for i := range rows {
		out[i] = rows[i].Case()
	}
	return out
}

// publicCases returns the cases rows record, as the public reads them.
func publicCases(rows []Row) []casefile.Case {
	if rows == nil {
		return nil
	}
	out := make([]casefile.Case, len(rows))
	for i := range rows {
		out[i] = rows[i].publicCase()
	}
	return out
}
