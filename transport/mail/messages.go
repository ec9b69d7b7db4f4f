package mail

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"
)

//go:embed messages.json
var messagesJSON []byte

// Languages are the languages mail is written in; the first is the
// default, for a case reported without one.
var Languages = []string{"ar", "fr", "en"}

// kinds are the mails there are, each a subject and a body template.
var kinds = []string{
	"reporter.forwarded", "reporter.answered", "reporter.resolved", "reporter.reopened",
	"department.forwarded",
}

// texts are the parsed templates of every language, by key.
type texts struct {
	templates map[string]*template.Template // "fr:reporter.answered.subject"
	plain     map[string]string             // "fr:unsubscribe.title"
}

// mailData is what a mail's templates read.
type mailData struct {
	Title          string
	Department     string
	CaseURL        string
	UnsubscribeURL string
}

func loadTexts() (*texts, error) {
	var all map[string]map[string]string
	if err := json.Unmarshal(messagesJSON, &all); err != nil {
		return nil, fmt.Errorf("mail messages: %w", err)
	}
	t := &texts{templates: map[string]*template.Template{}, plain: map[string]string{}}
	for _, lang := range Languages {
		msgs := all[lang]
		keys := []string{"footer"}
		for _, k := range kinds {
			keys = append(keys, k+".subject", k+".body")
		}
		for _, k := range keys {
			src, ok := msgs[k]
			if !ok {
				return nil, fmt.Errorf("mail messages: %s has no %s", lang, k)
			}
			tpl, err := template.New(k).Option("missingkey=error").Parse(src)
			if err != nil {
				return nil, fmt.Errorf("mail messages: %s %s: %w", lang, k, err)
			}
			t.templates[lang+":"+k] = tpl
		}
		for _, k := range []string{"unsubscribe.title", "unsubscribe.ask", "unsubscribe.button", "unsubscribe.done"} {
			if msgs[k] == "" {
				return nil, fmt.Errorf("mail messages: %s has no %s", lang, k)
			}
			t.plain[lang+":"+k] = msgs[k]
		}
	}
	return t, nil
}

// render returns the subject and the plain-text body of mail kind in
// lang, the unsubscribe footer included.
func (t *texts) render(lang, kind string, data mailData) (subject, body string, err error) {
	var parts [3]strings.Builder
	for i, k := range []string{kind + ".subject", kind + ".body", "footer"} {
		if err := t.templates[lang+":"+k].Execute(&parts[i], data); err != nil {
			return "", "", fmt.Errorf("render %s %s: %w", lang, k, err)
		}
	}
	// A subject is one line, whatever a title held.
	subject = strings.Join(strings.Fields(parts[0].String()), " ")
	return subject, parts[1].String() + parts[2].String(), nil
}

// language returns lang when mail is written in it, else the default.
func language(lang string) string {
	for _, l := range Languages {
		if l == lang {
			return l
		}
	}
	return Languages[0]
}
