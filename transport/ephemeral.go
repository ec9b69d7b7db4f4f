package transport

// EphemeralWarning is what Bayt says, at start, in /readyz and on every
// page, when it runs without a database.
const EphemeralWarning = "Bayt is running on the in-memory store: nothing is kept when it stops. " +
	"Install PostgreSQL (apt-get install postgresql) and run make run again, or set DATABASE_URL."
