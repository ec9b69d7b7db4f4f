package caselist

import (
	"slices"
	"time"

	"github.com/citizenhouse/bayt/domain/casefile"
)

// Row is a case as the case list keeps it: the state column of case_list
// holds it as JSON, and Memory holds it as it is. Its JSON names are the
// stored format, spelled out so that renaming a field of casefile.Case
// breaks the build here rather than silently emptying what the read model
// stores. Who reported a case and how to prove it are not in the row: the
// list never shows them.
type Row struct {
	ID                string     `json:"id"`
	Title             string     `json:"title"`
	Description       string     `json:"description"`
	Category          string     `json:"category"`
	District          string     `json:"district"`
	Location          *Point     `json:"location"`
	Address           string     `json:"address"`
	Language          string     `json:"language"`
	Status            string     `json:"status"`
	Priority          string     `json:"priority"`
	Department        string     `json:"department"`
	DueAt             *time.Time `json:"due_at"`
	SLABreachedFor    *time.Time `json:"sla_breached_for"`
	Supporters        int        `json:"supporters"`
	CampaignIDs       []string   `json:"campaign_ids"`
	ReopenedCount     int        `json:"reopened_count"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	Version           int64      `json:"version"`
	MergedInto        string     `json:"merged_into"`
	RejectReason      string     `json:"reject_reason"`
	LastPublicNote    string     `json:"last_public_note"`
	ForwardedAt       *time.Time `json:"forwarded_at"`
	AcknowledgedAt    *time.Time `json:"acknowledged_at"`
	ResolvedAt        *time.Time `json:"resolved_at"`
	ResolvedWithinSLA bool       `json:"resolved_within_sla"`
	// Hidden mirrors Moderation.Hidden: the column every public query
	// filters on.
	Hidden     bool        `json:"hidden"`
	Moderation *Moderation `json:"moderation"`
	// Number is the case's public number, given when its report is
	// folded; the number column mirrors it.
	Number string `json:"number"`
	// Photos are the case's photos, hidden ones included; the public
	// reads them through publicCase.
	Photos []Photo `json:"photos,omitempty"`
}

// Photo is one photo of a case, as the row keeps it.
type Photo struct {
	ID         string    `json:"id"`
	Width      int       `json:"width"`
	Height     int       `json:"height"`
	ByReporter bool      `json:"by_reporter,omitempty"`
	Hidden     bool      `json:"hidden,omitempty"`
	AddedAt    time.Time `json:"added_at"`
}

// Moderation is what staff last decided the public sees of a case, as the
// row keeps it: Title and Description stay the reporter's, for the fold and
// for staff, and every public query reads the public texts.
type Moderation struct {
	Hidden            bool      `json:"hidden"`
	PublicTitle       string    `json:"public_title"`
	PublicDescription string    `json:"public_description"`
	Reason            string    `json:"reason"`
	At                time.Time `json:"at"`
}

// Point is a case's location, WGS 84.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// rowOf copies c into a row that shares nothing with it.
func rowOf(c *casefile.Case) Row {
	r := Row{
		ID: c.ID, Title: c.Title, Description: c.Description, Category: c.Category, District: c.District,
		Address: c.Address, Language: c.Language, Status: string(c.Status), Priority: string(c.Priority),
		Department: c.Department, DueAt: clonePtr(c.DueAt), SLABreachedFor: clonePtr(c.SLABreachedFor),
		Supporters: c.Supporters, CampaignIDs: slices.Clone(c.CampaignIDs), ReopenedCount: c.ReopenedCount,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version, MergedInto: c.MergedInto,
		RejectReason: c.RejectReason, LastPublicNote: c.LastPublicNote, ForwardedAt: clonePtr(c.ForwardedAt),
		AcknowledgedAt: clonePtr(c.AcknowledgedAt), ResolvedAt: clonePtr(c.ResolvedAt), ResolvedWithinSLA: c.ResolvedWithinSLA,
	}
	r.Number = c.Number
	if c.Location != nil {
		r.Location = &Point{Lat: c.Location.Lat, Lon: c.Location.Lon}
	}
	if m := c.Moderation; m != nil {
		r.Hidden = m.Hidden
		r.Moderation = &Moderation{Hidden: m.Hidden, PublicTitle: m.PublicTitle, PublicDescription: m.PublicDescription, Reason: m.Reason, At: m.At}
	}
	for _, p := range c.Photos {
		r.Photos = append(r.Photos, Photo{ID: p.ID, Width: p.Width, Height: p.Height, ByReporter: p.ByReporter, Hidden: p.Hidden, AddedAt: p.AddedAt})
	}
	return r
}

// Case returns the case the row records, sharing nothing with the row.
func (r *Row) Case() casefile.Case {
	c := casefile.Case{
		ID: r.ID, Title: r.Title, Description: r.Description, Category: r.Category, District: r.District,
		Address: r.Address, Language: r.Language, Status: casefile.Status(r.Status), Priority: casefile.Priority(r.Priority),
		Department: r.Department, DueAt: clonePtr(r.DueAt), SLABreachedFor: clonePtr(r.SLABreachedFor),
		Supporters: r.Supporters, CampaignIDs: slices.Clone(r.CampaignIDs), ReopenedCount: r.ReopenedCount,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version, MergedInto: r.MergedInto,
		RejectReason: r.RejectReason, LastPublicNote: r.LastPublicNote, ForwardedAt: clonePtr(r.ForwardedAt),
		AcknowledgedAt: clonePtr(r.AcknowledgedAt), ResolvedAt: clonePtr(r.ResolvedAt), ResolvedWithinSLA: r.ResolvedWithinSLA,
	}
	c.Number = r.Number
	if r.Location != nil {
		c.Location = &casefile.Location{Lat: r.Location.Lat, Lon: r.Location.Lon}
	}
	if m := r.Moderation; m != nil {
		c.Moderation = &casefile.Moderation{Hidden: m.Hidden, PublicTitle: m.PublicTitle, PublicDescription: m.PublicDescription, Reason: m.Reason, At: m.At}
	}
	for _, p := range r.Photos {
		c.Photos = append(c.Photos, casefile.Photo{ID: p.ID, Width: p.Width, Height: p.Height, ByReporter: p.ByReporter, Hidden: p.Hidden, AddedAt: p.AddedAt})
	}
	return c
}

// publicCase returns the case as the public reads it: the public texts in
// place of the reporter's and no moderation.
func (r *Row) publicCase() casefile.Case {
	c := r.Case()
	p, _ := c.Public()
	return p
}

// awaitsDepartment reports whether the row's status is one in which the
// SLA clock runs, as the awaiting statuses the SQL filters on.
func (r *Row) awaitsDepartment() bool { return casefile.Status(r.Status).AwaitsDepartment() }

// overdue reports whether the case is overdue at now, comparing at the
// microsecond PostgreSQL keeps, as the SQL does.
func (r *Row) overdue(now time.Time) bool {
	return r.awaitsDepartment() && r.DueAt != nil && r.DueAt.UnixMicro() < now.UnixMicro()
}

// unbreached reports whether the case is overdue at now and its breach of
// the current due date is not on record yet.
func (r *Row) unbreached(now time.Time) bool {
	return r.overdue(now) && (r.SLABreachedFor == nil || r.SLABreachedFor.UnixMicro() != r.DueAt.UnixMicro())
}

func clonePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := *t
	return &v
}
