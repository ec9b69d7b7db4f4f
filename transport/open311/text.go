package open311

import (
	"fmt"
	"net/http"
	"strings"
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
	resolved         string
	duplicateFmt     string // the request it duplicates
}

var textsByLang = map[string]text{
	"ar": {
		lang:             "ar",
		serviceFmt:       "يحيله بيت المواطن إلى %s، ولديها %d يومًا لمعالجته.",
		notice:           "سجّله بيت المواطن. يتحقق منه أحد المناصرين ثم يحيله إلى البلدية.",
		districtQuestion: "في أي حي؟",
		districtHelp:     "أحد أحياء المدينة",
		resolved:         "عالجته البلدية؛ يبقى مفتوحًا حتى يُؤكَّد الحل.",
		duplicateFmt:     "مكرر للطلب %s.",
	},
	"fr": {
		lang:             "fr",
		serviceFmt:       "Transmis par la Maison du citoyen à %s, qui a %d jours pour le résoudre.",
		notice:           "Enregistré par la Maison du citoyen. Un plaideur le vérifie, puis le transmet à la municipalité.",
		districtQuestion: "Dans quel quartier ?",
		districtHelp:     "Un des quartiers de la ville",
		resolved:         "Résolu par la municipalité ; reste ouvert jusqu’à ce que la résolution soit confirmée.",
		duplicateFmt:     "Doublon de la demande %s.",
	},
	"en": {
		lang:             "en",
		serviceFmt:       "Forwarded by the Citizen's House to %s, which has %d days to resolve it.",
		notice:           "Recorded by the Citizen's House. An advocate checks it, then forwards it to the municipality.",
		districtQuestion: "Which district is it in?",
		districtHelp:     "One of the city's districts",
		resolved:         "Resolved by the municipality; open until the resolution is confirmed.",
		duplicateFmt:     "Duplicate of request %s.",
	},
}

func texts(lang string) text { return textsByLang[lang] }

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
