// Package gqlmodel holds the hand-written Go types and scalar marshalers that gqlgen.yml
// binds GraphQL types to, where the domain types of package profile do not fit as is.
package gqlmodel

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/profilegraph/profilegraph/profile"
)

// MarshalDate writes d as "YYYY-MM-DD".
func MarshalDate(d profile.Date) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(d.String()))
	})
}

// UnmarshalDate reads a "YYYY-MM-DD" string; anything else is a BAD_USER_INPUT error.
func UnmarshalDate(v any) (profile.Date, error) {
	s, ok := v.(string)
	if !ok {
		return profile.Date{}, profile.Errorf(profile.BadUserInput, "Date must be a YYYY-MM-DD string, got %T", v)
	}
	return profile.ParseDate(s)
}

// MarshalDateTime writes t as RFC 3339 in UTC.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339)))
	})
}

// UnmarshalDateTime reads an RFC 3339 string; anything else is a BAD_USER_INPUT error.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, profile.Errorf(profile.BadUserInput, "DateTime must be an RFC 3339 string, got %T", v)
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, profile.Errorf(profile.BadUserInput, "DateTime %q is not RFC 3339", s)
	}
	return t.UTC(), nil
}
