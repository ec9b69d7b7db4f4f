package main

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/organisation"
)

// demoOrganisation is an organisation of the House's network and the roles
// of the members it registers.
type demoOrganisation struct {
	name   string
	kind   organisation.Kind
	themes []directory.Theme
	dept   string
	lang   string
	roles  []string
	id     string // known once registered
}

// demoOrganisations are the network: associations of the districts, an
// institution that studies the city, and a municipal department that
// joins the campaign about its own network.
func demoOrganisations() []*demoOrganisation {
	return []*demoOrganisation{
		{name: "جمعيّة أولياء التلاميذ بالملاسين", kind: organisation.KindAssociation, lang: "ar",
			themes: []directory.Theme{directory.ThemeCommunity, directory.ThemeSocial}, roles: []string{"رئيسة الجمعيّة", "كاتب عامّ"}},
		{name: "جمعيّة التضامن للتنمية والمواطنة", kind: organisation.KindAssociation, lang: "ar",
			themes: []directory.Theme{directory.ThemeSocial, directory.ThemePolitical}, roles: []string{"رئيس الجمعيّة", "منسّقة المشاريع"}},
		{name: "Association Jeunesse et Citoyenneté", kind: organisation.KindAssociation, lang: "fr",
			themes: []directory.Theme{directory.ThemePolitical, directory.ThemeLegal}, roles: []string{"Présidente", "Trésorier"}},
		{name: "جمعيّة نساء سيدي حسين للتنمية", kind: organisation.KindAssociation, lang: "ar",
			themes: []directory.Theme{directory.ThemeSocial, directory.ThemeEconomic}, roles: []string{"رئيسة الجمعيّة", "أمينة المال"}},
		{name: "مرصد تونس الحضريّ", kind: organisation.KindInstitution, lang: "ar",
			themes: []directory.Theme{directory.ThemeCommunity, directory.ThemeSocial}, roles: []string{"مديرة المرصد", "باحث"}},
		{name: "إدارة التطهير وشبكات المياه ببلديّة تونس", kind: organisation.KindMunicipalDepartment, dept: "sanitation", lang: "ar",
			themes: []directory.Theme{directory.ThemeSocial}, roles: []string{"رئيس مصلحة الشبكات", "مهندسة"}},
	}
}

// organisations plans the network's registration, a year ago, by the
// admin, and its members, added by advocates.
func (d *demoCity) organisations(orgs []*demoOrganisation) []demoOrgAction {
	r := rand.New(rand.NewPCG(d.seed, 1<<40))
	var plan []demoOrgAction
	at := d.office(d.end.Add(-350*day), r)
	for _, o := range orgs {
		cmd := organisation.Register{Actor: d.staff.admin.actor, Name: o.name, Kind: o.kind, Themes: o.themes, DepartmentCode: o.dept}
		plan = append(plan, demoOrgAction{at, cmd.Actor, func(ctx context.Context, s *organisation.Service) (domain.Outcome, error) {
			out, err := s.Register(ctx, cmd, anyVersion)
			o.id = out.Stream
			return out, err
		}})
		for _, role := range o.roles {
			at = d.office(at.Add(dur(r, time.Hour, 2*day)), r)
			by := pick(r, d.staff.advocates).actor
			member, contact := organisation.AddMember{Actor: by, Role: role}, demoPerson(r, o.lang)
			plan = append(plan, demoOrgAction{at, by, func(ctx context.Context, s *organisation.Service) (domain.Outcome, error) {
				return s.AddMember(ctx, o.id, member, contact, anyVersion)
			}})
		}
		at = d.office(at.Add(dur(r, day, 4*day)), r)
	}
	return plan
}

// demoOrgAction is one command on an organisation.
type demoOrgAction struct {
	at    time.Time
	actor domain.Actor
	do    func(ctx context.Context, s *organisation.Service) (domain.Outcome, error)
}

// demoCampaign is one campaign: what it asks, who runs it, which cases it
// takes up, and its script, every command dated.
type demoCampaign struct {
	title, demand string
	theme         directory.Theme
	dept          string
	lead          int   // index of the lead organisation
	partners      []int // and of the partners
	by            demoStaffer
	launch        time.Time
	close         time.Time // zero while active
	categories    []string  // of the cases it takes up
	districts     []string  // where it works, by code
	want          int       // cases to take up
	write         func(s *campaignScript)

	rnd, ids *rand.Rand
	links    []*caseLife
	actions  []demoAction
	id       string // known once launched
}

