package postgres

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// validIDs returns the distinct ids that are canonical UUIDs (lowercase, hyphenated, as
// the store returns them); the others cannot exist and count as absent.
func validIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	seen := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		if _, dup := seen[id]; dup || !validID(id) {
			continue
		}
		seen[id] = struct{}{}
		out = append(out, id)
	}
	return out
}

// validID reports whether id is a canonical UUID.
func validID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.String() == id
}

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
