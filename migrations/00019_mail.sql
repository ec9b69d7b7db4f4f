-- +goose Up
-- mail_sent is the mailer's memory of what it sent: one row per event and
-- recipient. The bus may deliver an event twice (a relay that restarts
-- republishes from its checkpoint, every node hears every event), and the
-- row, claimed in the transaction that sends, makes the second delivery
-- send nothing. It holds no address: the vault is read at send time only.
CREATE TABLE mail_sent (
    event_id  text        NOT NULL,
    recipient text        NOT NULL,
    sent_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, recipient)
);

-- mail_opt_outs are the unsubscriptions: a case (its reporter's mail) or a
-- department's address asked to hear nothing more. Keyed by what the
-- unsubscribe link names, never by an address.
CREATE TABLE mail_opt_outs (
    target       text        PRIMARY KEY,
    opted_out_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE mail_opt_outs;
DROP TABLE mail_sent;
