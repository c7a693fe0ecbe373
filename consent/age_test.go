package consent_test

import (
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/consent"
	"github.com/profilegraph/profilegraph/profile"
)

func date(y int, m time.Month, d int) profile.Date { return profile.Date{Year: y, Month: m, Day: d} }

func TestAgeRange(t *testing.T) {
	today := date(2026, time.March, 15)
	tests := []struct {
		name       string
		birthdates []profile.Date
		today      profile.Date
		want       profile.AgeRange
	}{
		{"no birthdates is unknown", nil, today, profile.AgeUnknown},
		{"only zero dates is unknown", []profile.Date{{}}, today, profile.AgeUnknown},
		{"adult", []profile.Date{date(1980, time.January, 1)}, today, profile.AgeAdult},
		{"18th birthday today is adult", []profile.Date{date(2008, time.March, 15)}, today, profile.AgeAdult},
		{"day before 18th birthday is 17", []profile.Date{date(2008, time.March, 16)}, today, profile.Age16To17},
		{"16th birthday today", []profile.Date{date(2010, time.March, 15)}, today, profile.Age16To17},
		{"day before 16th birthday is 15", []profile.Date{date(2010, time.March, 16)}, today, profile.Age13To15},
		{"13th birthday today", []profile.Date{date(2013, time.March, 15)}, today, profile.Age13To15},
		{"day before 13th birthday is 12", []profile.Date{date(2013, time.March, 16)}, today, profile.AgeUnder13},
		{"birthday later in an earlier month does not count yet", []profile.Date{date(2013, time.December, 1)}, today, profile.AgeUnder13},
		{"born today", []profile.Date{today}, today, profile.AgeUnder13},
		{"born in the future is protected", []profile.Date{date(2030, time.January, 1)}, today, profile.AgeUnder13},
		{"leap-day child is 17 on 28 Feb of a common year", []profile.Date{date(2008, time.February, 29)}, date(2026, time.February, 28), profile.Age16To17},
		{"leap-day child turns 18 on 1 Mar of a common year", []profile.Date{date(2008, time.February, 29)}, date(2026, time.March, 1), profile.AgeAdult},
		{"leap-day child is 15 on 28 Feb of a leap year", []profile.Date{date(2012, time.February, 29)}, date(2028, time.February, 28), profile.Age13To15},
		{"leap-day child turns 16 on 29 Feb of a leap year", []profile.Date{date(2012, time.February, 29)}, date(2028, time.February, 29), profile.Age16To17},
		{"youngest account wins", []profile.Date{date(1980, time.January, 1), date(2014, time.June, 1), date(2009, time.June, 1)}, today, profile.AgeUnder13},
		{"youngest wins whatever the order", []profile.Date{date(2009, time.June, 1), {}, date(1980, time.January, 1)}, today, profile.Age16To17},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := consent.AgeRange(tc.birthdates, tc.today); got != tc.want {
				t.Fatalf("AgeRange(%v, %v) = %s, want %s", tc.birthdates, tc.today, got, tc.want)
			}
		})
	}
}

func TestAgeDiscrepancy(t *testing.T) {
	tests := []struct {
		name       string
		birthdates []profile.Date
		want       bool
	}{
		{"none", nil, false},
		{"one", []profile.Date{date(2000, time.January, 1)}, false},
		{"equal", []profile.Date{date(2000, time.January, 1), date(2000, time.January, 1)}, false},
		{"365 days apart", []profile.Date{date(2001, time.January, 1), date(2002, time.January, 1)}, false},
		{"366 days apart", []profile.Date{date(2001, time.January, 1), date(2002, time.January, 2)}, true},
		{"a leap year's 366 days", []profile.Date{date(2020, time.January, 1), date(2021, time.January, 1)}, true},
		{"365 days across a leap day", []profile.Date{date(2020, time.January, 2), date(2021, time.January, 1)}, false},
		{"spread measured between the extremes", []profile.Date{date(2000, time.June, 1), date(1990, time.January, 1), date(2000, time.January, 1)}, true},
		{"zero dates are ignored", []profile.Date{{}, date(2000, time.January, 1)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := consent.AgeDiscrepancy(tc.birthdates); got != tc.want {
				t.Fatalf("AgeDiscrepancy(%v) = %v, want %v", tc.birthdates, got, tc.want)
			}
		})
	}
}

// TestGrantsOfReconcilesTheFreshAge: the grants of a privacy state carry the age of its
// links' birthdates (the youngest wins), so rule 6 decides on the fresh state alone.
func TestGrantsOfReconcilesTheFreshAge(t *testing.T) {
	today := date(2026, time.March, 15)
	fb, ig := profile.AppFacebook, profile.AppInstagram
	tests := []struct {
		name  string
		st    *profile.PrivacyState
		want  profile.AgeRange
		minor bool
	}{
		{"no state", nil, profile.AgeUnknown, false},
		{"links without birthdates", &profile.PrivacyState{Links: []profile.AccountLink{{App: fb}, {App: ig}}}, profile.AgeUnknown, false},
		{"adult", &profile.PrivacyState{Links: []profile.AccountLink{{App: fb, Birthdate: date(1990, time.May, 1)}}}, profile.AgeAdult, false},
		{"one linked app says 16", &profile.PrivacyState{Links: []profile.AccountLink{
			{App: fb, Birthdate: date(1990, time.May, 1)}, {App: ig, Birthdate: date(2009, time.June, 1)}}}, profile.Age16To17, true},
		{"18 today", &profile.PrivacyState{Links: []profile.AccountLink{{App: ig, Birthdate: date(2008, time.March, 15)}}}, profile.AgeAdult, false},
		{"12", &profile.PrivacyState{Links: []profile.AccountLink{{App: ig, Birthdate: date(2014, time.January, 1)}}}, profile.AgeUnder13, true},
		{"14", &profile.PrivacyState{Links: []profile.AccountLink{{App: ig, Birthdate: date(2012, time.January, 1)}}}, profile.Age13To15, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := consent.GrantsOf(tc.st, today)
			if got := g.Age(); got != tc.want || got.Minor() != tc.minor {
				t.Fatalf("Age() = %s (minor %v), want %s (minor %v)", got, got.Minor(), tc.want, tc.minor)
			}
		})
	}
	if got := (consent.Grants{}).Age(); got != profile.AgeUnknown || got.Minor() {
		t.Fatalf("zero Grants: Age() = %s, want UNKNOWN, not a minor", got)
	}
}
