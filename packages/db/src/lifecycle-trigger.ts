import type { LifecycleGraph } from '@sidekey/lifecycle';

/**
 * Defence in depth: a trigger that lets `app_passwords.state` change only along the
 * credential machine's edges, so a bug (or a hand-typed UPDATE) that skips `decide()`
 * is refused by the database itself. The SQL is generated from the machine's graph —
 * never written by hand — and committed as a migration; a test compares the two, so a
 * machine changed without regenerating fails CI.
 *
 * Only writes that name `state` are checked (`UPDATE OF state`): label edits or a
 * re-keyed hash leave the lifecycle alone. A write that names the state but keeps it is
 * allowed only where the machine has that self-loop (active → active: the once-a-minute
 * last-use write); anything leaving the final state is refused.
 */
export const LIFECYCLE_TRIGGER_MIGRATION_NAME = 'lifecycle_trigger';

export function lifecycleTriggerSql(graph: LifecycleGraph): string {
  const stored = new Set(
    graph.states.filter((state) => state.id !== graph.initial).map((s) => s.id),
  );
  const entry = unique(
    graph.transitions.filter((edge) => edge.source === graph.initial).map((edge) => edge.target),
  );
  const edges = graph.transitions.filter(
    (edge) => stored.has(edge.source) && stored.has(edge.target),
  );
  const pairs = unique(edges.map((edge) => `${edge.source}\u0000${edge.target}`)).map((pair) =>
    pair.split('\u0000'),
  ) as [string, string][];
  const eventsOf = (from: string, to: string) =>
    unique(edges.filter((e) => e.source === from && e.target === to).map((e) => e.event));

  const allowedList = pairs.map(([from, to]) => `(${literal(from)}, ${literal(to)})`).join(', ');
  const table = pairs
    .map(([from, to]) => `--   ${from} → ${to}  (${eventsOf(from, to).join(', ')})`)
    .join('\n');

  return `-- GENERATED from the credential machine (packages/lifecycle/src/machine.ts) by
-- \`pnpm --filter @sidekey/db lifecycle-trigger\`. Do not edit: change the machine, then
-- regenerate into a new custom migration (a test compares the latest one with the machine).
--
-- app_passwords.state may change only along the machine's edges:
${table}
-- and a credential is created in: ${entry.join(', ')}.
CREATE OR REPLACE FUNCTION app_passwords_follow_lifecycle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.state::text IN (${entry.map(literal).join(', ')}) THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'app_passwords: a credential cannot be created in state %', NEW.state
      USING ERRCODE = 'check_violation', CONSTRAINT = 'app_passwords_lifecycle';
  END IF;
  IF (OLD.state::text, NEW.state::text) IN (${allowedList}) THEN
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
`;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
