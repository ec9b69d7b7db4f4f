package atom

import (
	"encoding/xml"
	"io"
	"time"
)

// ContentType is the media type of an Atom feed.
const ContentType = "application/atom+xml; charset=utf-8"

// Namespace is Atom's XML namespace.
const Namespace = "http://www.w3.org/2005/Atom"

// Feed is an atom:feed. ID, Title and Updated are required; Author is
// required unless every entry has its own.
type Feed struct {
	XMLName  xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	ID       string   `xml:"id"`
	Title    Text     `xml:"title"`
	Subtitle *Text    `xml:"subtitle,omitempty"`
	Updated  Time     `xml:"updated"`
	Author   *Person  `xml:"author,omitempty"`
	Links    []Link   `xml:"link"`
	Entries  []Entry  `xml:"entry"`
}

// Entry is an atom:entry.
type Entry struct {
	ID         string     `xml:"id"`
	Title      Text       `xml:"title"`
	Updated    Time       `xml:"updated"`
	Published  *Time      `xml:"published,omitempty"`
	Links      []Link     `xml:"link"`
	Categories []Category `xml:"category"`
	Summary    *Text      `xml:"summary,omitempty"`
}

// Text is a text construct; plain text, so a reader shows markup typed by
// a resident as text.
type Text struct {
	Type  string `xml:"type,attr,omitempty"`
	Value string `xml:",chardata"`
}

// Plain returns s as a text construct.
func Plain(s string) Text { return Text{Type: "text", Value: s} }

// Person is an atom:author.
type Person struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

// Link is an atom:link.
type Link struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

// Category is an atom:category.
type Category struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
	Label  string `xml:"label,attr,omitempty"`
}

// Time is an RFC 3339 date construct, in UTC.
type Time time.Time

// MarshalText writes t as RFC 3339.
func (t Time) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format(time.RFC3339)), nil
}

// UnmarshalText reads t from RFC 3339.
func (t *Time) UnmarshalText(b []byte) error {
	v, err := time.Parse(time.RFC3339, string(b))
	*t = Time(v)
	return err
}

// Write writes f to w as an XML document.
func Write(w io.Writer, f *Feed) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	if err := enc.Encode(f); err != nil {
		return err
	}
	return enc.Close()
}
