package postgres

import (
	"strings"
	"time"
	"unicode/utf8"
)

// storableText reports whether PostgreSQL can hold s in a text column: valid UTF-8
// without NUL. Other strings cannot have been stored, so keys made of them are absent
// (rather than an SQLSTATE 22021 error).
func storableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// nullString maps "" to NULL.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// fromNull maps NULL to "".
func fromNull(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// utcPtr returns *t in UTC, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
