package profile

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// maskDot is the character that replaces hidden parts of a recovery option.
const maskDot = "•"

// MaskPhone masks an E.164 number so that only its country calling code and last 2
// digits remain, grouped like "+1 ••• ••• •• 42". The calling code is the ITU code the
// number starts with (1 to 3 digits; codes are prefix-free); a number without a known
// code shows only its last 2 digits, and a national number of 2 digits or fewer shows
// none. It never fails.
func MaskPhone(e164 string) string {
	digits := strings.TrimPrefix(e164, "+")
	cc := callingCode(digits)
	rest := len(digits) - len(cc)
	if rest <= 2 {
		// Too short to show anything but the mask.
		return "+" + cc + " " + strings.Repeat(maskDot, rest)
	}
	hidden := rest - 2
	var groups []string
	for hidden > 0 {
		g := 3
		if hidden <= 4 && hidden != 3 {
			g = min(hidden, 2)
		}
		groups = append(groups, strings.Repeat(maskDot, g))
		hidden -= g
	}
	return "+" + cc + " " + strings.Join(groups, " ") + " " + digits[len(digits)-2:]
}

// callingCode returns the ITU country calling code at the start of digits. Codes are
// prefix-free, so the first match among lengths 1..3 is the code.
func callingCode(digits string) string {
	for n := 1; n <= 3 && n <= len(digits); n++ {
		if callingCodes[digits[:n]] {
			return digits[:n]
		}
	}
	return ""
}

// MaskEmail keeps the first character of the local part and the domain:
// "jane@example.com" becomes "j•••@example.com". The number of dots is fixed, so the
// length of the local part stays hidden; a value without a local part is all dots.
func MaskEmail(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return strings.Repeat(maskDot, 3)
	}
	r, _ := utf8.DecodeRuneInString(addr)
	return string(r) + strings.Repeat(maskDot, 3) + addr[at:]
}

// RecoveryOptions lists the masked phone numbers and emails of the linked accounts.
func RecoveryOptions(accs []*Account) []*RecoveryOption {
	out := []*RecoveryOption{}
	for _, a := range accs {
		if a.PhoneNumber != nil && *a.PhoneNumber != "" {
			out = append(out, &RecoveryOption{App: a.App, Kind: RecoveryPhone, Masked: MaskPhone(*a.PhoneNumber)})
		}
		if a.Email != nil && *a.Email != "" {
			out = append(out, &RecoveryOption{App: a.App, Kind: RecoveryEmail, Masked: MaskEmail(*a.Email)})
		}
	}
	return out
}

// CrossPostTargets returns the apps that content posted in from may be cross-posted to
// now: named by a rule from `from` in s, with both accounts still linked, each once, in
// rule order. Nil settings give none.
func CrossPostTargets(s *Settings, linked []*Account, from App) []App {
	out := []App{}
	if s == nil {
		return out
	}
	apps := AppsOf(linked)
	for _, r := range s.CrossPosting {
		if r.From == from && r.Within(apps) && !slices.Contains(out, r.To) {
			out = append(out, r.To)
		}
	}
	return out
}

// callingCodes are the ITU-T E.164 country calling codes.
var callingCodes = func() map[string]bool {
	codes := strings.Fields(`1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55
56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98 211 212 213 216 218 220 221
222 223 224 225 226 227 228 229 230 231 232 233 234 235 236 237 238 239 240 241 242 243 244
245 246 247 248 249 250 251 252 253 254 255 256 257 258 260 261 262 263 264 265 266 267 268
269 290 291 297 298 299 350 351 352 353 354 355 356 357 358 359 370 371 372 373 374 375 376
377 378 379 380 381 382 383 385 386 387 389 420 421 423 500 501 502 503 504 505 506 507 508
509 590 591 592 593 594 595 596 597 598 599 670 672 673 674 675 676 677 678 679 680 681 682
683 685 686 687 688 689 690 691 692 800 808 850 852 853 855 856 870 878 880 881 882 883 886
888 960 961 962 963 964 965 966 967 968 970 971 972 973 974 975 976 977 979 992 993 994 995
996 998`)
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[c] = true
	}
	return m
}()
