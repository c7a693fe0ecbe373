package profile_test

import (
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// Class 8 of issue 9: display names that show as blank or as something else, and
// avatar URLs that point a fetcher at an internal address.
func TestNormalizeDisplayNameRefusesInvisibleCharacters(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"a zero-width space alone", "\u200B"},
		{"zero-width spaces around a name", "\u200BAda\u200B"},
		{"a zero-width non-joiner inside", "A\u200Cda"},
		{"a word joiner", "Ada\u2060"},
		{"a byte order mark", "\uFEFFAda"},
		{"a left-to-right mark", "Ada\u200E"},
		{"a right-to-left mark", "\u200FAda"},
		{"an Arabic letter mark", "Ada\u061C"},
		{"a soft hyphen", "A\u00ADda"},
		{"a Mongolian vowel separator", "Ada\u180E"},
		{"a Hangul filler", "\u3164"},
		{"a Hangul choseong filler", "\u115F"},
		{"a Hangul jungseong filler", "\u1160"},
		{"a halfwidth Hangul filler", "\uFFA0"},
		{"a Braille blank", "\u2800"},
		{"Braille blanks around a name", "\u2800Ada\u2800"},
		{"a combining grapheme joiner", "A\u034Fda"},
		{"a tag character", "Ada\U000E0041"},
		{"a lone variation selector", "\uFE0F"},
		{"a line separator inside", "Ada\u2028Lovelace"},
		{"only combining marks", "\u0301\u0301"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := profile.NormalizeDisplayName(tc.in)
			if profile.ErrorCode(err) != profile.BadUserInput {
				t.Fatalf("NormalizeDisplayName(%+q) = %+q, %v; want BAD_USER_INPUT", tc.in, got, err)
			}
		})
	}
	for _, ok := range []string{"Ada", "Zoë", "김민준", "Ada ❤️", "👨‍👩‍👧", "Ada 👩🏽‍💻", "محمد", "O'Brien-Smith"} {
		t.Run("accepts "+ok, func(t *testing.T) {
			if _, err := profile.NormalizeDisplayName(ok); err != nil {
				t.Fatalf("NormalizeDisplayName(%+q) = %v", ok, err)
			}
		})
	}
}

func TestValidateAvatarURLRefusesHostsThatAreNotPublicNames(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"IPv4 loopback", "https://127.0.0.1/a.png"},
		{"IPv4 private", "https://10.0.0.8/a.png"},
		{"IPv4 metadata address", "https://169.254.169.254/latest/meta-data"},
		{"IPv4 with port", "https://192.168.1.1:8443/a.png"},
		{"IPv6 loopback", "https://[::1]/a.png"},
		{"IPv6 documentation", "https://[2001:db8::1]/a.png"},
		{"IPv4-mapped IPv6", "https://[::ffff:127.0.0.1]/a.png"},
		{"decimal IPv4", "https://2130706433/a.png"},
		{"hex IPv4", "https://0x7f000001/a.png"},
		{"octal IPv4", "https://0177.0.0.1/a.png"},
		{"short IPv4", "https://127.1/a.png"},
		{"dotted hex IPv4", "https://0x7f.0x0.0x0.0x1/a.png"},
		{"single label", "https://intranet/a.png"},
		{"localhost", "https://localhost/a.png"},
		{"a localhost subdomain", "https://cdn.localhost/a.png"},
		{"a .local name", "https://printer.local/a.png"},
		{"a .internal name", "https://metadata.google.internal/a.png"},
		{"an empty label", "https://cdn..example.com/a.png"},
		{"a trailing dot", "https://cdn.example.com./a.png"},
		{"non-ASCII host", "https://bücher.example/a.png"},
		{"userinfo without password", "https://x@cdn.example.com/a.png"},
		{"encoded userinfo", "https://a%40b@cdn.example.com/a.png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := profile.ValidateAvatarURL(tc.in); profile.ErrorCode(err) != profile.BadUserInput {
				t.Fatalf("ValidateAvatarURL(%q) = %v, want BAD_USER_INPUT", tc.in, err)
			}
		})
	}
	for _, ok := range []string{"https://cdn.example.com/a.png", "https://xn--bcher-kva.example/a.png", "https://scontent-1.cdninstagram.com:443/v/a.jpg"} {
		t.Run("accepts "+ok, func(t *testing.T) {
			if err := profile.ValidateAvatarURL(ok); err != nil {
				t.Fatalf("ValidateAvatarURL(%q) = %v", ok, err)
			}
		})
	}
}
