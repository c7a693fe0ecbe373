-- profilegraph schema, version 2: devices (category DEVICE) and cross-posts (category
-- ACTIVITY) of app accounts, and the CROSS_POSTED activity event (SPEC §3, §6).

-- The devices an app reports for one of its accounts; upsertAppAccount(input.devices)
-- replaces the whole list. id is the app's own device id, unique within the account.
CREATE TABLE devices (
    account_id     uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    id             text        NOT NULL CONSTRAINT devices_id_check CHECK (char_length(id) BETWEEN 1 AND 64),
    platform       text        NOT NULL
        CONSTRAINT devices_platform_check CHECK (platform IN ('ANDROID', 'IOS', 'WEB', 'DESKTOP', 'OTHER')),
    model          text        CONSTRAINT devices_model_check CHECK (char_length(model) <= 64),
    app_version    text        CONSTRAINT devices_app_version_check CHECK (char_length(app_version) <= 64),
    connection     text
        CONSTRAINT devices_connection_check CHECK (connection IN ('WIFI', 'CELLULAR', 'ETHERNET', 'OTHER')),
    last_active_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, id)
);

-- One row per content shared from an account to its person's account in another app.
-- The unique constraint makes crossPost idempotent under concurrent identical calls
-- (INSERT ... ON CONFLICT DO NOTHING). seq orders an account's cross-posts for keyset
-- pagination, newest first.
CREATE TABLE cross_posts (
    seq               bigserial   PRIMARY KEY,
    id                uuid        NOT NULL CONSTRAINT cross_posts_id_key UNIQUE,
    account_id        uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_app          text        NOT NULL
        CONSTRAINT cross_posts_from_app_check CHECK (from_app IN ('FACEBOOK', 'INSTAGRAM', 'WHATSAPP', 'MESSENGER', 'THREADS')),
    to_app            text        NOT NULL
        CONSTRAINT cross_posts_to_app_check CHECK (to_app IN ('FACEBOOK', 'INSTAGRAM', 'WHATSAPP', 'MESSENGER', 'THREADS')),
    target_account_id uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    content_id        text        NOT NULL
        CONSTRAINT cross_posts_content_id_check CHECK (char_length(content_id) BETWEEN 1 AND 128),
    device_platform   text
        CONSTRAINT cross_posts_device_platform_check CHECK (device_platform IN ('ANDROID', 'IOS', 'WEB', 'DESKTOP', 'OTHER')),
    at                timestamptz NOT NULL,
    CONSTRAINT cross_posts_direction_check CHECK (from_app <> to_app),
    CONSTRAINT cross_posts_account_id_to_app_content_id_key UNIQUE (account_id, to_app, content_id)
);

CREATE INDEX cross_posts_account_id_seq_idx ON cross_posts (account_id, seq DESC);
-- ON DELETE CASCADE from the target account needs an index to stay cheap.
CREATE INDEX cross_posts_target_account_id_idx ON cross_posts (target_account_id);

ALTER TABLE activity DROP CONSTRAINT activity_type_check;
ALTER TABLE activity ADD CONSTRAINT activity_type_check CHECK (type IN ('LINKED', 'UNLINKED', 'CONSENT_GRANTED',
    'CONSENT_REVOKED', 'PROFILE_UPDATED', 'SETTINGS_UPDATED', 'LOGIN_HANDOFF_CREATED', 'LOGIN_HANDOFF_REDEEMED',
    'CROSS_POSTED'));
