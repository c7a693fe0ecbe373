-- profilegraph schema, version 3: the person's rights (SPEC §6): the ACCOUNT_DELETED
-- activity event (deleteAppAccount) and the erasure records (erasePerson).

ALTER TABLE activity DROP CONSTRAINT activity_type_check;
ALTER TABLE activity ADD CONSTRAINT activity_type_check CHECK (type IN ('LINKED', 'UNLINKED', 'CONSENT_GRANTED',
    'CONSENT_REVOKED', 'PROFILE_UPDATED', 'SETTINGS_UPDATED', 'LOGIN_HANDOFF_CREATED', 'LOGIN_HANDOFF_REDEEMED',
    'CROSS_POSTED', 'ACCOUNT_DELETED'));

-- One row per erasure: deliberately no person id (pseudonymous personal data), no
-- account, no count; only that an erasure happened, and when.
CREATE TABLE erasures (
    seq       bigserial   PRIMARY KEY,
    erased_at timestamptz NOT NULL
);
