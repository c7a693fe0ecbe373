-- profilegraph schema, version 3: the leases of the replicas that cache privacy state
-- (links and consents), see docs/privacy-cache.md.

-- One row per replica that runs the shared cache's listener. A replica may serve
-- cached privacy state only while it holds a lease: lease_expires is when it ends, by
-- the database's clock; the replica renews it (on its listener connection) well before.
-- A privacy write waits, after its commit, until every replica whose lease is live has
-- acknowledged it (NOTIFY on profilegraph_privacy_ack) or its lease has ended. A writer
-- that gives up waiting for an acknowledgement sets fenced: a fenced lease cannot be
-- renewed, so it ends at lease_expires at the latest; the replica then clears its
-- privacy cache and registers again (which unfences it).
CREATE TABLE replicas (
    id            uuid        PRIMARY KEY,
    lease_expires timestamptz NOT NULL,
    fenced        boolean     NOT NULL DEFAULT false,
    registered_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX replicas_lease_expires_idx ON replicas (lease_expires);