// demoAction is one command on a campaign.
type demoAction struct {
	at    time.Time
	actor domain.Actor
	do    func(ctx context.Context, s *campaign.Service) (domain.Outcome, error)
}

// demoCampaigns are the year's three campaigns: safe roads around schools
// and clean water in Ettadhamen, both still active, and a youth centre
// open to all, closed two months ago having won part of its demand. Their
// departments are the default directory's, which an edit never removes.
func (d *demoCity) demoCampaigns() []*demoCampaign {
	adv := d.staff.advocates
	cs := []*demoCampaign{
		{
			title:  "طرقات آمنة حول المدارس",
			demand: "تأمين محيط المدارس الابتدائيّة في الملاسين وباب سويقة والمدينة العتيقة: مخفّضات سرعة، وممرّات راجلين مطليّة، وأرصفة سالكة، وإشارات مدرسيّة، قبل العودة المدرسيّة القادمة.",
			theme:  directory.ThemeCommunity, dept: "roads_works", lead: 0, partners: []int{4, 3}, by: adv[0],
			launch: d.end.Add(-270 * day), categories: []string{"roads", "transport", "schools"},
			districts: []string{"el_mellassine", "bab_souika", "medina"}, want: 8, write: (*campaignScript).safeRoads,
		},
		{
			title:  "ماء صالح للشرب في حيّ التضامن",
			demand: "ماء صالح للشرب دون انقطاع لكلّ العائلات في حيّ التضامن، وتعويض القنوات المهترئة، وربط المساكن غير المربوطة بشبكتي الماء والتطهير، وإعلام مسبق بكلّ انقطاع مبرمج.",
			theme:  directory.ThemeSocial, dept: "sanitation", lead: 1, partners: []int{5, 4}, by: adv[2],
			launch: d.end.Add(-210 * day), categories: []string{"water"},
			districts: []string{"ettadhamen", "sidi_hassine"}, want: 8, write: (*campaignScript).cleanWater,
		},
		{
			title:  "دار شباب مفتوحة للجميع",
			demand: "فتح دار الشباب في الأمسيات وفي عطلة نهاية الأسبوع، وتمكين الجمعيّات من قاعاتها وفق إجراءات منشورة وآجال ردّ معلومة، دون رفض غير معلّل.",
			theme:  directory.ThemePolitical, dept: "citizen_relations", lead: 2, partners: []int{3, 0}, by: adv[1],
			launch: d.end.Add(-330 * day), close: d.end.Add(-60 * day), categories: []string{"public_freedoms", "admin_services"},
			districts: []string{"ettadhamen", "el_omrane", "medina"}, want: 6, write: (*campaignScript).youthCentre,
		},
	}
	for k, c := range cs {
		c.rnd = rand.New(rand.NewPCG(d.seed, 1<<41+uint64(k)))
		c.ids = rand.New(rand.NewPCG(d.seed^0x1d5, 1<<41+uint64(k)))
		c.launch = d.office(c.launch, c.rnd)
		if !c.close.IsZero() {
			c.close = d.office(c.close, c.rnd)
		}
	}
	return cs
}

// enlist chooses the cases each campaign takes up: cases of its categories
// reported from four months before its launch, in its districts first and
// the most supported first, each linked a few days after it was reported
// and after the launch, while the campaign is active.
func (d *demoCity) enlist(campaigns []*demoCampaign) {
	for k, c := range campaigns {
		until := d.end
		if !c.close.IsZero() {
			until = c.close
		}
		var candidates []*caseLife
		for _, l := range d.lives {
			if l.campaign < 0 && (l.fate != fateRejected && l.fate != fateDuplicate) && slices.Contains(c.categories, l.final.Code) &&
				!l.at.Before(c.launch.Add(-120*day)) && l.at.Before(until.Add(-3*day)) {
				candidates = append(candidates, l)
			}
		}
		away := func(l *caseLife) int {
			if slices.Contains(c.districts, l.district.Code) {
				return 0
			}
			return 1
		}
		slices.SortStableFunc(candidates, func(a, b *caseLife) int {
			return cmp.Or(cmp.Compare(away(a), away(b)), cmp.Compare(b.supporters, a.supporters), a.at.Compare(b.at))
		})
		for _, l := range candidates[:min(c.want, len(candidates))] {
			from := c.launch.Add(dur(c.rnd, day, 20*day))
			if seen := l.at.Add(dur(c.rnd, day, 5*day)); seen.After(from) {
				from = seen
			}
			at := d.office(from, c.rnd)
			if !at.Before(until) || at.After(d.end) {
				continue
			}
			l.campaign, l.linkAt = k, at
			l.supporters += 3 + c.rnd.IntN(8) // a campaign brings neighbours along
			c.links = append(c.links, l)
		}
	}
}

