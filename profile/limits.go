package profile

// The sizes that bound lists in the graph (SPEC §7). Query complexity counts them, and
// the schema's demand-control directives (@cost / @listSize) must state the same numbers:
// this is their one home.
const (
	// MaxAccountsPerPerson bounds Person.accounts: one account per app.
	MaxAccountsPerPerson = 5
	// DefaultActivityPage is the page size of Person.activity when `first` is omitted.
	DefaultActivityPage = 20
	// MaxActivityPage is the largest `first` Person.activity accepts.
	MaxActivityPage = 100
	// MaxEntityRepresentations is the most representations one `_entities` call takes.
	MaxEntityRepresentations = 1000
)
