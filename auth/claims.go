package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// IssuedAtSkew is how far in the future a token's iat may be (SPEC §7: a token issued
// more than a minute ahead is not valid yet).
const IssuedAtSkew = time.Minute

// claims are the claims of a token read exactly as signed (SPEC §7). golang-jwt reads
// claims with encoding/json, which matches names case-insensitively and lets the last of
// duplicated names win; so Verify reads the raw payload again with readClaims, and
// only these values decide who the caller is.
type claims struct {
	Exp      float64  // required
	Nbf, Iat *float64 // optional
	Sub      string
	App      string
	Scope    string
	Purpose  string
	Iss      string
	Aud      []string
}

var errClaims = errors.New("malformed claims")

// readClaims decodes a token payload: one JSON object whose names are unique (compared
// exactly, as claim names are case-sensitive); exp is required; exp, nbf and iat are
// finite JSON numbers; sub, app, scope, purpose and iss are strings; aud is a string or
// an array of strings. Other claims are ignored. It returns an error wrapping errClaims
// for any other payload.
func readClaims(payload []byte) (claims, error) {
	var c claims
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return c, fmt.Errorf("%w: the payload is not a JSON object", errClaims)
	}
	seen := map[string]bool{}
	haveExp := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return c, fmt.Errorf("%w: %v", errClaims, err)
		}
		name, ok := tok.(string)
		if !ok {
			return c, fmt.Errorf("%w: a claim name is not a string", errClaims)
		}
		if seen[name] {
			return c, fmt.Errorf("%w: the claim %q appears twice", errClaims, name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return c, fmt.Errorf("%w: %v", errClaims, err)
		}
		switch name {
		case "exp":
			if c.Exp, err = numericDate(raw); err != nil {
				return c, err
			}
			haveExp = true
		case "nbf", "iat":
			n, err := numericDate(raw)
			if err != nil {
				return c, err
			}
			if name == "nbf" {
				c.Nbf = &n
			} else {
				c.Iat = &n
			}
		case "sub", "app", "scope", "purpose", "iss":
			var s string
			if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
				return c, fmt.Errorf("%w: the claim %q is not a string", errClaims, name)
			}
			switch name {
			case "sub":
				c.Sub = s
			case "app":
				c.App = s
			case "scope":
				c.Scope = s
			case "purpose":
				c.Purpose = s
			case "iss":
				c.Iss = s
			}
		case "aud":
			if c.Aud, err = audience(raw); err != nil {
				return c, err
			}
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return c, fmt.Errorf("%w: the payload is not a JSON object", errClaims)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return c, fmt.Errorf("%w: data after the payload object", errClaims)
	}
	if !haveExp {
		return c, fmt.Errorf("%w: exp is missing", errClaims)
	}
	return c, nil
}

// numericDate reads a NumericDate (RFC 7519 §2): a finite JSON number.
func numericDate(raw json.RawMessage) (float64, error) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, fmt.Errorf("%w: a time claim is not a number", errClaims)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, fmt.Errorf("%w: a time claim is not a number", errClaims)
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%w: a time claim is out of range", errClaims)
	}
	return f, nil
}

func audience(raw json.RawMessage) ([]string, error) {
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return []string{s}, nil
		}
	}
	if len(raw) > 0 && raw[0] == '[' {
		var ss []string
		if err := json.Unmarshal(raw, &ss); err == nil {
			return ss, nil
		}
	}
	return nil, fmt.Errorf("%w: aud is not a string or an array of strings", errClaims)
}

// timeOf converts a NumericDate to a time.
func timeOf(n float64) time.Time {
	sec, frac := math.Modf(n)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// checkTimes refuses, at now, a token that expired more than Leeway ago, whose nbf is
// more than Leeway ahead, or whose iat is more than IssuedAtSkew ahead.
func (c claims) checkTimes(now time.Time) string {
	if now.After(timeOf(c.Exp).Add(Leeway)) {
		return msgExpired
	}
	if c.Nbf != nil && timeOf(*c.Nbf).After(now.Add(Leeway)) {
		return msgNotYetValid
	}
	if c.Iat != nil && timeOf(*c.Iat).After(now.Add(IssuedAtSkew)) {
		return msgNotYetValid
	}
	return ""
}
