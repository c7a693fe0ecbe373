package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// Class 3 of issue 9: request bodies, tokens, link proofs, handoff codes and personal
// values never reach the logs (SPEC §7). On the old code a body that failed to decode
// was logged verbatim at ERROR.
func TestE2EHardeningNothingSecretInLogs(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"LOG_LEVEL": "debug"})
	s.mkPerson(t, account{App: profile.AppFacebook, UserID: "log-fb"}, account{App: profile.AppInstagram, UserID: "log-ig"})
	tok := userToken(t, profile.AppFacebook, "log-fb")
	proof := userToken(t, profile.AppWhatsApp, "log-wa-secret-subject")
	const phone, email, code = "+16502530042", "very.private.person@example.com", "hNq3yZ1o0oQ2rmC3vVx8S2rWcQvY6M0bTmpqVn0e5pE"
	secrets := []string{proof, strings.Split(proof, ".")[2], phone, email, code, "log-wa-secret-subject"}

	link := fmt.Sprintf(`{"query":"mutation($p: String!) { linkAccount(proof: $p) { id } }","variables":{"p":%q,"phone":%q,"email":%q,"code":%q}}`, proof, phone, email, code)
	bodies := map[string]string{
		"truncated JSON":             link[:len(link)-3],
		"a JSON array of operations": "[" + link + "," + link + "]",
		"operationName as a number":  strings.Replace(link, `{"query"`, `{"operationName":12,"query"`, 1),
		"variables as a string":      fmt.Sprintf(`{"query":"{ viewer { id } }","variables":%q}`, link),
		"not JSON at all":            "proof=" + proof + "&phone=" + phone,
		"a body with a bad escape":   `{"query":"` + email + `\x"}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			r := s.send(t, "POST", "/graphql", map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"}, body)
			if r.Status != 400 || !strings.Contains(r.Body, `"BAD_REQUEST"`) {
				t.Fatalf("want 400 BAD_REQUEST, got %d %s", r.Status, r.Body)
			}
			for _, secret := range secrets {
				if strings.Contains(r.Body, secret) {
					t.Fatalf("the error echoes the request: %s", r.Body)
				}
			}
		})
	}
	t.Run("a failed handoff redemption and a bad proof", func(t *testing.T) {
		s.query(t, serviceToken(t, profile.AppInstagram), `mutation($c: String!) { redeemLoginHandoff(code: $c) { id } }`, map[string]any{"c": code})
		s.query(t, tok, `mutation($p: String!) { linkAccount(proof: $p) { id } }`, map[string]any{"p": proof[:len(proof)-4] + "AAAA"})
		s.query(t, tok, `mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { displayName } }`,
			map[string]any{"i": map[string]any{"displayName": "\u200b" + email}})
	})

	logs := s.logs.String()
	for _, secret := range secrets {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs hold %.20q…", secret)
		}
	}
	if strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("client mistakes were logged at ERROR:\n%s", logs)
	}
}
