-- The audit log stays append-only with one exception: the retention prune (housekeeping,
-- `sidekey prune`), which marks its own transaction with
-- SET LOCAL sidekey.audit_prune = 'on', deletes only rows older than the operator's
-- SIDEKEY_AUDIT_RETENTION_DAYS, and records an audit event for what it removed.
-- UPDATE and TRUNCATE stay refused.
CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('sidekey.audit_prune', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