// script writes a campaign's commands and sorts them by date.
func (d *demoCity) script(c *demoCampaign, orgs []*demoOrganisation) {
	s := &campaignScript{d: d, c: c, r: c.rnd}
	by := c.by.actor
	launch := campaign.Launch{Actor: by, Title: c.title, Demand: c.demand, Theme: c.theme, TargetDepartment: c.dept}
	lead := orgs[c.lead]
	s.add(c.launch, by, func(ctx context.Context, svc *campaign.Service) (domain.Outcome, error) {
		cmd := launch
		cmd.LeadOrganisation = lead.id
		out, err := svc.Launch(ctx, cmd, anyVersion)
		c.id = out.Stream
		return out, err
	})
	for i, p := range c.partners {
		org := orgs[p]
		s.add(d.office(c.launch.Add(time.Duration(2+i*15)*day), c.rnd), by, func(ctx context.Context, svc *campaign.Service) (domain.Outcome, error) {
			return svc.JoinPartner(ctx, c.id, campaign.JoinPartner{Actor: by, OrganisationID: org.id}, anyVersion)
		})
	}
	for _, l := range c.links {
		s.add(l.linkAt, by, func(ctx context.Context, svc *campaign.Service) (domain.Outcome, error) {
			return svc.LinkCase(ctx, c.id, l.id, by, true, anyVersion)
		})
	}
	c.write(s)
	slices.SortStableFunc(c.actions, func(a, b demoAction) int { return a.at.Compare(b.at) })
}

// campaignScript writes a campaign's commands. Dates are days before the
// end of the year; a command the plan puts after it has not happened yet.
type campaignScript struct {
	d *demoCity
	c *demoCampaign
	r *rand.Rand
}

func (s *campaignScript) add(at time.Time, actor domain.Actor, do func(context.Context, *campaign.Service) (domain.Outcome, error)) {
	if at.After(s.d.end) {
		return
	}
	s.c.actions = append(s.c.actions, demoAction{at.Truncate(time.Second), actor, do})
}

// ago is the first office hour days before the end of the year.
func (s *campaignScript) ago(days float64) time.Time {
	return s.d.office(s.d.end.Add(-time.Duration(days*float64(day))), s.r)
}

// activity plans an activity at planned for the day ahead days later at
// hour (in the city), and records it held that evening or the next
// working day, with about people attending, the given shares of women
// and youth, and its minutes.
func (s *campaignScript) activity(planned time.Time, ahead int, hour time.Duration, kind campaign.ActivityKind, title, place string,
	people int, women, youth float64, minutes string) time.Time {
	by := s.c.by.actor
	when := s.d.date(planned.AddDate(0, 0, ahead)).Add(hour)
	var id string
	plan := campaign.PlanActivity{Actor: by, Kind: kind, Title: title, ScheduledFor: when, Place: place}
	s.add(planned, by, func(ctx context.Context, svc *campaign.Service) (domain.Outcome, error) {
		out, err := svc.PlanActivity(ctx, s.c.id, plan, anyVersion)
		id = out.Created
		return out, err
	})
	held := campaign.HoldActivity{Actor: by, Attendance: demoAttendance(s.r, people, women, youth), Minutes: minutes}
	s.add(s.d.office(when.Add(3*time.Hour), s.r), by, func(ctx context.Context, svc *campaign.Service) (domain.Outcome, error) {
		cmd := held
		cmd.ActivityID = id
		return svc.HoldActivity(ctx, s.c.id, cmd, anyVersion)
	})
	return when
}

