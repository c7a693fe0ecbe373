-- profilegraph schema, version 1. Applied by tern (postgres.Migrate) in one transaction.
-- Enumerations are text columns with named CHECK constraints (easier to evolve than
-- PostgreSQL enum types); their values are those of package profile.

CREATE TABLE persons (
    id         uuid        PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
    id                uuid        PRIMARY KEY,
    app               text        NOT NULL
        CONSTRAINT accounts_app_check CHECK (app IN ('FACEBOOK', 'INSTAGRAM', 'WHATSAPP', 'MESSENGER', 'THREADS')),
    app_user_id       text        NOT NULL,
    -- One column: an account belongs to at most one person.
    person_id         uuid        REFERENCES persons (id),
    linked_at         timestamptz,
    username          text        NOT NULL DEFAULT '',
    display_name      text,
    bio               text,
    avatar_url        text,
    avatar_width      integer,
    avatar_height     integer,
    avatar_updated_at timestamptz,
    phone_number      text,
    email             text,
    birthdate         date,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT accounts_app_user_id_key UNIQUE (app, app_user_id),
    -- A person has at most one account per app. NULL person_ids (unlinked) never clash.
    -- Its index also serves AccountsByPerson (person_id = ANY($1)).
    CONSTRAINT accounts_person_id_app_key UNIQUE (person_id, app),
    CONSTRAINT accounts_avatar_check CHECK (
        (avatar_url IS NULL) = (avatar_updated_at IS NULL)
        AND (avatar_url IS NOT NULL OR (avatar_width IS NULL AND avatar_height IS NULL))
    )
);

CREATE TABLE settings (
    person_id      uuid        PRIMARY KEY REFERENCES persons (id) ON DELETE CASCADE,
    sync_profile   boolean     NOT NULL DEFAULT false,
    -- Ordered list of {"from": APP, "to": APP}.
    cross_posting  jsonb       NOT NULL DEFAULT '[]'
        CONSTRAINT settings_cross_posting_check CHECK (
            jsonb_typeof(cross_posting) = 'array'
            AND NOT jsonb_path_exists(cross_posting,
                '$[*] ? (!(@.from like_regex "^(FACEBOOK|INSTAGRAM|WHATSAPP|MESSENGER|THREADS)$"
                        && @.to like_regex "^(FACEBOOK|INSTAGRAM|WHATSAPP|MESSENGER|THREADS)$"))')
        ),
    single_sign_on text[]      NOT NULL DEFAULT '{}'
        CONSTRAINT settings_single_sign_on_check CHECK (
            single_sign_on <@ ARRAY['FACEBOOK', 'INSTAGRAM', 'WHATSAPP', 'MESSENGER', 'THREADS']
        ),
    version        integer     NOT NULL DEFAULT 0 CHECK (version >= 0),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE consents (
    person_id  uuid        NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    source_app text        NOT NULL
        CONSTRAINT consents_source_app_check CHECK (source_app IN ('FACEBOOK', 'INSTAGRAM', 'WHATSAPP', 'MESSENGER', 'THREADS')),
    target_app text        NOT NULL
        CONSTRAINT consents_target_app_check CHECK (target_app IN ('FACEBOOK', 'INSTAGRAM', 'WHATSAPP', 'MESSENGER', 'THREADS')),
    category   text        NOT NULL
        CONSTRAINT consents_category_check CHECK (category IN ('PROFILE', 'CONTACT', 'AGE', 'ACTIVITY', 'DEVICE')),
    purpose    text        NOT NULL
        CONSTRAINT consents_purpose_check CHECK (purpose IN ('SERVICE', 'ADS')),
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, source_app, target_app, category, purpose),
    CONSTRAINT consents_direction_check CHECK (source_app <> target_app)
);

-- The activity log outlives its person (promise 2: the log records the cutoff), so
-- person_id is deliberately not a foreign key.
CREATE TABLE activity (
    seq       bigserial   PRIMARY KEY,
    person_id uuid        NOT NULL,
    type      text        NOT NULL
        CONSTRAINT activity_type_check CHECK (type IN ('LINKED', 'UNLINKED', 'CONSENT_GRANTED', 'CONSENT_REVOKED',
            'PROFILE_UPDATED', 'SETTINGS_UPDATED', 'LOGIN_HANDOFF_CREATED', 'LOGIN_HANDOFF_REDEEMED')),
    app       text
        CONSTRAINT activity_app_check CHECK (app IN ('FACEBOOK', 'INSTAGRAM', 'WHATSAPP', 'MESSENGER', 'THREADS')),
    at        timestamptz NOT NULL DEFAULT now(),
    detail    text        NOT NULL DEFAULT ''
);

CREATE INDEX activity_person_id_seq_idx ON activity (person_id, seq DESC);

-- Only the SHA-256 of a handoff code is stored.
CREATE TABLE login_handoffs (
    code_hash   bytea       PRIMARY KEY,
    person_id   uuid        NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    target_app  text        NOT NULL
        CONSTRAINT login_handoffs_target_app_check CHECK (target_app IN ('FACEBOOK', 'INSTAGRAM', 'WHATSAPP', 'MESSENGER', 'THREADS')),
    account_id  uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    redeemed_at timestamptz,
    CONSTRAINT login_handoffs_expiry_check CHECK (expires_at >= created_at)
);

CREATE INDEX login_handoffs_expires_at_idx ON login_handoffs (expires_at);
