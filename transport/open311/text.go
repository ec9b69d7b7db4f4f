package open311

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/citizenhouse/bayt/domain/casefile"
)

// text is what Open311 answers in words, in one of Bayt's languages.
// Open311 has no language parameter: clients name one with locale
// (the parameter many servers take) or Accept-Language; Arabic, Bayt's
// default, otherwise.
type text struct {
	lang             string
	serviceFmt       string // the department, its days
	notice           string
	districtQuestion string
	districtHelp     string
	// statuses say where a case stands in Bayt's detail, which Open311's
	// open and closed cannot.
	statuses     map[casefile.Status]string
	duplicateFmt string // the request it duplicates
	// noDistrict is the district of a request that named none.
	noDistrict string
}

var textsByLang = map[string]text{
	"ar": {
		lang:             "ar",
		serviceFmt:       "يحيله بيت المواطن إلى %s، ولديها %d يومًا لمعالجته.",
		notice:           "سجّله بيت المواطن. يتحقق منه أحد المناصرين ثم يحيله إلى البلدية.",
		districtQuestion: "في أي حي؟",
		districtHelp:     "أحد أحياء المدينة",
		statuses: map[casefile.Status]string{
			casefile.StatusReported:     "تم التبليغ؛ سيتحقق منه أحد المناصرين.",
			casefile.StatusTriaged:      "تحقق منه أحد المناصرين.",
			casefile.StatusForwarded:    "أُحيل إلى البلدية.",
			casefile.StatusAcknowledged: "أقرّت البلدية بتسلّمه.",
			casefile.StatusInProgress:   "ردّت البلدية؛ الأشغال جارية.",
			casefile.StatusResolved:     "عالجته البلدية؛ يبقى مفتوحًا حتى يُؤكَّد الحل.",
			casefile.StatusClosed:       "مغلق: تم تأكيد الحل.",
			casefile.StatusRejected:     "رفضه بيت المواطن.",
		},
		duplicateFmt: "مكرر للطلب %s.",
		noDistrict:   "غير محدد",
	},
	"fr": {
		lang:             "fr",
		serviceFmt:       "Transmis par la Maison du citoyen à %s, qui a %d jours pour le résoudre.",
		notice:           "Enregistré par la Maison du citoyen. Un plaideur le vérifie, puis le transmet à la municipalité.",
		districtQuestion: "Dans quel quartier ?",
		districtHelp:     "Un des quartiers de la ville",
		statuses: map[casefile.Status]string{
			casefile.StatusReported:     "Signalé ; un plaideur va le vérifier.",
			casefile.StatusTriaged:      "Vérifié par un plaideur.",
			casefile.StatusForwarded:    "Transmis à la municipalité.",
			casefile.StatusAcknowledged: "Pris en compte par la municipalité.",
			casefile.StatusInProgress:   "La municipalité a répondu ; travaux en cours.",
			casefile.StatusResolved:     "Résolu par la municipalité ; reste ouvert jusqu’à ce que la résolution soit confirmée.",
			casefile.StatusClosed:       "Clos : la résolution est confirmée.",
			casefile.StatusRejected:     "Rejeté par la Maison du citoyen.",
		},
		duplicateFmt: "Doublon de la demande %s.",
		noDistrict:   "Non précisé",
	},
	"en": {
		lang:             "en",
		serviceFmt:       "Forwarded by the Citizen's House to %s, which has %d days to resolve it.",
		notice:           "Recorded by the Citizen's House. An advocate checks it, then forwards it to the municipality.",
		districtQuestion: "Which district is it in?",
		districtHelp:     "One of the city's districts",
		statuses: map[casefile.Status]string{
			casefile.StatusReported:     "Reported; an advocate will check it.",
			casefile.StatusTriaged:      "Checked by an advocate.",
			casefile.StatusForwarded:    "Forwarded to the municipality.",
			casefile.StatusAcknowledged: "Acknowledged by the municipality.",
			casefile.StatusInProgress:   "The municipality answered; work in progress.",
			casefile.StatusResolved:     "Resolved by the municipality; open until the resolution is confirmed.",
			casefile.StatusClosed:       "Closed: the resolution is confirmed.",
			casefile.StatusRejected:     "Rejected by the Citizen's House.",
		},
		duplicateFmt: "Duplicate of request %s.",
		noDistrict:   "Not given",
	},
}

func texts(lang string) text { return textsByLang[lang] }

// statusNotes says where a case stands, then its latest public note.
func (t text) statusNotes(c *casefile.Case) string {
	if c.Status == casefile.StatusDuplicate {
		return fmt.Sprintf(t.duplicateFmt, c.MergedInto)
	}
	return join(t.statuses[c.Status], c.LastPublicNote)
}

func (t text) serviceDescription(department string, days int) string {
	return fmt.Sprintf(t.serviceFmt, department, days)
}

// language is the language r asks for: "ar", "fr" or "en".
func language(r *http.Request) string {
	for _, v := range []string{r.FormValue("locale"), r.Header.Get("Accept-Language")} {
		tag := strings.ToLower(strings.TrimSpace(v))
		if len(tag) >= 2 {
			if _, ok := textsByLang[tag[:2]]; ok {
				return tag[:2]
			}
		}
	}
	return "ar"
}