// commitment records a promise at at, due by due, and settles it at
// settled (zero: still open) as kept or broken, with a note.
func (s *campaignScript) commitment(at time.Time, by domain.Actor, text string, due time.Time, settled time.Time, settler domain.Actor, kept bool, note string) {
	var id string
	record := campaign.RecordCommitment{Actor: by, Text: text, DueBy: s.d.date(due)}
	s.add(at, by, func(ctx context.Context, svc *campaign.Service) (domain.Outcome, error) {
		out, err := svc.RecordCommitment(ctx, s.c.id, record, anyVersion)
		id = out.Created
		return out, err
	})
	if settled.IsZero() {
		return
	}
	s.add(settled, settler, func(ctx context.Context, svc *campaign.Service) (domain.Outcome, error) {
		if kept {
			return svc.FulfilCommitment(ctx, s.c.id, campaign.FulfilCommitment{Actor: settler, CommitmentID: id, Note: note}, anyVersion)
		}
		return svc.BreakCommitment(ctx, s.c.id, campaign.BreakCommitment{Actor: settler, CommitmentID: id, Note: note}, anyVersion)
	})
}

// petition plans about n online signatures between from and until, most with a
// made-up name (each person once), the rest anonymous, some giving their
// district.
func (s *campaignScript) petition(from, until time.Time, n int) {
	var names []string
	for _, lang := range []string{"ar", "fr"} {
		for _, first := range demoFirstNames[lang] {
			for _, family := range demoFamilies[lang] {
				names = append(names, first+" "+family)
			}
		}
	}
	s.r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	// A smaller city signs less: the full count from a thousand cases up.
	n = max(10, int(float64(n)*min(1, float64(len(s.d.lives))/1000)))
	span := until.Sub(from)
	for j := range min(n, len(names)) {
		at := s.d.awake(from.Add(time.Duration(s.r.Float64()*float64(span))), s.r)
		name := names[j]
		if s.r.Float64() < 0.15 {
			name = ""
		}
		cmd := campaign.SignPetition{Actor: domain.Anonymous}
		if s.r.Float64() < 0.5 {
			if dist, ok := s.d.dir.District(pick(s.r, s.c.districts)); ok {
				cmd.District = s.d.typedDistrict(s.r, dist, "ar", false)
			}
		}
		s.add(at, domain.Anonymous, func(ctx context.Context, svc *campaign.Service) (domain.Outcome, error) {
			return svc.SignPetition(ctx, s.c.id, cmd, name, anyVersion)
		})
	}
}

func (s *campaignScript) paper(at time.Time, count int, note string) {
	cmd := campaign.RecordPaperSignatures{Actor: s.c.by.actor, Count: count, Note: note}
	s.add(at, cmd.Actor, func(ctx context.Context, svc *campaign.Service) (domain.Outcome, error) {
		return svc.RecordPaperSignatures(ctx, s.c.id, cmd, anyVersion)
	})
}

func (s *campaignScript) update(at time.Time, body string) {
	cmd := campaign.PublishUpdate{Actor: s.c.by.actor, Body: body}
	s.add(at, cmd.Actor, func(ctx context.Context, svc *campaign.Service) (domain.Outcome, error) {
		return svc.PublishUpdate(ctx, s.c.id, cmd, anyVersion)
	})
}

func (s *campaignScript) officer() domain.Actor { return s.d.staff.officers[s.c.dept].actor }

