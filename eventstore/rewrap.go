package eventstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// keyedHashSecret names the secret of the keyed hashes in vault_secrets.
const keyedHashSecret = "keyed hash"

// Hasher returns the Hasher of this database: its secret is made once,
// stored sealed under the master key, and read back by every node and
// every later start, so that a keyed hash recorded in the log today is
// found again tomorrow and after the master key is rotated.
func (v *Vault) Hasher(ctx context.Context) (*Hasher, error) {
	if v.mk == nil {
		return nil, fmt.Errorf("read the keyed-hash secret: %w", ErrNoMasterKey)
	}
	owner := "secret " + keyedHashSecret
	// Two nodes starting at once both insert; the first wins and both read
	// its secret.
	if _, err := v.pool.Exec(ctx, `INSERT INTO vault_secrets (name, key, master_key_id) VALUES ($1, $2, $3)
ON CONFLICT (name) DO NOTHING`, keyedHashSecret, v.mk.wrapKey(newVaultKey(), owner), v.mk.ID()); err != nil {
		return nil, fmt.Errorf("make the keyed-hash secret: %w", err)
	}
	var (
		sealed []byte
		id     string
	)
	if err := v.pool.QueryRow(ctx, "SELECT key, master_key_id FROM vault_secrets WHERE name = $1", keyedHashSecret).Scan(&sealed, &id); err != nil {
		return nil, fmt.Errorf("read the keyed-hash secret: %w", err)
	}
	key, err := v.mk.unwrapKey(sealed, owner, id)
	if err != nil {
		return nil, fmt.Errorf("read the keyed-hash secret: %w", err)
	}
	return &Hasher{key: key}, nil
}

// RewrapReport counts the rows Rewrap sealed anew.
type RewrapReport struct {
	// Keys counts data keys and the application's own secrets.
	Keys int64
	// Answers counts remembered idempotency answers.
	Answers int64
}

// sealedTable describes a table whose columns are sealed under the master
// key, and how to open a row's values under one key and seal them under
// another.
type sealedTable struct {
	table, pk string
	columns   []string
	answers   bool
	// reseal opens the values of the row named pk, sealed under the key
	// named id (empty: in clear), with from, and seals them with to.
	reseal func(from, to *MasterKey, pk, id string, values [][]byte) ([][]byte, error)
}

var sealedTables = []sealedTable{
	{table: "vault_keys", pk: "subject", columns: []string{"key"}, reseal: resealKey("")},
	{table: "vault_secrets", pk: "name", columns: []string{"key"}, reseal: resealKey("secret ")},
	{table: "idempotency_keys", pk: "key", columns: []string{"request_hash", "body"}, answers: true,
		reseal: func(from, to *MasterKey, pk, id string, values [][]byte) ([][]byte, error) {
			out := make([][]byte, len(values))
			for i, part := range []string{"request", "body"} {
				plain, err := from.openAnswer(part, values[i], pk, id)
				if err != nil {
					return nil, err
				}
				out[i] = to.sealAnswer(part, plain, pk)
			}
			return out, nil
		}},
}

func resealKey(prefix string) func(from, to *MasterKey, pk, id string, values [][]byte) ([][]byte, error) {
	return func(from, to *MasterKey, pk, id string, values [][]byte) ([][]byte, error) {
		key := values[0]
		if id != "" {
			var err error
			if key, err = from.unwrapKey(key, prefix+pk, id); err != nil {
				return nil, err
			}
		}
		if len(key) != vaultKeySize {
			return nil, fmt.Errorf("key of %s%s: %d bytes, want %d", prefix, pk, len(key), vaultKeySize)
		}
		return [][]byte{to.wrapKey(key, prefix+pk)}, nil
	}
}

// rewrapBatch is how many rows one transaction of Rewrap seals anew.
const rewrapBatch = 500

// Rewrap seals under to every data key, secret and remembered answer that
// is not under it yet: those stored in clear (from before keys were
// sealed) and those under from, which is nil when there is none. The log
// and the ciphertexts of personal data are not touched: only the keys that
// open them are sealed anew.
//
// Before changing anything it looks for a row under a third master key and
// stops with ErrWrongMasterKey if there is one: starting with a mistyped
// key file must not seal half the vault under a key nobody keeps. Each
// batch of rows commits on its own, so that a large vault is not one long
// transaction; a run that stops half-way leaves every row under from or
// to, and running it again finishes the work.
func Rewrap(ctx context.Context, pool *pgxpool.Pool, from, to *MasterKey) (RewrapReport, error) {
	if to == nil {
		return RewrapReport{}, fmt.Errorf("rewrap: %w", ErrNoMasterKey)
	}
	known := []string{to.ID()}
	if from != nil {
		known = append(known, from.ID())
	}
	for _, t := range sealedTables {
		var other string
		err := pool.QueryRow(ctx, fmt.Sprintf("SELECT master_key_id FROM %s WHERE master_key_id <> ALL($1) LIMIT 1", t.table), known).Scan(&other)
		if err == nil {
			return RewrapReport{}, fmt.Errorf("rewrap: rows of %s are %w %s, neither the old key nor the new one", t.table, ErrWrongMasterKey, other)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return RewrapReport{}, fmt.Errorf("rewrap: check %s: %w", t.table, err)
		}
	}
	var rep RewrapReport
	for _, t := range sealedTables {
		after := ""
		for {
			n, last, err := rewrapRows(ctx, pool, t, from, to, after)
			if err != nil {
				return rep, fmt.Errorf("rewrap %s: %w", t.table, err)
			}
			if t.answers {
				rep.Answers += n
			} else {
				rep.Keys += n
			}
			if n < rewrapBatch {
				break
			}
			after = last
		}
	}
	return rep, nil
}

