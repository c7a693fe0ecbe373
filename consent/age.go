package consent

import (
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

// AgeRange reconciles a person's age (promise 5) from the birthdates of all of the
// person's linked accounts: the youngest birthdate wins, as the most protective. Linking
// is what allows this internal use, so no consent is needed. Zero dates are ignored;
// with none left the range is UNKNOWN.
//
// The age is in whole years on today: a birthday not yet reached this year does not
// count, and someone born on 29 February becomes a year older on 1 March in non-leap
// years. A birthdate after today counts as UNDER_13.
func AgeRange(birthdates []profile.Date, today profile.Date) profile.AgeRange {
	youngest, ok := profile.Date{}, false
	for _, d := range birthdates {
		if d.IsZero() {
			continue
		}
		if !ok || dateBefore(youngest, d) {
			youngest, ok = d, true
		}
	}
	if !ok {
		return profile.AgeUnknown
	}
	switch age := ageOn(youngest, today); {
	case age < 13:
		return profile.AgeUnder13
	case age < 16:
		return profile.Age13To15
	case age < 18:
		return profile.Age16To17
	default:
		return profile.AgeAdult
	}
}

// AgeDiscrepancy reports whether the given (non-zero) birthdates differ by more than
// 365 days between the earliest and the latest.
func AgeDiscrepancy(birthdates []profile.Date) bool {
	var lo, hi time.Time
	n := 0
	for _, d := range birthdates {
		if d.IsZero() {
			continue
		}
		t := d.Time()
		if n == 0 || t.Before(lo) {
			lo = t
		}
		if n == 0 || t.After(hi) {
			hi = t
		}
		n++
	}
	return n > 1 && hi.Sub(lo) > 365*24*time.Hour
}

// ageOn returns the age in whole years of someone born on birth, on day.
func ageOn(birth, day profile.Date) int {
	age := day.Year - birth.Year
	if day.Month < birth.Month || (day.Month == birth.Month && day.Day < birth.Day) {
		age--
	}
	return age
}

// dateBefore reports whether a is earlier than b.
func dateBefore(a, b profile.Date) bool {
	if a.Year != b.Year {
		return a.Year < b.Year
	}
	if a.Month != b.Month {
		return a.Month < b.Month
	}
	return a.Day < b.Day
}