func (s *campaignScript) safeRoads() {
	c, by := s.c, s.c.by.actor
	s.activity(s.d.office(c.launch.Add(3*day), s.r), 11, 10*time.Hour, campaign.ActivityWorkshop,
		"ورشة مع الأولياء لرسم خريطة النقاط الخطرة حول المدارس", "المدرسة الابتدائيّة بالملاسين", 45, 0.65, 0.2,
		"حدّد الأولياء ثلاثًا وعشرين نقطة خطرة حول خمس مدارس، أخطرها مفترق نهج القدس حيث لا ممرّ ولا إشارة.")
	s.update(s.ago(245), "نشرنا خريطة النقاط الخطرة التي رسمها الأولياء حول خمس مدارس، وأرسلناها إلى إدارة الطرقات والأشغال.")
	meeting := s.activity(s.ago(215), 9, 17*time.Hour+30*time.Minute, campaign.ActivityPublicMeeting,
		"لقاء مفتوح مع إدارة الطرقات والأشغال", "دار الشباب بباب سويقة", 80, 0.5, 0.3,
		"حضر ممثّل إدارة الطرقات واستمع إلى الأولياء، ووعد بعرض المطالب على لجنة الأشغال.")
	hearing := s.activity(s.d.office(meeting.Add(20*day), s.r), 14, 10*time.Hour, campaign.ActivityHearing,
		"جلسة استماع في لجنة الأشغال بالمجلس البلديّ", "قصر البلديّة", 25, 0.55, 0.15,
		"قدّمنا الخريطة وعرائض الأولياء، والتزمت الإدارة بتركيب مخفّضات السرعة وطلاء الممرّات.")
	promised := s.d.office(hearing.Add(2*time.Hour), s.r)
	s.commitment(promised, s.officer(), "تركيب مخفّضات سرعة أمام المدارس الخمس قبل العودة المدرسيّة", hearing.Add(60*day),
		s.d.office(hearing.Add(52*day), s.r), s.officer(), true, "رُكّبت المخفّضات أمام المدارس الخمس.")
	s.commitment(promised.Add(time.Minute), s.officer(), "طلاء ممرّات الراجلين ووضع إشارات مدرسيّة في محيط المدارس", hearing.Add(90*day),
		s.d.office(hearing.Add(97*day), s.r), by, false, "انتهى الأجل دون أيّ أشغال رغم التذكير الكتابيّ.")
	stand := s.activity(s.d.office(hearing.Add(10*day), s.r), 15, 8*time.Hour, campaign.ActivityPetition,
		"حملة توقيعات أمام المدارس", "أمام المدارس الخمس", 60, 0.7, 0.35,
		"جمع الأولياء والتلاميذ الكبار التوقيعات على امتداد أسبوع عند الدخول والخروج.")
	s.paper(s.d.office(stand.Add(8*day), s.r), 240, "أوراق جُمعت أمام المدارس الخمس")
	s.paper(s.ago(40), 85, "أوراق من سوق الملاسين")
	s.petition(c.launch.Add(10*day), s.d.end, 110)
	s.update(s.d.office(hearing.Add(53*day), s.r), "رُكّبت مخفّضات السرعة أمام المدارس الخمس: أوّل التزام يتحقّق. نواصل المطالبة بالممرّات والإشارات.")
	s.update(s.d.office(hearing.Add(98*day), s.r), "لم تُطلَ الممرّات ولم توضع الإشارات في الأجل الذي وعدت به الإدارة. راسلنا رئيس البلديّة ونطلب موعدًا جديدًا.")
	s.commitment(s.ago(30), by, "إصلاح الأرصفة المؤدّية إلى المدارس، كما وُعد في لقاء المتابعة", s.d.end.AddDate(0, 0, 60), time.Time{}, by, false, "")
	s.activity(s.ago(8), 20, 11*time.Hour, campaign.ActivityMedia,
		"ندوة صحفيّة: سنة من أجل طرقات آمنة", "مقرّ بيت المواطن", 30, 0.5, 0.3, "")
}

