package profile

import (
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"
)

// Input limits of SPEC §7.
const (
	MaxDisplayNameLen = 64   // characters (runes), after NFC and trimming
	MaxBioLen         = 300  // characters (runes), after NFC
	MaxAvatarURLLen   = 2048 // bytes
	MaxEmailLen       = 254  // bytes
)

var (
	usernameRE = regexp.MustCompile(`^[a-z0-9._]{1,30}$`)
	// e164RE is the written form of an E.164 number: "+", a country code that does not
	// start with 0, at most 15 digits in all.
	e164RE = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	// minBirthdate is the earliest accepted birthdate.
	minBirthdate = Date{1900, time.January, 1}
)

// NormalizeDisplayName returns s in NFC with surrounding white space trimmed. It returns
// a BAD_USER_INPUT error when s is not valid UTF-8, when the result is not 1 to 64
// characters long, or when it contains a control character or a bidirectional
// override or isolate (U+202A–U+202E, U+2066–U+2069), which could make a name display
// as something else.
func NormalizeDisplayName(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", Errorf(BadUserInput, "displayName: must be valid UTF-8")
	}
	s = strings.TrimSpace(norm.NFC.String(s))
	if s == "" {
		return "", Errorf(BadUserInput, "displayName: must not be empty")
	}
	if n := utf8.RuneCountInString(s); n > MaxDisplayNameLen {
		return "", Errorf(BadUserInput, "displayName: must be at most %d characters, got %d", MaxDisplayNameLen, n)
	}
	if r, bad := firstForbiddenRune(s, false); bad {
		return "", Errorf(BadUserInput, "displayName: must not contain the control or bidirectional character %U", r)
	}
	return s, nil
}

// ValidateUsername returns a BAD_USER_INPUT error unless s is 1 to 30 characters of
// a–z, 0–9, "." and "_".
func ValidateUsername(s string) error {
	if !usernameRE.MatchString(s) {
		return Errorf(BadUserInput, "username: must be 1 to 30 characters of a-z, 0-9, '.' and '_'")
	}
	return nil
}

// NormalizeBio returns s in NFC, with CRLF line breaks turned into LF. An empty bio is
// allowed (it clears the bio). It returns a BAD_USER_INPUT error when s is not valid
// UTF-8, is longer than 300 characters, or contains a control character other than a
// line feed, or a bidirectional override or isolate (as NormalizeDisplayName).
func NormalizeBio(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", Errorf(BadUserInput, "bio: must be valid UTF-8")
	}
	s = norm.NFC.String(strings.ReplaceAll(s, "\r\n", "\n"))
	if n := utf8.RuneCountInString(s); n > MaxBioLen {
		return "", Errorf(BadUserInput, "bio: must be at most %d characters, got %d", MaxBioLen, n)
	}
	if r, bad := firstForbiddenRune(s, true); bad {
		return "", Errorf(BadUserInput, "bio: must not contain the control or bidirectional character %U", r)
	}
	return s, nil
}

// firstForbiddenRune returns the first control character (Unicode Cc; a line feed is
// allowed when allowNewline) or bidirectional override/isolate in s.
func firstForbiddenRune(s string, allowNewline bool) (rune, bool) {
	for _, r := range s {
		switch {
		case r == '\n' && allowNewline:
		case unicode.IsControl(r), isBidiControl(r):
			return r, true
		}
	}
	return 0, false
}

// isBidiControl reports whether r is a bidirectional embedding, override or isolate:
// U+202A–U+202E (LRE, RLE, PDF, LRO, RLO) or U+2066–U+2069 (LRI, RLI, FSI, PDI).
func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// ValidateAvatarURL returns a BAD_USER_INPUT error unless s is an absolute https URL of
// at most 2048 bytes with a host name, without user information, white space or control
// characters.
func ValidateAvatarURL(s string) error {
	if len(s) > MaxAvatarURLLen {
		return Errorf(BadUserInput, "avatarUrl: must be at most %d bytes, got %d", MaxAvatarURLLen, len(s))
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return Errorf(BadUserInput, "avatarUrl: must not contain white space or control characters")
	}
	u, err := url.Parse(s)
	if err != nil {
		return Errorf(BadUserInput, "avatarUrl: not a valid URL")
	}
	if u.Scheme != "https" {
		return Errorf(BadUserInput, "avatarUrl: must be an https URL")
	}
	if u.User != nil {
		return Errorf(BadUserInput, "avatarUrl: must not contain user information")
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return Errorf(BadUserInput, "avatarUrl: must have a host name")
	}
	return nil
}

// NormalizePhone returns the phone number s in E.164 form. Surrounding white space is
// trimmed; otherwise s must already be written in E.164 ("+" and 2 to 15 digits, no
// spaces or punctuation) and be a valid number according to libphonenumber. Any failure
// is a BAD_USER_INPUT error.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !e164RE.MatchString(s) {
		return "", Errorf(BadUserInput, "phoneNumber: must be in E.164 format, such as +16502530000")
	}
	num, err := phonenumbers.Parse(s, "")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", Errorf(BadUserInput, "phoneNumber: %s is not a valid phone number", s)
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// NormalizeEmail returns the e-mail address s, trimmed, with its domain in lower case.
// It returns a BAD_USER_INPUT error unless s is a bare address (no display name, no
// angle brackets, no comments) that net/mail accepts, of at most 254 bytes.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Errorf(BadUserInput, "email: must not be empty")
	}
	if len(s) > MaxEmailLen {
		return "", Errorf(BadUserInput, "email: must be at most %d bytes, got %d", MaxEmailLen, len(s))
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return "", Errorf(BadUserInput, "email: not a valid e-mail address")
	}
	if addr.Name != "" || addr.Address != s {
		return "", Errorf(BadUserInput, "email: must be a bare address such as name@example.com")
	}
	at := strings.LastIndexByte(s, '@')
	return s[:at] + "@" + strings.ToLower(s[at+1:]), nil
}

// ValidateBirthdate returns a BAD_USER_INPUT error unless d is a real calendar date
// between 1900-01-01 and today, both included.
func ValidateBirthdate(d Date, today Date) error {
	if d.Month < time.January || d.Month > time.December || DateOf(d.Time()) != d {
		return Errorf(BadUserInput, "birthdate: %s is not a calendar date", d)
	}
	if dateLess(d, minBirthdate) {
		return Errorf(BadUserInput, "birthdate: must not be before %s", minBirthdate)
	}
	if dateLess(today, d) {
		return Errorf(BadUserInput, "birthdate: must not be in the future")
	}
	return nil
}

// dateLess reports whether a is before b.
func dateLess(a, b Date) bool {
	if a.Year != b.Year {
		return a.Year < b.Year
	}
	if a.Month != b.Month {
		return a.Month < b.Month
	}
	return a.Day < b.Day
}
