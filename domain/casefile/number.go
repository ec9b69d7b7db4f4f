package casefile

import (
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// A case's number is its short public name, such as 2026-0142: the year of
// its report in the city's time zone, and its rank among that year's
// reports in the order of the log. Residents read it, say it on the phone
// and type it in a search; the stream id stays the case's identity. The
// case list gives the numbers, from the log alone, so a rebuild gives every
// case the number it had.

// numberDigits is the least number of digits of a year's rank: 0001 to
// 9999, and as many digits as a busier year needs.
const numberDigits = 4

// maxNumberRank bounds the rank a search takes for a number: more digits
// than any year will count are a search for text.
const maxNumberRank = 99_999_999

// FormatNumber returns the number of a year's nth report, n from 1.
func FormatNumber(year, n int) string {
	return fmt.Sprintf("%d-%0*d", year, numberDigits, n)
}

// NumberYear returns the year whose count numbers a case reported at, in
// zone (the city's).
func NumberYear(reported time.Time, zone *time.Location) int {
	return reported.In(zone).Year()
}

// ParseNumber reads a case number as a resident may type it: spaces
// around it, Arabic-Indic or Persian digits, a slash or another dash for
// the hyphen, fewer leading zeros (2026-142). It returns the number as
// FormatNumber writes it, and false when s is not a case number.
func ParseNumber(s string) (string, bool) {
	year, rank, ok := strings.Cut(asciiDigits(strings.TrimSpace(s)), "-")
	if !ok || len(year) != 4 || !allDigits(year) || rank == "" || len(rank) > 9 || !allDigits(rank) {
		return "", false
	}
	y, _ := strconv.Atoi(year)
	n, _ := strconv.Atoi(rank)
	if y < 1000 || n < 1 || n > maxNumberRank {
		return "", false
	}
	return FormatNumber(y, n), true
}

// ParseRank reads a bare rank (142, ٠١٤٢), which a search may take as a
// number of the current year. It returns false for anything else.
func ParseRank(s string) (int, bool) {
	s = asciiDigits(strings.TrimSpace(s))
	if s == "" || len(s) > 9 || !allDigits(s) {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, n >= 1 && n <= maxNumberRank
}

// asciiDigits turns the decimal digits of any script into ASCII ones, and
// the dashes and slashes a number may be typed with into a hyphen.
func asciiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case unicode.IsDigit(r):
			if d := digitValue(r); d >= 0 {
				return '0' + d
			}
			return r
		case r == '/' || r == '‐' || r == '‑' || r == '–' || r == '—' || r == '−' || r == '_':
			return '-'
		}
		return r
	}, s)
}

// digitValue returns the value of a decimal digit of one of the scripts
// residents type in (Arabic-Indic, Persian), or -1.
func digitValue(r rune) rune {
	switch {
	case r >= '٠' && r <= '٩':
		return r - '٠'
	case r >= '۰' && r <= '۹':
		return r - '۰'
	}
	return -1
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// TrackingTokenHash is what a case keeps of its tracking token (see
// Report): what a read model may index to find a case by its token,
// without holding the token itself.
func TrackingTokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
