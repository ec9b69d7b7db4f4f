package network

import (
	"slices"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/organisation"
)

// CampaignRow is a campaign as the network read model keeps it: the state
// column of campaign_list holds it as JSON, and Memory holds it as it is.
// Its JSON names are the stored format, spelled out so that renaming a
// field of campaign.Campaign breaks the build here rather than silently
// emptying what the read model stores. Petition signers' keys are not in
// the row: no list shows them.
type CampaignRow struct {
	ID               string                   `json:"id"`
	Title            string                   `json:"title"`
	Demand           string                   `json:"demand"`
	Theme            string                   `json:"theme"`
	TargetDepartment string                   `json:"target_department"`
	LeadOrganisation string                   `json:"lead_organisation"`
	Status           string                   `json:"status"`
	Partners         []string                 `json:"partners"`
	CaseIDs          []string                 `json:"case_ids"`
	Activities       map[string]ActivityRow   `json:"activities"`
	Signatures       int                      `json:"signatures"`
	PaperSignatures  int                      `json:"paper_signatures"`
	Commitments      map[string]CommitmentRow `json:"commitments"`
	Updates          int                      `json:"updates"`
	LastUpdate       *time.Time               `json:"last_update"`
	Outcome          string                   `json:"outcome"`
	Summary          string                   `json:"summary"`
	CreatedAt        time.Time                `json:"created_at"`
	UpdatedAt        time.Time                `json:"updated_at"`
	ClosedAt         *time.Time               `json:"closed_at"`
	Version          int64                    `json:"version"`
}

// ActivityRow is one activity of a campaign row.
type ActivityRow struct {
	Kind         string        `json:"kind"`
	Title        string        `json:"title"`
	ScheduledFor time.Time     `json:"scheduled_for"`
	Place        string        `json:"place"`
	Held         bool          `json:"held"`
	HeldAt       *time.Time    `json:"held_at"`
	Attendance   AttendanceRow `json:"attendance"`
	Minutes      string        `json:"minutes"`
}

// AttendanceRow counts the people at an activity.
type AttendanceRow struct {
	Women int `json:"women"`
	Men   int `json:"men"`
	Youth int `json:"youth"`
	Total int `json:"total"`
}

// CommitmentRow is one commitment of a campaign row.
type CommitmentRow struct {
	Text       string     `json:"text"`
	DueBy      time.Time  `json:"due_by"`
	State      string     `json:"state"`
	RecordedBy string     `json:"recorded_by"`
	RecordedAt time.Time  `json:"recorded_at"`
	SettledAt  *time.Time `json:"settled_at"`
	Note       string     `json:"note"`
}

// campaignRowOf copies c into a row that shares nothing with it.
func campaignRowOf(c *campaign.Campaign) CampaignRow {
	r := CampaignRow{
		ID: c.ID, Title: c.Title, Demand: c.Demand, Theme: string(c.Theme), TargetDepartment: c.TargetDepartment,
		LeadOrganisation: c.LeadOrganisation, Status: string(c.Status), Partners: slices.Clone(c.Partners),
		CaseIDs: slices.Clone(c.CaseIDs), Signatures: c.Signatures, PaperSignatures: c.PaperSignatures, Updates: c.Updates, LastUpdate: clonePtr(c.LastUpdate),
		Outcome: string(c.Outcome), Summary: c.Summary, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		ClosedAt: clonePtr(c.ClosedAt), Version: c.Version,
	}
	if c.Activities != nil {
		r.Activities = make(map[string]ActivityRow, len(c.Activities))
		for id, a := range c.Activities {
			at := a.Attendance
			r.Activities[id] = ActivityRow{
				Kind: string(a.Kind), Title: a.Title, ScheduledFor: a.ScheduledFor, Place: a.Place, Held: a.Held,
				HeldAt: clonePtr(a.HeldAt), Attendance: AttendanceRow{Women: at.Women, Men: at.Men, Youth: at.Youth, Total: at.Total},
				Minutes: a.Minutes,
			}
		}
	}
	if c.Commitments != nil {
		r.Commitments = make(map[string]CommitmentRow, len(c.Commitments))
		for id, k := range c.Commitments {
			r.Commitments[id] = CommitmentRow{
				Text: k.Text, DueBy: k.DueBy, State: string(k.State), RecordedBy: string(k.RecordedBy), RecordedAt: k.RecordedAt,
				SettledAt: clonePtr(k.SettledAt), Note: k.Note,
			}
		}
	}
	return r
}

