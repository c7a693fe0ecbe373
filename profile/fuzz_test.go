package profile_test

import (
	"net"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/profilegraph/profilegraph/profile"
)

// The validators' fuzz targets: any input gives a value or a BAD_USER_INPUT error, never
// a panic, and an accepted value keeps its rules (normalizing it again changes nothing).
// Seeds are in testdata/fuzz; `make fuzz` runs each for FUZZTIME.

func wantBadInputOnly(t *testing.T, err error) {
	t.Helper()
	if err != nil && profile.ErrorCode(err) != profile.BadUserInput {
		t.Fatalf("error %v is not BAD_USER_INPUT", err)
	}
}

func FuzzNormalizeDisplayName(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		got, err := profile.NormalizeDisplayName(s)
		wantBadInputOnly(t, err)
		if err != nil {
			return
		}
		if n := utf8.RuneCountInString(got); !utf8.ValidString(got) || n < 1 || n > profile.MaxDisplayNameLen {
			t.Fatalf("accepted %+q: %d characters", got, n)
		}
		if strings.ContainsFunc(got, unicode.IsControl) || strings.ContainsFunc(got, func(r rune) bool { return unicode.Is(unicode.Cf, r) && r != '\u200D' }) {
			t.Fatalf("accepted %+q with a control or format character", got)
		}
		if again, err := profile.NormalizeDisplayName(got); err != nil || again != got {
			t.Fatalf("not idempotent: %+q -> %+q, %v", got, again, err)
		}
	})
}

func FuzzValidateAvatarURL(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		err := profile.ValidateAvatarURL(s)
		wantBadInputOnly(t, err)
		if err != nil {
			return
		}
		u, perr := url.Parse(s)
		if perr != nil || u.Scheme != "https" || u.User != nil || len(s) > profile.MaxAvatarURLLen {
			t.Fatalf("accepted %q", s)
		}
		h := u.Hostname()
		if net.ParseIP(h) != nil || strings.ContainsAny(h, ":@[]") || !strings.Contains(h, ".") {
			t.Fatalf("accepted %q with host %q", s, h)
		}
	})
}

func FuzzNormalizeBio(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		got, err := profile.NormalizeBio(s)
		wantBadInputOnly(t, err)
		if err != nil {
			return
		}
		if again, err := profile.NormalizeBio(got); err != nil || again != got {
			t.Fatalf("not idempotent: %+q -> %+q, %v", got, again, err)
		}
	})
}

func FuzzNormalizePhone(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		got, err := profile.NormalizePhone(s)
		wantBadInputOnly(t, err)
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "+") || len(got) > 16 {
			t.Fatalf("accepted %q as %q", s, got)
		}
		if again, err := profile.NormalizePhone(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q, %v", got, again, err)
		}
	})
}

func FuzzNormalizeEmail(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		got, err := profile.NormalizeEmail(s)
		wantBadInputOnly(t, err)
		if err != nil {
			return
		}
		if len(got) > profile.MaxEmailLen || !strings.Contains(got, "@") {
			t.Fatalf("accepted %q as %q", s, got)
		}
		if again, err := profile.NormalizeEmail(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q, %v", got, again, err)
		}
	})
}

func FuzzValidateUsername(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		err := profile.ValidateUsername(s)
		wantBadInputOnly(t, err)
		if err == nil && (len(s) < 1 || len(s) > 30 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789._") != "") {
			t.Fatalf("accepted %q", s)
		}
	})
}
