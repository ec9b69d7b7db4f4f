package api

import (
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
)

// caseView is a case as the API contract shows it.
type caseView struct {
	ID string `json:"id"`
	// Number is the short public number, null until the case list has
	// folded the report (a moment after it).
	Number         *string              `json:"number"`
	Title          string               `json:"title"`
	Description    string               `json:"description"`
	Category       string               `json:"category"`
	District       string               `json:"district"`
	Location       *casefile.Location   `json:"location"`
	Address        string               `json:"address"`
	Status         casefile.Status      `json:"status"`
	Department     *string              `json:"department"`
	DueAt          *time.Time           `json:"due_at"`
	Overdue        bool                 `json:"overdue"`
	Priority       casefile.Priority    `json:"priority"`
	Supporters     int                  `json:"supporters"`
	CampaignIDs    []string             `json:"campaign_ids"`
	Photos         []photoView          `json:"photos"`
	ReopenedCount  int                  `json:"reopened_count"`
	MergedInto     string               `json:"merged_into,omitempty"`
	RejectReason   string               `json:"reject_reason,omitempty"`
	PublicNote     string               `json:"last_public_note,omitempty"`
	Language       string               `json:"language,omitempty"`
	CreatedAt      time.Time            `json:"created_at"`
	UpdatedAt      time.Time            `json:"updated_at"`
	Version        int64                `json:"version"`
	Reporter       *domain.PersonalData `json:"reporter,omitempty"`
	ReporterErased bool                 `json:"reporter_erased,omitempty"`
	Moderation     *moderationView      `json:"moderation,omitempty"`
	// Channel is how the report came in (web, desk, phone, open311), for
	// staff only.
	Channel casefile.Channel `json:"channel,omitempty"`
}

// moderationView is what staff last decided the public sees of a case; for
// staff only, beside the original texts.
type moderationView struct {
	Hidden            bool      `json:"hidden"`
	PublicTitle       string    `json:"public_title"`
	PublicDescription string    `json:"public_description"`
	Reason            string    `json:"reason"`
	ModeratedAt       time.Time `json:"moderated_at"`
}

func newModerationView(m *casefile.Moderation) *moderationView {
	if m == nil {
		return nil
	}
	return &moderationView{Hidden: m.Hidden, PublicTitle: m.PublicTitle, PublicDescription: m.PublicDescription,
		Reason: m.Reason, ModeratedAt: m.At}
}

func newCaseView(c *casefile.Case, now time.Time) caseView {
	v := caseView{
		ID: c.ID, Title: c.Title, Description: c.Description, Category: c.Category, District: c.District,
		Location: c.Location, Address: c.Address, Status: c.Status, DueAt: c.DueAt, Overdue: c.Overdue(now),
		Priority: c.Priority, Supporters: c.Supporters, CampaignIDs: c.CampaignIDs, ReopenedCount: c.ReopenedCount,
		MergedInto: c.MergedInto, RejectReason: c.RejectReason, PublicNote: c.LastPublicNote, Language: c.Language,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version, Photos: newPhotoViews(c.Photos),
	}
	if c.Department != "" {
		d := c.Department
		v.Department = &d
	}
	if c.Number != "" {
		n := c.Number
		v.Number = &n
	}
	if v.CampaignIDs == nil {
		v.CampaignIDs = []string{}
	}
	return v
}
