package main

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// dumpTables reads every row of every table of the schema as text, the
// way pg_dump would hand the database to whoever holds a copy.
func dumpTables(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT table_name FROM information_schema.tables
WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var dump strings.Builder
	for _, table := range tables {
		rows, err := pool.Query(ctx, "SELECT t::text FROM "+pgx.Identifier{table}.Sanitize()+" t")
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		dump.WriteString(table + "\n" + strings.Join(lines, "\n") + "\n")
	}
	return dump.String()
}

// sealedRecord is one row of vault_data.
type sealedRecord struct {
	subject           string
	nonce, ciphertext []byte
}

func vaultRecords(t *testing.T, pool *pgxpool.Pool) []sealedRecord {
	t.Helper()
	rows, err := pool.Query(context.Background(), "SELECT subject, nonce, ciphertext FROM vault_data")
	if err != nil {
		t.Fatal(err)
	}
	var out []sealedRecord
	for rows.Next() {
		var r sealedRecord
		if err := rows.Scan(&r.subject, &r.nonce, &r.ciphertext); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

var hexRun = regexp.MustCompile(`[0-9a-f]{64,}`)

// openableWith returns the first record that some 32 bytes found in dump,
// read as an AES key, opens: a data key stored in clear anywhere, in any
// column, at any offset.
func openableWith(dump string, records []sealedRecord) (string, bool) {
	for _, run := range hexRun.FindAllString(strings.ToLower(dump), -1) {
		b, err := hex.DecodeString(run[:len(run)/2*2])
		if err != nil {
			continue
		}
		for i := 0; i+32 <= len(b); i++ {
			block, _ := aes.NewCipher(b[i : i+32])
			aead, _ := cipher.NewGCM(block)
			for _, r := range records {
				if _, err := aead.Open(nil, r.nonce, r.ciphertext, []byte(r.subject)); err == nil {
					return r.subject, true
				}
			}
		}
	}
	return "", false
}

// TestDumpOpensNobody gives the server a reporter, a named signer and a
// member, each with a name, a phone and an email, then reads the whole
// database as text. Nobody's details, no tracking token (not even in a
// remembered answer), no bare hash of the signer's name and no data key
// that opens a vault record may be in it.
func TestDumpOpensNobody(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	secrets := []string{
		"Hanen Dumpreporter", "+216 71 555 101", "hanen.reporter@example.tn",
		"Hanen Dumpsigner",
		"Hanen Dumpmember", "+216 71 555 303", "hanen.member@example.tn",
	}
	first := ts.report(map[string]any{"reporter": map[string]any{"name": secrets[0], "phone": secrets[1], "email": secrets[2]}})
	// A report under an Idempotency-Key: its answer, tracking token and
	// all, is remembered for seven days.
	second := ts.report(nil)
	keyed := ts.must(http.StatusCreated, "POST", "/api/v1/cases", "", map[string]any{
		"title": "Broken street light", "description": "Dark since Monday", "category": "roads", "district": "Medina",
		"reporter": map[string]any{"name": secrets[0], "phone": secrets[1]}}, "Idempotency-Key", "dump-1")
	var remembered int
	if err := ts.pool.QueryRow(context.Background(), "SELECT count(*) FROM idempotency_keys").Scan(&remembered); err != nil || remembered != 1 {
		t.Fatalf("%d remembered answers (%v), want the keyed report's", remembered, err)
	}
	for _, r := range []map[string]any{first, second, keyed} {
		secrets = append(secrets, r["tracking_token"].(string))
	}
	org := ts.must(http.StatusCreated, "POST", "/api/v1/organisations", "advocate", map[string]any{"name": "جمعية الحي", "kind": "association"})["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/organisations/"+org+"/members", "advocate", map[string]any{"name": secrets[4], "phone": secrets[5], "email": secrets[6]})
	camp := ts.must(http.StatusCreated, "POST", "/api/v1/campaigns", "advocate", map[string]any{
		"title": "Lights", "demand": "Light the park", "theme": "community", "target_department": "public_lighting", "lead_organisation": org})["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/campaigns/"+camp+"/signatures", "", map[string]any{"name": secrets[3]})

	dump := dumpTables(t, ts.pool)
	bare := sha256.Sum256([]byte(camp + "\x00" + strings.ToLower(secrets[3])))
	assertAbsent(t, dump, append(secrets, hex.EncodeToString(bare[:]))...)

	records := vaultRecords(t, ts.pool)
	if len(records) != 4 {
		t.Fatalf("%d vault records, want 4 (two reporters, a member, a signer)", len(records))
	}
	if subject, ok := openableWith(dump, records); ok {
		t.Fatalf("a key in the dump opens the personal data of %s", subject)
	}
	// The search finds a key when there is one: the same dump with one
	// record's data key in clear beside it gives that record away.
	key := make([]byte, 32)
	rand.Read(key) //nolint:errcheck // never fails
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	planted := sealedRecord{subject: "subj-planted", nonce: make([]byte, 12)}
	planted.ciphertext = aead.Seal(nil, planted.nonce, []byte(`{"name":"x"}`), []byte(planted.subject))
	if subject, ok := openableWith(dump+`\x`+hex.EncodeToString(key), append(records, planted)); !ok || subject != planted.subject {
		t.Fatal("the search for keys in clear missed a key planted in the dump")
	}
}

// assertAbsent fails when dump holds any of values, as text or as the hex
// of its UTF-8 bytes (how bytea columns read), ignoring case.
func assertAbsent(t *testing.T, dump string, values ...string) {
	t.Helper()
	dump = strings.ToLower(dump)
	for _, v := range values {
		for _, form := range []string{strings.ToLower(v), hex.EncodeToString([]byte(v)), hex.EncodeToString([]byte(strings.ToLower(v)))} {
			if strings.Contains(dump, form) {
				t.Errorf("%q is stored in the database (as %q)", v, form)
			}
		}
	}
}

// TestRepeatSignatureLooksLikeAFirst signs a petition as one person, again
// under the same name spelled differently, and as a new person: the repeat
// must get the answer a first signature gets (status, every field but the
// version and position it reports), and append nothing. The log must not
// hold a bare hash of the name, which anyone could recompute.
func TestRepeatSignatureLooksLikeAFirst(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	org := ts.must(http.StatusCreated, "POST", "/api/v1/organisations", "advocate", map[string]any{"name": "جمعية الحي", "kind": "association"})["id"].(string)
	camp := ts.must(http.StatusCreated, "POST", "/api/v1/campaigns", "advocate", map[string]any{
		"title": "Lights", "demand": "Light the park", "theme": "community", "target_department": "public_lighting", "lead_organisation": org})["id"].(string)
	path := "/api/v1/campaigns/" + camp + "/signatures"
	sign := func(name string) (response, int64) {
		t.Helper()
		before := ts.head()
		r := ts.do("POST", path, "", map[string]any{"name": name, "district": "Medina"})
		return r, ts.head() - before
	}
	first, grew := sign("Layla Haddad")
	if first.status != http.StatusOK || grew != 1 {
		t.Fatalf("first signature: %d %s, %d events", first.status, first.body, grew)
	}
	repeat, grew := sign("  layla   HADDAD ")
	if grew != 0 {
		t.Fatalf("a repeat signature appended %d events", grew)
	}
	fresh, _ := sign("Sami Ben Ali")
	shape := func(r response) (int, []string, map[string]any) {
		m := r.json(t)
		return r.status, slices.Sorted(maps.Keys(m)), m
	}
	fs, fk, fm := shape(fresh)
	rs, rk, rm := shape(repeat)
	if rs != fs || !slices.Equal(rk, fk) || rm["id"] != fm["id"] || rm["status"] != fm["status"] {
		t.Fatalf("repeat answered %d %v %s; a fresh signer %d %v %s", rs, rk, repeat.body, fs, fk, fresh.body)
	}
	if rm["version"] != first.json(t)["version"] {
		t.Fatalf("repeat reports version %v, want the campaign's current %v", rm["version"], first.json(t)["version"])
	}
	if got := ts.must(http.StatusOK, "GET", "/api/v1/campaigns/"+camp, "", nil); got["signatures"] != 2.0 {
		t.Fatalf("signatures = %v, want 2", got["signatures"])
	}
	var payloads []string
	rows, err := ts.pool.Query(context.Background(), "SELECT payload::text FROM events")
	if err == nil {
		payloads, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil {
		t.Fatal(err)
	}
	bare := sha256.Sum256([]byte(camp + "\x00layla haddad"))
	if log := strings.Join(payloads, "\n"); strings.Contains(log, hex.EncodeToString(bare[:])) || !strings.Contains(log, "signer_key") {
		t.Fatal("the log holds a bare sha256 of the signer's name, or no signer key at all")
	}
}

// TestMasterKeyOperations walks the operator's life: serve refuses to start
// without a key, keys init refuses to overwrite one, keys rotate re-seals
// every key and every answer so that everything still reads under the new
// key, and the old key, or a stranger's, is refused loudly at start rather
// than answering garbage.
func TestMasterKeyOperations(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	ctx := context.Background()
	url := eventstoretest.URLFor(t, ts.schema)
	reported := ts.report(map[string]any{"reporter": map[string]any{"name": "Olfa Rotation", "phone": "+216 71 555 909"}})
	ts.must(http.StatusCreated, "POST", "/api/v1/cases", "", map[string]any{
		"title": "Broken light", "description": "Dark since Monday", "category": "roads", "district": "Medina"}, "Idempotency-Key", "rotate-1")
	var subject string
	if err := ts.pool.QueryRow(ctx, "SELECT subject FROM vault_keys").Scan(&subject); err != nil {
		t.Fatal(err)
	}

	start := func(keyFile string) error {
		t.Helper()
		cfg := configFromEnv()
		cfg.DatabaseURL, cfg.MasterKeyFile = url+"&pool_max_conns=2", keyFile
		p, err := newProgram(ctx, cfg, eventstoretest.Logger(t))
		if err == nil {
			p.close()
		}
		return err
	}
	if err := start(""); err == nil || !strings.Contains(err.Error(), "BAYT_MASTER_KEY_FILE") {
		t.Fatalf("serve without a master key: %v, want a refusal naming BAYT_MASTER_KEY_FILE", err)
	}

	dir := t.TempDir()
	newFile := filepath.Join(dir, "next.key")
	if out, err := run(t, "keys", "init", "-file", newFile); err != nil || !strings.Contains(out, newFile) {
		t.Fatalf("keys init: %q, %v", out, err)
	}
	text, _ := os.ReadFile(newFile)
	if _, err := run(t, "keys", "init", "-file", newFile); err == nil {
		t.Fatal("keys init overwrote a master key")
	}
	if again, _ := os.ReadFile(newFile); string(again) != string(text) {
		t.Fatal("keys init changed an existing key file")
	}
	if info, err := os.Stat(newFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", info.Mode().Perm(), err)
	}
	next, err := eventstore.ParseMasterKey(text)
	if err != nil {
		t.Fatal(err)
	}

	// One data key, the keyed-hash secret and one remembered answer.
	out, err := run(t, "keys", "rotate", "-database-url", url, "-master-key-file", ts.keyFile, "--new", newFile)
	if err != nil || !strings.Contains(out, "re-wrapped 2 keys and 1 remembered answers") {
		t.Fatalf("keys rotate: %q, %v", out, err)
	}
	if out, err := run(t, "keys", "rotate", "-database-url", url, "-master-key-file", ts.keyFile, "--new", newFile); err != nil ||
		!strings.Contains(out, "re-wrapped 0 keys and 0 remembered answers") {
		t.Fatalf("keys rotate again: %q, %v; want nothing left to do", out, err)
	}
	got, err := eventstore.NewVault(ts.pool, next).Get(ctx, subject)
	if err != nil || got.Name != "Olfa Rotation" {
		t.Fatalf("reporter under the new key: %+v, %v", got, err)
	}
	if got, err := eventstore.NewVault(ts.pool, ts.mk).Get(ctx, subject); !errors.Is(err, eventstore.ErrWrongMasterKey) || !got.Empty() {
		t.Fatalf("reporter under the old key: %+v, %v; want ErrWrongMasterKey", got, err)
	}
	// The running server still has the old key: it refuses to answer the
	// remembered request rather than answer garbage.
	if r := ts.do("POST", "/api/v1/cases", "", map[string]any{
		"title": "Broken light", "description": "Dark since Monday", "category": "roads", "district": "Medina"}, "Idempotency-Key", "rotate-1"); r.status != http.StatusInternalServerError {
		t.Fatalf("replay under the old key: %d %s, want 500", r.status, r.body)
	}

	if err := start(newFile); err != nil {
		t.Fatalf("serve with the new key: %v", err)
	}
	stranger, _ := eventstoretest.MasterKeyFile(t)
	for name, file := range map[string]string{"old": ts.keyFile, "stranger's": stranger} {
		if err := start(file); !errors.Is(err, eventstore.ErrWrongMasterKey) || !strings.Contains(err.Error(), "BAYT_MASTER_KEY_FILE") {
			t.Errorf("serve with the %s key: %v, want ErrWrongMasterKey naming BAYT_MASTER_KEY_FILE", name, err)
		}
	}
	// The new key lost: starting afresh under another one erases everyone
	// sealed under it, and everything else goes on.
	out, err = run(t, "keys", "rotate", "-database-url", url, "--new", stranger, "--lost")
	if err != nil || !strings.Contains(out, "erased 1 people") {
		t.Fatalf("keys rotate --lost: %q, %v", out, err)
	}
	if err := start(stranger); err != nil {
		t.Fatalf("serve under a new key after a lost one: %v", err)
	}
	strangerKey, _ := os.ReadFile(stranger)
	mk, _ := eventstore.ParseMasterKey(strangerKey)
	if got, err := eventstore.NewVault(ts.pool, mk).Get(ctx, subject); !errors.Is(err, eventstore.ErrErased) || !got.Empty() {
		t.Fatalf("reporter after the key was lost: %+v, %v; want ErrErased", got, err)
	}
	open := filepath.Join(dir, "open.key")
	if err := os.WriteFile(open, text, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := start(open); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("serve with a key file others can read: %v, want a refusal", err)
	}
	var c map[string]any
	if err := json.Unmarshal(ts.do("GET", "/api/v1/cases/"+reported["id"].(string), "", nil).body, &c); err != nil || c["id"] != reported["id"] {
		t.Fatalf("the log and read models stopped working: %v, %v", c, err)
	}
}
