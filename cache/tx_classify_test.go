package cache

import (
	"reflect"
	"slices"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// recorderRecorded are the profile.Tx methods the recorder overrides: they note what
// they change (content keys, and, through notePrivacy, links or consents: a privacy
// write waits for every leased replica's acknowledgement).
var recorderRecorded = []string{
	"DeleteAccount", "DeleteConsent", "DeleteConsentsNaming", "DeletePerson", "ErasePerson", "InsertAccount", "InsertPerson",
	"LockAccountByKey", "LockAccounts", "PutConsent", "PutSettings", "UpdateAccount",
}

// recorderPassThrough are the profile.Tx methods that touch neither cached content
// nor links or consents, so the recorder lets them through. Reads through a Tx are
// never cached.
var recorderPassThrough = []string{
	"AccountsByID", "AccountsByKey", "AccountsByPerson", "Activity", "AppendActivity",
	"ConsentsByPerson", "CrossPosts", "DeleteHandoffs", "DevicesByAccount", "InsertCrossPost", "InsertHandoff",
	"LockPerson", "PersonsByID", "PrivacyByPerson", "RedeemHandoff", "ReplaceDevices",
	"SettingsByPerson",
}

// A new Tx method must be classified here: a write that touches links or consents and
// that the recorder does not see would not wait for the replicas' acknowledgements, and
// they could serve the withdrawn state from their privacy caches.
func TestEveryTxMethodIsClassified(t *testing.T) {
	tx := reflect.TypeFor[profile.Tx]()
	var missing []string
	seen := map[string]bool{}
	for i := range tx.NumMethod() {
		name := tx.Method(i).Name
		seen[name] = true
		if !slices.Contains(recorderRecorded, name) && !slices.Contains(recorderPassThrough, name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("profile.Tx methods neither recorded by the cache's recorder nor listed as pass-through: %v "+
			"(a write of links or consents must call recorder.notePrivacy)", missing)
	}
	for _, name := range append(slices.Clone(recorderRecorded), recorderPassThrough...) {
		if !seen[name] {
			t.Errorf("%s is classified but is not a profile.Tx method", name)
		}
	}
}
