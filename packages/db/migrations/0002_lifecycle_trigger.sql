-- GENERATED from the credential machine (packages/lifecycle/src/machine.ts) by
-- `pnpm --filter @sidekey/db lifecycle-trigger`. Do not edit: change the machine, then
-- regenerate into a new custom migration (a test compares the latest one with the machine).
--
-- app_passwords.state may change only along the machine's edges:
--   pending → active  (USE)
--   pending → revoked  (REVOKE, EXPIRE)
--   active → active  (USE)
--   active → revoked  (REVOKE, EXPIRE)
-- and a credential is created in: pending.
CREATE OR REPLACE FUNCTION app_passwords_follow_lifecycle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.state::text IN ('pending') THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'app_passwords: a credential cannot be created in state %', NEW.state
      USING ERRCODE = 'check_violation', CONSTRAINT = 'app_passwords_lifecycle';
  END IF;
  IF (OLD.state::text, NEW.state::text) IN (('pending', 'active'), ('pending', 'revoked'), ('active', 'active'), ('active', 'revoked')) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'app_passwords: % → % is not a transition of the credential lifecycle', OLD.state, NEW.state
    USING ERRCODE = 'check_violation', CONSTRAINT = 'app_passwords_lifecycle';
END;
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS app_passwords_lifecycle ON app_passwords;
--> statement-breakpoint
CREATE TRIGGER app_passwords_lifecycle
  BEFORE INSERT OR UPDATE OF state ON app_passwords
  FOR EACH ROW EXECUTE FUNCTION app_passwords_follow_lifecycle();
