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
// characters long, when it contains a control character, a bidirectional override or
// isolate (U+202A–U+202E, U+2066–U+2069), or an invisible character (invisibleRune:
// format characters such as zero-width spaces and bidi marks, Hangul fillers, the
// Braille blank, ...), which could make a name display blank or as something else, or
// when it has no visible character at all.
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
	if r, bad := firstInvisibleRune(s); bad {
		return "", Errorf(BadUserInput, "displayName: must not contain the invisible character %U", r)
	}
	if !strings.ContainsFunc(s, isVisible) {
		return "", Errorf(BadUserInput, "displayName: must contain a visible character")
	}
	return s, nil
}

// firstInvisibleRune returns the first invisibleRune of s. A zero-width joiner between
// two symbols and a variation selector after a symbol are allowed: they join and style
// emoji (👨‍👩‍👧, ❤️).
func firstInvisibleRune(s string) (rune, bool) {
	rs := []rune(s)
	for i, r := range rs {
		if !invisibleRune(r) {
			continue
		}
		prevSymbol := i > 0 && (unicode.In(rs[i-1], unicode.So, unicode.Sk) || rs[i-1] == '\uFE0F')
		switch {
		case r == '\u200D' && prevSymbol && i+1 < len(rs) && unicode.Is(unicode.So, rs[i+1]):
		case (r == '\uFE0F' || r == '\uFE0E') && prevSymbol:
		default:
			return r, true
		}
	}
	return 0, false
}

// invisibleRune reports whether r renders as nothing or as blank space while not being
// white space: format characters (Unicode Cf: zero-width space and joiners, bidi marks,
// word joiner, BOM, soft hyphen, tags, ...), the Hangul fillers, the Braille blank, the
// combining grapheme joiner, the Khmer inherent vowels, variation selectors and the
// line and paragraph separators.
func invisibleRune(r rune) bool {
	switch {
	case unicode.Is(unicode.Cf, r):
		return true
	case r == '\u115F', r == '\u1160', r == '\u3164', r == '\uFFA0': // Hangul fillers
		return true
	case r == '\u2800': // Braille pattern blank
		return true
	case r == '\u034F', r == '\u17B4', r == '\u17B5', r == '\u2028', r == '\u2029':
		return true
	case r >= '\uFE00' && r <= '\uFE0F', r >= 0xE0100 && r <= 0xE01EF: // variation selectors
		return true
	}
	return false
}

// isVisible reports whether r draws something: a letter, digit, punctuation or symbol
// that is not invisibleRune.
func isVisible(r rune) bool {
	return !invisibleRune(r) && (unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsPunct(r) || unicode.IsSymbol(r))
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
// at most 2048 bytes, without user information, white space or control characters,
// whose host is a public DNS name (publicHostname): no IP literal in any notation
// (IPv4, IPv6, decimal, hex or octal), no single-label or special-use name, so that a
// client fetching the avatar is not pointed at an internal address.
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
	if u.User != nil || strings.Contains(u.Host, "@") {
		return Errorf(BadUserInput, "avatarUrl: must not contain user information")
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return Errorf(BadUserInput, "avatarUrl: must have a host name")
	}
	if !publicHostname(u.Hostname()) {
		return Errorf(BadUserInput, "avatarUrl: the host must be a public DNS name, not an IP address or a local name")
	}
	return nil
}

// specialUseTLDs are top-level names that never resolve on the public internet.
var specialUseTLDs = map[string]bool{
	"localhost": true, "local": true, "internal": true, "localdomain": true, "invalid": true,
	"lan": true, "home": true, "corp": true, "intranet": true, "arpa": true,
}

// publicHostname reports whether h is a DNS name of at least two labels of ASCII
// letters, digits and hyphens (IDNs in punycode), 1 to 63 bytes each and not starting
// or ending with a hyphen, whose top-level label is not all digits (which rules out
// every IPv4 notation) nor a special-use name. IPv6 literals contain ':' and fail.
func publicHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	labels := strings.Split(strings.ToLower(h), ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	if strings.Trim(tld, "0123456789") == "" || strings.HasPrefix(tld, "0x") || specialUseTLDs[tld] {
		return false
	}
	return true
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
