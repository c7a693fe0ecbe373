package profile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

// assertBadInput fails unless err is a BAD_USER_INPUT *profile.Error naming field.
func assertBadInput(tb testing.TB, err error, field string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("got no error, want BAD_USER_INPUT for %s", field)
	}
	if code := profile.ErrorCode(err); code != profile.BadUserInput {
		tb.Fatalf("got code %s (%v), want BAD_USER_INPUT", code, err)
	}
	if msg := profile.ErrorMessage(err); !strings.HasPrefix(msg, field+": ") {
		tb.Fatalf("message %q does not start with %q", msg, field+": ")
	}
}

func TestNormalizeDisplayName(t *testing.T) {
	good := []struct {
		name, in, want string
	}{
		{"plain", "Ada Lovelace", "Ada Lovelace"},
		{"trims surrounding space", "  Ada \t\n", "Ada"},
		{"one character", "A", "A"},
		{"emoji", "Ada 👩🏽‍💻", "Ada 👩🏽‍💻"},
		{"non-Latin script", "محمد", "محمد"},
		{"NFC folds combining accent", "Jose\u0301", "José"},
		{"64 characters", strings.Repeat("a", 64), strings.Repeat("a", 64)},
		{"64 characters after NFC folding", strings.Repeat("e\u0301", 64), strings.Repeat("é", 64)},
		{"64 multi-byte characters", strings.Repeat("ж", 64), strings.Repeat("ж", 64)},
	}
	for _, tc := range good {
		t.Run("accepts "+tc.name, func(t *testing.T) {
			got, err := profile.NormalizeDisplayName(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("NormalizeDisplayName(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	bad := []struct{ name, in string }{
		{"empty", ""},
		{"only spaces", "   \t "},
		{"65 characters", strings.Repeat("a", 65)},
		{"65 characters after trimming", " " + strings.Repeat("ж", 65) + " "},
		{"NUL", "Ada\x00Lovelace"},
		{"escape", "Ada\x1b[31m"},
		{"inner newline", "Ada\nLovelace"},
		{"DEL", "Ada\x7f"},
		{"C1 control", "Ada\u0085x"},
		{"right-to-left override", "Ada\u202Egpj.exe"},
		{"left-to-right embedding", "\u202AAda"},
		{"first strong isolate", "Ada\u2068x\u2069"},
		{"invalid UTF-8", "Ada\xff"},
	}
	for _, tc := range bad {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			_, err := profile.NormalizeDisplayName(tc.in)
			assertBadInput(t, err, "displayName")
		})
	}
}

func TestValidateUsername(t *testing.T) {
	for _, s := range []string{"a", "ada", "ada.lovelace", "ada_1815", "._.", "0", strings.Repeat("z", 30)} {
		t.Run("accepts "+s, func(t *testing.T) {
			if err := profile.ValidateUsername(s); err != nil {
				t.Fatalf("ValidateUsername(%q) = %v", s, err)
			}
		})
	}
	for _, s := range []string{"", "Ada", "ada lovelace", "ada-lovelace", "ada@x", "adá", strings.Repeat("z", 31), "ada\n", " ada", "ada\x00"} {
		t.Run("rejects "+s, func(t *testing.T) {
			assertBadInput(t, profile.ValidateUsername(s), "username")
		})
	}
}

func TestNormalizeBio(t *testing.T) {
	good := []struct{ name, in, want string }{
		{"empty clears", "", ""},
		{"text", "Mathematician.", "Mathematician."},
		{"newlines", "line one\nline two", "line one\nline two"},
		{"CRLF becomes LF", "one\r\ntwo", "one\ntwo"},
		{"emoji", "🧮 & ⚙️", "🧮 & ⚙️"},
		{"NFC", "cafe\u0301", "café"},
		{"300 characters", strings.Repeat("ж", 300), strings.Repeat("ж", 300)},
		{"300 characters after NFC", strings.Repeat("e\u0301", 300), strings.Repeat("é", 300)},
	}
	for _, tc := range good {
		t.Run("accepts "+tc.name, func(t *testing.T) {
			got, err := profile.NormalizeBio(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("NormalizeBio(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	bad := []struct{ name, in string }{
		{"301 characters", strings.Repeat("a", 301)},
		{"tab", "a\tb"},
		{"lone carriage return", "a\rb"},
		{"NUL", "a\x00"},
		{"right-to-left override", "a\u202Eb"},
		{"invalid UTF-8", "\xc3"},
	}
	for _, tc := range bad {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			_, err := profile.NormalizeBio(tc.in)
			assertBadInput(t, err, "bio")
		})
	}
}

func TestValidateAvatarURL(t *testing.T) {
	long := "https://cdn.example.com/" + strings.Repeat("a", 2048-len("https://cdn.example.com/"))
	for _, s := range []string{
		"https://cdn.example.com/a.png",
		"https://cdn.example.com",
		"HTTPS://cdn.example.com/a.png?size=64#x",
		"https://cdn.example.com:8443/a%20b.png",
		long,
	} {
		t.Run("accepts "+s[:min(len(s), 60)], func(t *testing.T) {
			if err := profile.ValidateAvatarURL(s); err != nil {
				t.Fatalf("ValidateAvatarURL(%q) = %v", s, err)
			}
		})
	}
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"http", "http://cdn.example.com/a.png"},
		{"javascript", "javascript:alert(1)"},
		{"data", "data:image/png;base64,AAAA"},
		{"relative", "/a.png"},
		{"scheme-relative", "//cdn.example.com/a.png"},
		{"opaque https", "https:cdn.example.com"},
		{"no host", "https:///a.png"},
		{"port only", "https://:443/a.png"},
		{"userinfo", "https://user:pass@cdn.example.com/a.png"},
		{"user only", "https://user@cdn.example.com/a.png"},
		{"space", "https://cdn.example.com/a b.png"},
		{"newline", "https://cdn.example.com/a.png\n"},
		{"malformed", "https://cdn.example.com:port/"},
		{"2049 bytes", long + "a"},
	} {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			assertBadInput(t, profile.ValidateAvatarURL(tc.in), "avatarUrl")
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	good := []struct{ in, want string }{
		{"+16502530000", "+16502530000"},
		{"+447911123456", "+447911123456"},
		{"+33612345678", "+33612345678"},
		{"+5511987654321", "+5511987654321"},
		{" +16502530000 ", "+16502530000"},
	}
	for _, tc := range good {
		t.Run("accepts "+tc.in, func(t *testing.T) {
			got, err := profile.NormalizePhone(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("NormalizePhone(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, in string }{
		{"spaces inside", "+1 650 253 0000"},
		{"dashes", "+1-650-253-0000"},
		{"parentheses", "+1 (650) 2530000"},
		{"no plus", "16502530000"},
		{"national format", "(650) 253-0000"},
		{"00 prefix", "0016502530000"},
		{"invalid number", "+10000000000"},
		{"too short", "+1650"},
		{"too long", "+1650253000000000"},
		{"country code 0", "+06502530000"},
		{"letters", "+1650CALLNOW"},
		{"empty", ""},
		{"just plus", "+"},
	} {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			_, err := profile.NormalizePhone(tc.in)
			assertBadInput(t, err, "phoneNumber")
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	good := []struct{ in, want string }{
		{"ada@example.com", "ada@example.com"},
		{"Ada.Lovelace@Example.COM", "Ada.Lovelace@example.com"},
		{"ada+profile@mail.example.co.uk", "ada+profile@mail.example.co.uk"},
		{"  ada@example.com\n", "ada@example.com"},
	}
	for _, tc := range good {
		t.Run("accepts "+tc.in, func(t *testing.T) {
			got, err := profile.NormalizeEmail(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("NormalizeEmail(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	local := strings.Repeat("a", 64)
	longest := local + "@" + strings.Repeat("b", 254-len(local)-len("@.com")) + ".com"
	t.Run("accepts 254 bytes", func(t *testing.T) {
		if got, err := profile.NormalizeEmail(longest); err != nil || got != longest || len(got) != 254 {
			t.Fatalf("NormalizeEmail(254 bytes) = %q, %v", got, err)
		}
	})
	tooLong := "a" + longest
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"no at", "ada.example.com"},
		{"no domain", "ada@"},
		{"no local part", "@example.com"},
		{"display name", "Ada <ada@example.com>"},
		{"angle brackets", "<ada@example.com>"},
		{"two addresses", "ada@example.com, bob@example.com"},
		{"space inside", "ada lovelace@example.com"},
		{"quoted local part", `"ada lovelace"@example.com`},
		{"comment", "ada@example.com (Ada)"},
		{"255 bytes", tooLong},
	} {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			_, err := profile.NormalizeEmail(tc.in)
			assertBadInput(t, err, "email")
		})
	}
}

func TestValidateBirthdate(t *testing.T) {
	today := profile.Date{Year: 2026, Month: time.March, Day: 15}
	d := func(y int, m time.Month, day int) profile.Date { return profile.Date{Year: y, Month: m, Day: day} }
	for _, tc := range []struct {
		name string
		in   profile.Date
	}{
		{"earliest allowed", d(1900, time.January, 1)},
		{"today", today},
		{"leap day", d(2000, time.February, 29)},
		{"ordinary", d(1990, time.May, 4)},
	} {
		t.Run("accepts "+tc.name, func(t *testing.T) {
			if err := profile.ValidateBirthdate(tc.in, today); err != nil {
				t.Fatalf("ValidateBirthdate(%v) = %v", tc.in, err)
			}
		})
	}
	for _, tc := range []struct {
		name string
		in   profile.Date
	}{
		{"before 1900", d(1899, time.December, 31)},
		{"tomorrow", d(2026, time.March, 16)},
		{"next year", d(2027, time.January, 1)},
		{"29 February of a common year", d(2001, time.February, 29)},
		{"31 April", d(2000, time.April, 31)},
		{"month 13", d(2000, 13, 1)},
		{"month 0", d(2000, 0, 1)},
		{"day 0", d(2000, time.January, 0)},
		{"zero date", profile.Date{}},
	} {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			assertBadInput(t, profile.ValidateBirthdate(tc.in, today), "birthdate")
		})
	}
}
