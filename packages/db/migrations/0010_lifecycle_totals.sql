CREATE TABLE "lifecycle_edge_totals" (
	"through" timestamp with time zone NOT NULL,
	"event" text NOT NULL,
	"from_state" text NOT NULL,
	"to_state" text NOT NULL,
	"reason" text NOT NULL,
	"total" bigint NOT NULL,
	CONSTRAINT "lifecycle_edge_totals_through_event_from_state_to_state_reason_pk" PRIMARY KEY("through","event","from_state","to_state","reason")
);
--> statement-breakpoint
CREATE TABLE "lifecycle_state_totals" (
	"through" timestamp with time zone NOT NULL,
	"state" text NOT NULL,
	"total" bigint NOT NULL,
	CONSTRAINT "lifecycle_state_totals_through_state_pk" PRIMARY KEY("through","state")
);
--> statement-breakpoint
CREATE TABLE "lifecycle_tally" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lifecycle_tally_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"event" text NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"reason" text,
	"left_state" text
);
--> statement-breakpoint
CREATE INDEX "lifecycle_tally_at_idx" ON "lifecycle_tally" USING btree ("at");--> statement-breakpoint
-- Every audited lifecycle step is tallied by the database itself, whichever code path wrote
-- it. The tally is append-only between folds, so concurrent steps never wait on each other
-- (steps of one credential are already serialised by the lock on its row). The state the
-- credential left is its previous audited step's target, read by the (credential_id, id) index.
CREATE FUNCTION lifecycle_tally_step() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "lifecycle_tally" ("at", "event", "from_state", "to_state", "reason", "left_state")
  VALUES (NEW."created_at", NEW."action", NEW."from_state", NEW."to_state", NEW."reason", (
    SELECT "to_state" FROM "audit_events"
    WHERE "credential_id" = NEW."credential_id" AND "to_state" IS NOT NULL AND "id" < NEW."id"
    ORDER BY "id" DESC LIMIT 1
  ));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_lifecycle_tally
  AFTER INSERT ON "audit_events"
  FOR EACH ROW
  WHEN (NEW."credential_id" IS NOT NULL AND NEW."to_state" IS NOT NULL)
  EXECUTE FUNCTION lifecycle_tally_step();
--> statement-breakpoint
-- The history already in the log becomes snapshots: one at the end of every day that had
-- lifecycle steps (older reviews start on a day boundary) and, for today's steps, one now.
-- Creating the trigger above locked out concurrent inserts, so nothing falls between the two.
INSERT INTO "lifecycle_edge_totals" ("through", "event", "from_state", "to_state", "reason", "total")
WITH "steps" AS (
  SELECT least(date_trunc('day', "created_at", 'UTC') + interval '1 day', now()) AS "through",
    "action" AS "event", coalesce("from_state", '') AS "from_state", "to_state",
    coalesce("reason", '') AS "reason", count(*) AS "n"
  FROM "audit_events"
  WHERE "credential_id" IS NOT NULL AND "to_state" IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5
), "ends" AS (
  SELECT DISTINCT "through" FROM "steps"
), "keys" AS (
  SELECT DISTINCT "event", "from_state", "to_state", "reason" FROM "steps"
)
SELECT e."through", k."event", k."from_state", k."to_state", k."reason",
  (sum(coalesce(s."n", 0)) OVER (
    PARTITION BY k."event", k."from_state", k."to_state", k."reason" ORDER BY e."through"
  ))::bigint
FROM "ends" e
CROSS JOIN "keys" k
LEFT JOIN "steps" s ON s."through" = e."through" AND s."event" = k."event"
  AND s."from_state" = k."from_state" AND s."to_state" = k."to_state" AND s."reason" = k."reason";
--> statement-breakpoint
-- Per state, the same instants: each step moves its credential from the state its previous
-- audited step left it in (none for the first step still in the log) to its target, so the
-- running sum is, per state, how many credentials' last step so far ended there.
INSERT INTO "lifecycle_state_totals" ("through", "state", "total")
WITH "steps" AS (
  SELECT least(date_trunc('day', "created_at", 'UTC') + interval '1 day', now()) AS "through",
    "to_state",
    lag("to_state") OVER (PARTITION BY "credential_id" ORDER BY "id") AS "left_state"
  FROM "audit_events"
  WHERE "credential_id" IS NOT NULL AND "to_state" IS NOT NULL
), "flows" AS (
  SELECT "through", "to_state" AS "state", 1 AS "n" FROM "steps"
  UNION ALL
  SELECT "through", "left_state", -1 FROM "steps" WHERE "left_state" IS NOT NULL
), "daily" AS (
  SELECT "through", "state", sum("n") AS "n" FROM "flows" GROUP BY 1, 2
), "ends" AS (
  SELECT DISTINCT "through" FROM "daily"
), "states" AS (
  SELECT DISTINCT "state" FROM "daily"
)
SELECT e."through", s."state",
  (sum(coalesce(d."n", 0)) OVER (PARTITION BY s."state" ORDER BY e."through"))::bigint
FROM "ends" e
CROSS JOIN "states" s
LEFT JOIN "daily" d ON d."through" = e."through" AND d."state" = s."state";
