package network

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/projections"
)

// Name is the projection's name in checkpoints and leases.
const Name = "network"

// CampaignFilter selects campaigns; empty fields do not filter.
type CampaignFilter struct {
	Theme        string
	Status       string
	Organisation string
	Cursor       string
	Limit        int
}

// MaxLimit bounds a page.
const MaxLimit = 200

func (f *CampaignFilter) normalise() error {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > MaxLimit {
		return domain.Invalid("limit", fmt.Sprintf("at most %d", MaxLimit))
	}
	if f.Status != "" && !campaign.Status(f.Status).Valid() {
		return domain.Invalid("status", "unknown status")
	}
	return nil
}

// CampaignPage is one page of campaigns, newest first.
type CampaignPage struct {
	Items      []campaign.Campaign
	NextCursor string
}

// FeedItem is a campaign event as the campaigns' live feed shows it.
type FeedItem struct {
	Type       string    `json:"type"`
	Position   int64     `json:"position"`
	Stream     string    `json:"stream"`
	Event      string    `json:"event"`
	CampaignID string    `json:"campaign_id"`
	Status     string    `json:"status"`
	Title      string    `json:"title"`
	Theme      string    `json:"theme"`
	At         time.Time `json:"at"`
}

// Board is the campaigns' live snapshot: the newest campaigns.
type Board struct {
	Position  int64           `json:"position"`
	Campaigns []BoardCampaign `json:"campaigns"`
	ByStatus  map[string]int  `json:"by_status"`
	ByTheme   map[string]int  `json:"by_theme"`
}

// BoardCampaign is a campaign on the board.
type BoardCampaign struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Theme      string `json:"theme"`
	Status     string `json:"status"`
	CasesTotal int    `json:"cases_total"`
	Signatures int    `json:"signatures"`
}

// BoardSize is how many campaigns the board lists.
const BoardSize = 50

// states holds what a batch folds.
type states struct {
	campaigns map[string]*campaign.Campaign
	orgs      map[string]*organisation.Organisation
}

// check decodes every network event of a batch, so that a batch that
// cannot be applied whole is refused before anything is folded.
func check(events []projections.Event) error {
	for _, e := range events {
		var err error
		switch {
		case strings.HasPrefix(e.Stream, campaign.StreamPrefix):
			_, err = campaign.Decode(e.Type, e.Data)
			if errors.Is(err, campaign.ErrUnknownEventType) {
				err = nil
			}
		case strings.HasPrefix(e.Stream, organisation.StreamPrefix):
			_, err = organisation.Decode(e.Type, e.Data)
			if errors.Is(err, organisation.ErrUnknownEventType) {
				err = nil
			}
		}
		if err != nil {
			return fmt.Errorf("decode %s at %d: %w", e.Type, e.Position, err)
		}
	}
	return nil
}

// fold applies the network events among events; it returns the ids
// touched, the position of the last event applied to each (so a row does
// not depend on how the log was cut into batches), and the campaigns' feed
// items.
func fold(events []projections.Event, st states) (camps, orgs []string, last map[string]int64, feed []FeedItem, err error) {
	last = map[string]int64{}
	for _, e := range events {
		switch {
		case strings.HasPrefix(e.Stream, campaign.StreamPrefix):
			ev, err := campaign.Decode(e.Type, e.Data)
			if errors.Is(err, campaign.ErrUnknownEventType) {
				continue
			}
			if err != nil {
				return nil, nil, nil, nil, fmt.Errorf("decode %s at %d: %w", e.Type, e.Position, err)
			}
			c, ok := st.campaigns[e.Stream]
			if !ok {
				c = &campaign.Campaign{}
				st.campaigns[e.Stream] = c
			}
			c.Apply(ev)
			camps = append(camps, e.Stream)
			last[e.Stream] = e.Position
			if _, public := campaign.Redact(ev); public {
				feed = append(feed, FeedItem{Type: "event", Position: e.Position, Stream: e.Stream, Event: campaign.EventName(e.Type),
					CampaignID: c.ID, Status: string(c.Status), Title: c.Title, Theme: string(c.Theme), At: e.RecordedAt})
			}
		case strings.HasPrefix(e.Stream, organisation.StreamPrefix):
			ev, err := organisation.Decode(e.Type, e.Data)
			if errors.Is(err, organisation.ErrUnknownEventType) {
				continue
			}
			if err != nil {
				return nil, nil, nil, nil, fmt.Errorf("decode %s at %d: %w", e.Type, e.Position, err)
			}
			o, ok := st.orgs[e.Stream]
			if !ok {
				o = &organisation.Organisation{}
				st.orgs[e.Stream] = o
			}
			o.Apply(ev)
			orgs = append(orgs, e.Stream)
			last[e.Stream] = e.Position
		}
	}
	return dedupe(camps), dedupe(orgs), last, feed, nil
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

func cursorOf(r *CampaignRow) string {
	return projections.Cursor{CreatedAt: r.CreatedAt, ID: r.ID}.String()
}

// streamIDs lists the campaign and the organisation streams among events.
func streamIDs(events []projections.Event) (camps, orgs []string) {
	for _, e := range events {
		switch {
		case strings.HasPrefix(e.Stream, campaign.StreamPrefix):
			camps = append(camps, e.Stream)
		case strings.HasPrefix(e.Stream, organisation.StreamPrefix):
			orgs = append(orgs, e.Stream)
		}
	}
	return dedupe(camps), dedupe(orgs)
}

// rows are the network's rows, by stream id.
type rows struct {
	campaigns map[string]CampaignRow
	orgs      map[string]OrganisationRow
}

func newRows() rows {
	return rows{campaigns: map[string]CampaignRow{}, orgs: map[string]OrganisationRow{}}
}

// foldRows turns the stored rows of the streams among events into
// aggregates, folds the events onto them with the aggregates' own Apply,
// and turns them back into rows. Both implementations fold through the
// stored form, so they cannot drift apart. It returns the rows touched (by
// stream id, in first-touched order), the position of each one's newest
// event, and the campaigns' feed items.
func foldRows(events []projections.Event, stored rows) (camps, orgs []string, touched rows, last map[string]int64, feed []FeedItem, err error) {
	st := states{campaigns: map[string]*campaign.Campaign{}, orgs: map[string]*organisation.Organisation{}}
	for id, r := range stored.campaigns {
		c := r.Campaign()
		st.campaigns[id] = &c
	}
	for id, r := range stored.orgs {
		o := r.Organisation()
		st.orgs[id] = &o
	}
	camps, orgs, last, feed, err = fold(events, st)
	if err != nil {
		return nil, nil, rows{}, nil, nil, err
	}
	touched = newRows()
	for _, id := range camps {
		touched.campaigns[id] = campaignRowOf(st.campaigns[id])
	}
	for _, id := range orgs {
		touched.orgs[id] = organisationRowOf(st.orgs[id])
	}
	return camps, orgs, touched, last, feed, nil
}

// campaignsOf returns the campaigns rows record.
func campaignsOf(rows []CampaignRow) []campaign.Campaign {
	if rows == nil {
		return nil
	}
	out := make([]campaign.Campaign, len(rows))
	for i := range rows {
		out[i] = rows[i].Campaign()
	}
	return out
}