func (s *campaignScript) cleanWater() {
	c, by := s.c, s.c.by.actor
	s.activity(s.d.office(c.launch.Add(2*day), s.r), 10, 17*time.Hour, campaign.ActivitySeminar,
		"ندوة: الحقّ في الماء في الأحياء الشعبيّة", "دار الثقافة بحيّ التضامن", 70, 0.55, 0.25,
		"قدّم مرصد تونس الحضريّ أرقام الانقطاعات في الحيّ، وشهدت عائلات عن أسابيع دون ماء في الصيف.")
	s.activity(s.d.office(c.launch.Add(14*day), s.r), 11, 9*time.Hour+30*time.Minute, campaign.ActivityWorkshop,
		"ورشة جرد الأعطاب مع المتساكنين", "مقرّ جمعيّة التضامن", 35, 0.6, 0.3,
		"جرد المتساكنون أربعة وستّين عطبًا في سبعة أنهج، وثلاثين مسكنًا غير مربوط بالشبكة.")
	meeting := s.activity(s.d.office(c.launch.Add(45*day), s.r), 14, 17*time.Hour+30*time.Minute, campaign.ActivityPublicMeeting,
		"لقاء مع إدارة التطهير وشبكات المياه", "دار الشباب بحيّ التضامن", 110, 0.55, 0.3,
		"حضر رئيس مصلحة الشبكات وسجّل التزامين أمام المتساكنين.")
	promised := s.d.office(meeting.Add(3*time.Hour), s.r)
	s.commitment(promised, s.officer(), "تعويض القنوات المهترئة في الأنهج الخمسة الأكثر تضرّرًا", meeting.Add(90*day),
		s.d.office(meeting.Add(82*day), s.r), s.officer(), true, "عُوّضت القنوات في الأنهج الخمسة.")
	s.commitment(promised.Add(time.Minute), s.officer(), "ربط أربعين مسكنًا بشبكة الماء الصالح للشرب", meeting.Add(120*day),
		s.d.office(meeting.Add(126*day), s.r), by, false, "لم يُربط أيّ مسكن في الأجل المحدّد.")
	s.paper(s.d.office(c.launch.Add(40*day), s.r), 310, "أوراق جُمعت في السوق الأسبوعيّة وأمام المستوصف")
	s.petition(c.launch.Add(5*day), s.d.end, 140)
	s.update(s.d.office(meeting.Add(2*day), s.r), "التزمت إدارة التطهير علنًا بتعويض القنوات المهترئة وبربط أربعين مسكنًا. سننشر هنا تقدّم كلّ التزام.")
	hearing := s.activity(s.d.office(meeting.Add(60*day), s.r), 12, 10*time.Hour, campaign.ActivityHearing,
		"جلسة متابعة في البلديّة", "قصر البلديّة", 20, 0.5, 0.2,
		"عرضنا جرد الأعطاب المحيّن، ووعدت الإدارة بنشر رزنامة الانقطاعات المبرمجة.")
	s.commitment(s.d.office(hearing.Add(2*time.Hour), s.r), s.officer(), "نشر رزنامة الانقطاعات المبرمجة مسبقًا على صفحة البلديّة",
		s.d.end.AddDate(0, 0, 30), time.Time{}, by, false, "")
	s.update(s.d.office(meeting.Add(83*day), s.r), "عُوّضت القنوات في الأنهج الخمسة، والانقطاعات فيها أقلّ بكثير. الالتزام الأوّل تحقّق.")
	s.update(s.d.office(meeting.Add(127*day), s.r), "انتهى أجل ربط المساكن الأربعين دون ربط أيّ منها. نطلب موعدًا مع رئيس البلديّة.")
	s.activity(s.ago(50), 7, 11*time.Hour, campaign.ActivityMedia,
		"تحقيق مصوّر عن الأحياء المحرومة من الماء", "حيّ التضامن", 15, 0.6, 0.4,
		"صوّر فريق إذاعة محلّيّة شهادات عشر عائلات ما زالت غير مربوطة بالشبكة.")
	s.activity(s.ago(5), 25, 10*time.Hour, campaign.ActivityWorkshop,
		"ورشة تكوين لجان الأحياء لمتابعة الأعطاب", "مقرّ جمعيّة التضامن", 30, 0.5, 0.5, "")
}