// Campaign returns the campaign the row records, sharing nothing with the
// row.
func (r *CampaignRow) Campaign() campaign.Campaign {
	c := campaign.Campaign{
		ID: r.ID, Title: r.Title, Demand: r.Demand, Theme: directory.Theme(r.Theme), TargetDepartment: r.TargetDepartment,
		LeadOrganisation: r.LeadOrganisation, Status: campaign.Status(r.Status), Partners: slices.Clone(r.Partners),
		CaseIDs: slices.Clone(r.CaseIDs), Signatures: r.Signatures, PaperSignatures: r.PaperSignatures, Updates: r.Updates, LastUpdate: clonePtr(r.LastUpdate),
		Outcome: campaign.Outcome(r.Outcome), Summary: r.Summary, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		ClosedAt: clonePtr(r.ClosedAt), Version: r.Version,
	}
	if r.Activities != nil {
		c.Activities = make(map[string]*campaign.Activity, len(r.Activities))
		for id, a := range r.Activities {
			c.Activities[id] = &campaign.Activity{
				ID: id, Kind: campaign.ActivityKind(a.Kind), Title: a.Title, ScheduledFor: a.ScheduledFor, Place: a.Place,
				Held: a.Held, HeldAt: clonePtr(a.HeldAt), Minutes: a.Minutes,
				Attendance: campaign.Attendance{Women: a.Attendance.Women, Men: a.Attendance.Men, Youth: a.Attendance.Youth, Total: a.Attendance.Total},
			}
		}
	}
	if r.Commitments != nil {
		c.Commitments = make(map[string]*campaign.Commitment, len(r.Commitments))
		for id, k := range r.Commitments {
			c.Commitments[id] = &campaign.Commitment{
				ID: id, Text: k.Text, DueBy: k.DueBy, State: campaign.CommitmentState(k.State), RecordedBy: domain.Role(k.RecordedBy),
				RecordedAt: k.RecordedAt, SettledAt: clonePtr(k.SettledAt), Note: k.Note,
			}
		}
	}
	return c
}

// organisations lists the lead and the partners, for filtering.
func (r *CampaignRow) organisations() []string {
	out := slices.Clone(r.Partners)
	if r.LeadOrganisation != "" && !slices.Contains(out, r.LeadOrganisation) {
		out = append(out, r.LeadOrganisation)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// OrganisationRow is an organisation as the network read model keeps it,
// in organisation_list's state column and in Memory. Members' vault
// references are not in the row: lists never carry members' contact
// details.
type OrganisationRow struct {
	ID             string      `json:"id"`
	Name           string      `json:"name"`
	Kind           string      `json:"kind"`
	Themes         []string    `json:"themes"`
	DepartmentCode string      `json:"department_code"`
	Members        []MemberRow `json:"members"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
	Version        int64       `json:"version"`
}

// MemberRow is a member of an organisation row.
type MemberRow struct {
	ID      string    `json:"id"`
	Role    string    `json:"role"`
	AddedAt time.Time `json:"added_at"`
}

// organisationRowOf copies o into a row that shares nothing with it.
func organisationRowOf(o *organisation.Organisation) OrganisationRow {
	r := OrganisationRow{ID: o.ID, Name: o.Name, Kind: string(o.Kind), DepartmentCode: o.DepartmentCode,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Version: o.Version}
	for _, t := range o.Themes {
		r.Themes = append(r.Themes, string(t))
	}
	for _, m := range o.Members {
		r.Members = append(r.Members, MemberRow{ID: m.ID, Role: m.Role, AddedAt: m.AddedAt})
	}
	return r
}

// Organisation returns the organisation the row records, sharing nothing
// with the row. Its members carry no vault reference.
func (r *OrganisationRow) Organisation() organisation.Organisation {
	o := organisation.Organisation{ID: r.ID, Name: r.Name, Kind: organisation.Kind(r.Kind), DepartmentCode: r.DepartmentCode,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
	for _, t := range r.Themes {
		o.Themes = append(o.Themes, directory.Theme(t))
	}
	for _, m := range r.Members {
		o.Members = append(o.Members, organisation.Member{ID: m.ID, Role: m.Role, AddedAt: m.AddedAt})
	}
	return o
}

func clonePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := *t
	return &v
}
