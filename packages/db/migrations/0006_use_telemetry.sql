ALTER TABLE "app_passwords" ADD COLUMN "known_networks" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "app_passwords" ADD COLUMN "known_services" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
-- Credentials already in use remember where they were last used, so their next routine
-- use is not audited as a new network or service (IPv4 only; an IPv6 network is learnt
-- on its next use, with one audit row).
UPDATE "app_passwords" SET
  "known_services" = CASE WHEN "last_used_service" IS NULL THEN '{}'::text[] ELSE ARRAY["last_used_service"] END,
  "known_networks" = CASE WHEN "last_used_address" ~ '^[0-9]{1,3}(\.[0-9]{1,3}){3}$'
    THEN ARRAY[regexp_replace("last_used_address", '\.[0-9]+$', '.0/24')] ELSE '{}'::text[] END
WHERE "state" = 'active';