func (s *campaignScript) youthCentre() {
	c, by := s.c, s.c.by.actor
	s.activity(s.d.office(c.launch.Add(3*day), s.r), 12, 16*time.Hour, campaign.ActivitySeminar,
		"Séminaire : la liberté de réunion et d'association", "Maison des jeunes d'El Omrane", 55, 0.45, 0.6,
		"Une juriste a présenté le droit de réunion ; les associations ont raconté leurs refus de salle.")
	s.activity(s.d.office(c.launch.Add(30*day), s.r), 10, 10*time.Hour, campaign.ActivityWorkshop,
		"ورشة: كيف نطلب قاعة عموميّة؟", "مقرّ بيت المواطن", 30, 0.5, 0.7,
		"أعدّ المشاركون نموذج مطلب موحّد لحجز القاعات وقائمة بالرفض غير المعلّل.")
	s.activity(s.d.office(c.launch.Add(55*day), s.r), 14, 18*time.Hour, campaign.ActivityPublicMeeting,
		"لقاء مفتوح مع شباب الحيّ في دار الشباب", "دار الشباب بحيّ التضامن", 95, 0.4, 0.8,
		"طالب الشباب بفتح الدار في السبت والأحد وفي الأمسيات.")
	hearing := s.activity(s.d.office(c.launch.Add(115*day), s.r), 14, 10*time.Hour, campaign.ActivityHearing,
		"جلسة مع إدارة العلاقات مع المواطن", "قصر البلديّة", 18, 0.5, 0.5,
		"التزمت الإدارة بفتح دار الشباب في عطلة نهاية الأسبوع وبنشر إجراءات حجز القاعات.")
	promised := s.d.office(hearing.Add(2*time.Hour), s.r)
	s.commitment(promised, s.officer(), "فتح دار الشباب يومي السبت والأحد", hearing.Add(45*day),
		s.d.office(hearing.Add(38*day), s.r), s.officer(), true, "دار الشباب مفتوحة يومي السبت والأحد من التاسعة إلى السادسة.")
	s.commitment(promised.Add(time.Minute), s.officer(), "نشر إجراءات حجز القاعات للجمعيّات وآجال الردّ", hearing.Add(90*day),
		s.d.office(hearing.Add(100*day), s.r), by, false, "Délai dépassé : aucune procédure publiée.")
	s.activity(s.d.office(hearing.Add(40*day), s.r), 10, 19*time.Hour, campaign.ActivityMedia,
		"Émission radio : la maison des jeunes, à qui ?", "Radio associative du quartier", 12, 0.5, 0.7,
		"Deux jeunes et la présidente de l'association ont débattu avec un élu municipal.")
	s.paper(s.d.office(c.launch.Add(100*day), s.r), 130, "Feuilles signées à la maison des jeunes")
	s.petition(c.launch.Add(20*day), c.close.Add(-5*day), 75)
	s.activity(s.d.office(c.close.Add(-40*day), s.r), 7, 11*time.Hour, campaign.ActivityLetter,
		"رسالة مفتوحة إلى رئيس البلديّة مع العريضة", "قصر البلديّة", 25, 0.5, 0.6,
		"سلّمنا العريضة والرسالة إلى مكتب الضبط، وتسلّمنا وصلًا.")
	s.update(s.d.office(hearing.Add(39*day), s.r), "La maison des jeunes ouvre désormais le samedi et le dimanche : un premier engagement tenu.")
	s.update(s.d.office(hearing.Add(101*day), s.r), "Les procédures de réservation des salles n'ont toujours pas été publiées, malgré l'engagement pris.")
	summary := "كسبنا فتح دار الشباب يومي السبت والأحد، ويرتادها اليوم أكثر من مئة شابّ كلّ أسبوع. أمّا إجراءات حجز القاعات فلم تُنشر رغم الوعد، وسنواصل المطالبة بها ضمن شبكة الجمعيّات."
	s.add(c.close, by, func(ctx context.Context, svc *campaign.Service) (domain.Outcome, error) {
		return svc.Close(ctx, c.id, campaign.Close{Actor: by, Outcome: campaign.OutcomePartlyWon, Summary: summary}, anyVersion)
	})
	s.update(s.d.office(c.close.Add(30*day), s.r), "Un mois après la fin de la campagne, la maison des jeunes reste ouverte le week-end ; nous suivons toujours la question des salles.")
}

// demoAttendance draws who came to an activity for about people, with
// the given shares of women and youth; a few are counted in the total
// only, as happens with a sheet filled in a hurry.
func demoAttendance(r *rand.Rand, people int, women, youth float64) campaign.Attendance {
	total := people*8/10 + r.IntN(people*4/10+1)
	w := int(float64(total) * (women + (r.Float64()-0.5)*0.1))
	w = min(max(w, 0), total)
	m := max(total-w-r.IntN(3), 0)
	y := min(max(int(float64(total)*(youth+(r.Float64()-0.5)*0.1)), 0), total)
	return campaign.Attendance{Women: w, Men: m, Youth: y, Total: total}
}
