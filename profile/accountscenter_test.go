package profile_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/profilegraph/profilegraph/profile"
)

// maskDot is the character MaskPhone and MaskEmail hide characters behind.
const maskDot = "•"

// digitsOf returns the ASCII digits of s, in order.
func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// callingCodes returns every country calling code libphonenumber knows, sorted.
func callingCodes(tb testing.TB) []string {
	tb.Helper()
	var out []string
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		out = append(out, strconv.Itoa(cc))
	}
	slices.Sort(out)
	if len(out) < 200 {
		tb.Fatalf("libphonenumber knows only %d calling codes", len(out))
	}
	return out
}

// checkMaskedPhone asserts that masked, the mask of "+"+cc+national, shows nothing but
// the country calling code and the last 2 digits of the national number (none of them
// when it has 2 digits or fewer), and hides every other digit behind a dot.
func checkMaskedPhone(tb testing.TB, cc, national, masked string) {
	tb.Helper()
	in := "+" + cc + national
	want := cc
	if len(national) > 2 {
		want += national[len(national)-2:]
	}
	got := digitsOf(masked)
	switch {
	case len(got) > len(cc)+2:
		tb.Fatalf("MaskPhone(%q) = %q shows %d digits, more than the %d of the calling code and 2 more", in, masked, len(got), len(cc))
	case got != want:
		tb.Fatalf("MaskPhone(%q) = %q shows digits %q, want %q (calling code %s and the last 2)", in, masked, got, want, cc)
	case !strings.HasPrefix(masked, "+"+cc+" "):
		tb.Fatalf("MaskPhone(%q) = %q does not start with the calling code %q", in, masked, "+"+cc+" ")
	case len(national) > 2 && !strings.HasSuffix(masked, " "+national[len(national)-2:]):
		tb.Fatalf("MaskPhone(%q) = %q does not end with the last 2 digits %q", in, masked, national[len(national)-2:])
	case strings.Count(masked, maskDot) != max(len(national)-2, 0) && len(national) > 2:
		tb.Fatalf("MaskPhone(%q) = %q hides %d digits behind dots, want %d", in, masked, strings.Count(masked, maskDot), len(national)-2)
	}
	for _, r := range masked {
		if r != '+' && r != ' ' && string(r) != maskDot && (r < '0' || r > '9') {
			tb.Fatalf("MaskPhone(%q) = %q contains unexpected %q", in, masked, r)
		}
	}
}

func TestMaskPhoneProperty(t *testing.T) {
	t.Parallel()
	codes := callingCodes(t)

	t.Run("random numbers of every calling code and length keep only the code and last 2 digits", func(t *testing.T) {
		t.Parallel()
		rng := rand.New(rand.NewPCG(20261122, 3))
		n := 0
		for _, cc := range codes {
			// Every national length E.164 allows (at most 15 digits in all), several times.
			for length := 1; len(cc)+length <= 15; length++ {
				for range 3 {
					var b strings.Builder
					for range length {
						b.WriteByte(byte('0' + rng.IntN(10)))
					}
					national := b.String()
					checkMaskedPhone(t, cc, national, profile.MaskPhone("+"+cc+national))
					n++
				}
			}
		}
		if n < 5000 {
			t.Fatalf("generated only %d numbers", n)
		}
	})

	t.Run("example numbers of every region and type keep only the code and last 2 digits", func(t *testing.T) {
		t.Parallel()
		types := []phonenumbers.PhoneNumberType{
			phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
			phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.UAN,
		}
		n := 0
		for region := range phonenumbers.GetSupportedRegions() {
			for _, typ := range types {
				num := phonenumbers.GetExampleNumberForType(region, typ)
				if num == nil {
					continue
				}
				e164 := phonenumbers.Format(num, phonenumbers.E164)
				cc := strconv.Itoa(int(num.GetCountryCode()))
				checkMaskedPhone(t, cc, strings.TrimPrefix(e164, "+"+cc), profile.MaskPhone(e164))
				n++
			}
		}
		for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
			num := phonenumbers.GetExampleNumberForNonGeoEntity(cc)
			if num == nil {
				continue
			}
			e164 := phonenumbers.Format(num, phonenumbers.E164)
			code := strconv.Itoa(cc)
			checkMaskedPhone(t, code, strings.TrimPrefix(e164, "+"+code), profile.MaskPhone(e164))
			n++
		}
		if n < 500 {
			t.Fatalf("checked only %d example numbers", n)
		}
	})

	t.Run("any digits show at most a 3-digit prefix and the last 2", func(t *testing.T) {
		t.Parallel()
		rng := rand.New(rand.NewPCG(7, 11))
		for range 5000 {
			length := 6 + rng.IntN(10)
			var b strings.Builder
			for range length {
				b.WriteByte(byte('0' + rng.IntN(10)))
			}
			digits := b.String()
			masked := profile.MaskPhone("+" + digits)
			got := digitsOf(masked)
			if len(got) > 3+2 || len(got) < 2 {
				t.Fatalf("MaskPhone(+%s) = %q shows %d digits, want 2 to 5", digits, masked, len(got))
			}
			if prefix := got[:len(got)-2]; !strings.HasPrefix(digits, prefix) {
				t.Fatalf("MaskPhone(+%s) = %q shows %q, which does not start the number", digits, masked, prefix)
			}
			if got[len(got)-2:] != digits[length-2:] {
				t.Fatalf("MaskPhone(+%s) = %q: last digits %q, want %q", digits, masked, got[len(got)-2:], digits[length-2:])
			}
		}
	})
}

func TestMaskPhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"US number groups like the schema example", "+16505550142", "+1 ••• ••• •• 42"},
		{"UK mobile", "+447911123456", "+44 ••• ••• •• 56"},
		{"Brazil mobile", "+5511912345678", "+55 ••• ••• ••• 78"},
		{"three-digit calling code", "+35312345678", "+353 ••• ••• 78"},
		{"one-digit code, Russia", "+79123456789", "+7 ••• ••• •• 89"},
		{"short national number", "+2471234", "+247 •• 34"},
		{"national number of 2 digits hides both", "+4412", "+44 ••"},
		{"national number of 1 digit hides it", "+441", "+44 •"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := profile.MaskPhone(tt.in); got != tt.want {
				t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// localRunes are the characters random local parts are drawn from: ASCII, accented
// Latin, Greek, Cyrillic, CJK, Devanagari, emoji and characters special in addresses.
var localRunes = []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-" +
	"éèêëàâäçñøåßüöÉÀÇ" + "αβγδεζηθλμπσω" + "жзийклмнопрсту" + "日本語中文漢字한국어" + "हिन्दी" + "😀🎉👍")

var domains = []string{
	"example.com", "mail.example.org", "xn--bcher-kva.example", "例え.jp", "почта.рф", "a.co", "sub.domain.example.co.uk",
}

func TestMaskEmailProperty(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(42, 4242))
	for i := range 10000 {
		n := 1 + rng.IntN(24)
		local := make([]rune, n)
		for j := range local {
			local[j] = localRunes[rng.IntN(len(localRunes))]
		}
		domain := domains[rng.IntN(len(domains))]
		addr := string(local) + "@" + domain
		masked := profile.MaskEmail(addr)

		at := strings.LastIndexByte(masked, '@')
		if at < 0 {
			t.Fatalf("#%d: MaskEmail(%q) = %q has no domain", i, addr, masked)
		}
		if got := masked[at+1:]; got != domain {
			t.Fatalf("#%d: MaskEmail(%q) = %q keeps domain %q, want %q", i, addr, masked, got, domain)
		}
		shown := strings.ReplaceAll(masked[:at], maskDot, "")
		if utf8.RuneCountInString(shown) != 1 || []rune(shown)[0] != local[0] {
			t.Fatalf("#%d: MaskEmail(%q) = %q shows %q of the local part, want only its first character %q", i, addr, masked, shown, local[0])
		}
		if !strings.HasPrefix(masked[:at], string(local[0])) || strings.Count(masked[:at], maskDot) == 0 {
			t.Fatalf("#%d: MaskEmail(%q) = %q, want %q followed by dots", i, addr, masked, string(local[0]))
		}
		// The number of dots is fixed, so the mask does not reveal the local part's length.
		if got := strings.Count(masked[:at], maskDot); got != 3 {
			t.Fatalf("#%d: MaskEmail(%q) = %q has %d dots, want 3 whatever the length", i, addr, masked, got)
		}
	}
}

func TestMaskEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"schema example", "jane@example.com", "j•••@example.com"},
		{"one-letter local part", "j@example.com", "j•••@example.com"},
		{"unicode first letter", "élodie.martin@example.fr", "é•••@example.fr"},
		{"CJK local part", "日本語@例え.jp", "日•••@例え.jp"},
		{"emoji first character", "😀happy@example.com", "😀•••@example.com"},
		{"quoted local part containing @ keeps the real domain", `"a@b"@example.com`, `"•••@example.com`},
		{"subdomain kept whole", "x.y+tag@mail.example.co.uk", "x•••@mail.example.co.uk"},
		{"no @ reveals nothing", "not-an-address", "•••"},
		{"empty local part reveals nothing", "@example.com", "•••"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := profile.MaskEmail(tt.in); got != tt.want {
				t.Errorf("MaskEmail(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRecoveryOptions(t *testing.T) {
	t.Parallel()
	phone, email := "+16505550142", "jane@example.com"
	empty := ""
	accs := []*profile.Account{
		{App: profile.AppFacebook, PhoneNumber: &phone, Email: &email},
		{App: profile.AppInstagram, Email: &email},
		{App: profile.AppWhatsApp, PhoneNumber: &phone, Email: &empty},
		{App: profile.AppThreads},
	}
	got := profile.RecoveryOptions(accs)
	want := []profile.RecoveryOption{
		{App: profile.AppFacebook, Kind: profile.RecoveryPhone, Masked: "+1 ••• ••• •• 42"},
		{App: profile.AppFacebook, Kind: profile.RecoveryEmail, Masked: "j•••@example.com"},
		{App: profile.AppInstagram, Kind: profile.RecoveryEmail, Masked: "j•••@example.com"},
		{App: profile.AppWhatsApp, Kind: profile.RecoveryPhone, Masked: "+1 ••• ••• •• 42"},
	}
	if len(got) != len(want) {
		t.Fatalf("RecoveryOptions = %d options %v, want %d", len(got), fmtOptions(got), len(want))
	}
	for i := range want {
		if *got[i] != want[i] {
			t.Errorf("option %d = %+v, want %+v", i, *got[i], want[i])
		}
	}
	if got := profile.RecoveryOptions(nil); got == nil || len(got) != 0 {
		t.Errorf("RecoveryOptions(nil) = %v, want an empty non-nil list", got)
	}
}

func fmtOptions(os []*profile.RecoveryOption) string {
	s := make([]string, len(os))
	for i, o := range os {
		s[i] = fmt.Sprintf("%+v", *o)
	}
	return strings.Join(s, ", ")
}

func TestCrossPostTargets(t *testing.T) {
	t.Parallel()
	const (
		fb = profile.AppFacebook
		ig = profile.AppInstagram
		wa = profile.AppWhatsApp
		th = profile.AppThreads
		ms = profile.AppMessenger
	)
	linked := func(apps ...profile.App) []*profile.Account {
		out := make([]*profile.Account, len(apps))
		for i, a := range apps {
			out[i] = &profile.Account{App: a}
		}
		return out
	}
	rules := func(pairs ...profile.App) *profile.Settings {
		s := &profile.Settings{}
		for i := 0; i < len(pairs); i += 2 {
			s.CrossPosting = append(s.CrossPosting, profile.CrossPostRule{From: pairs[i], To: pairs[i+1]})
		}
		return s
	}
	tests := []struct {
		name     string
		settings *profile.Settings
		accs     []*profile.Account
		from     profile.App
		want     []profile.App
	}{
		{"no rules, no targets", rules(), linked(fb, ig), fb, []profile.App{}},
		{"rules from the app, in rule order", rules(ig, th, ig, fb), linked(fb, ig, th), ig, []profile.App{th, fb}},
		{"rules from other apps are ignored", rules(fb, ig, th, ig), linked(fb, ig, th), ig, []profile.App{}},
		{"target no longer linked is dropped", rules(ig, th, ig, fb), linked(fb, ig), ig, []profile.App{fb}},
		{"source no longer linked gives nothing", rules(ig, th, ig, fb), linked(fb, th), ig, []profile.App{}},
		{"duplicate rules give one target", rules(ig, fb, ig, fb), linked(fb, ig), ig, []profile.App{fb}},
		{"no linked accounts gives nothing", rules(wa, ms), linked(), wa, []profile.App{}},
		{"no settings gives nothing", nil, linked(fb, ig), fb, []profile.App{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := profile.CrossPostTargets(tt.settings, tt.accs, tt.from)
			if got == nil || !slices.Equal(got, tt.want) {
				t.Errorf("CrossPostTargets(from %s) = %v, want %v", tt.from, got, tt.want)
			}
		})
	}
}

// TestMaskPhoneNeverShowsLetters guards the mask against input that is not strict
// E.164 (stored values are normalized, but the mask must not echo foreign text).
func TestMaskPhoneNeverShowsLetters(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"+1 650 555 0142", "tel:+16505550142", "+1-650-555-0142 ext. 9"} {
		masked := profile.MaskPhone(in)
		for _, r := range masked {
			if unicode.IsLetter(r) {
				t.Errorf("MaskPhone(%q) = %q echoes letter %q", in, masked, r)
			}
		}
		if got := digitsOf(masked); len(got) > 5 {
			t.Errorf("MaskPhone(%q) = %q shows %d digits, more than 5", in, masked, len(got))
		}
	}
}