// rewrapRows seals anew, in one transaction, the next rows of t after the
// primary key after that are not under to. The rows are locked, so an
// erasure running meanwhile waits for the batch, and another Rewrap
// running at once skips nothing: it sees these rows under to once it gets
// their locks.
func rewrapRows(ctx context.Context, pool *pgxpool.Pool, t sealedTable, from, to *MasterKey, after string) (n int64, last string, err error) {
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		cols := ""
		for _, c := range t.columns {
			cols += ", " + c
		}
		rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT %[2]s, coalesce(master_key_id, '')%[3]s FROM %[1]s
WHERE %[2]s > $1 AND master_key_id IS DISTINCT FROM $2 ORDER BY %[2]s LIMIT $3 FOR UPDATE`, t.table, t.pk, cols),
			after, to.ID(), rewrapBatch)
		if err != nil {
			return err
		}
		type row struct {
			pk, id string
			values [][]byte
		}
		var all []row
		for rows.Next() {
			r := row{values: make([][]byte, len(t.columns))}
			dest := []any{&r.pk, &r.id}
			for i := range r.values {
				dest = append(dest, &r.values[i])
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			all = append(all, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		set := ""
		for i, c := range t.columns {
			set += fmt.Sprintf("%s = $%d, ", c, i+3)
		}
		update := fmt.Sprintf("UPDATE %s SET %smaster_key_id = $2 WHERE %s = $1", t.table, set, t.pk)
		b := &pgx.Batch{}
		for _, r := range all {
			values, err := t.reseal(from, to, r.pk, r.id, r.values)
			if err != nil {
				return err
			}
			args := []any{r.pk, to.ID()}
			for _, v := range values {
				args = append(args, v)
			}
			b.Queue(update, args...)
			last = r.pk
		}
		n = int64(len(all))
		if n == 0 {
			return nil
		}
		return tx.SendBatch(ctx, b).Close()
	})
	return n, last, err
}

// ShredLost gives up every row sealed under a master key other than to,
// for a master key that was lost: the data keys are deleted and their
// subjects recorded as erased (nobody can read them any more, and Get says
// so), the keyed-hash secret is deleted (a new one is made on next start,
// so signatures from before are no longer recognised by name), and the
// remembered answers are forgotten. Keys stored in clear are kept, for
// Rewrap to seal. It runs in one transaction and returns how many data
// keys it deleted.
func ShredLost(ctx context.Context, pool *pgxpool.Pool, to *MasterKey) (int64, error) {
	if to == nil {
		return 0, fmt.Errorf("shred lost keys: %w", ErrNoMasterKey)
	}
	var n int64
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `WITH gone AS (
    DELETE FROM vault_keys WHERE master_key_id IS NOT NULL AND master_key_id <> $1 RETURNING subject)
INSERT INTO vault_erasures (subject, erased_at) SELECT subject, now() FROM gone ON CONFLICT (subject) DO NOTHING`, to.ID())
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		if _, err := tx.Exec(ctx, "DELETE FROM vault_secrets WHERE master_key_id <> $1", to.ID()); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "DELETE FROM idempotency_keys WHERE master_key_id IS NOT NULL AND master_key_id <> $1", to.ID())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("shred lost keys: %w", err)
	}
	return n, nil
}

// OpenSample opens the database's keyed-hash secret under the vault's
// master key, writing nothing: it fails when the master key is not the
// one the database was sealed under. sealed is false when the database
// holds no secret yet (no server ever started on it).
func (v *Vault) OpenSample(ctx context.Context) (sealed bool, err error) {
	if v.mk == nil {
		return false, ErrNoMasterKey
	}
	var (
		key []byte
		id  string
	)
	err = v.pool.QueryRow(ctx, "SELECT key, master_key_id FROM vault_secrets WHERE name = $1", keyedHashSecret).Scan(&key, &id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read the keyed-hash secret: %w", err)
	}
	if _, err := v.mk.unwrapKey(key, "secret "+keyedHashSecret, id); err != nil {
		return true, fmt.Errorf("open the keyed-hash secret: %w", err)
	}
	return true, nil
}
