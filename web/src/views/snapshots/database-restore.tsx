/**
 * Restoring a database source's dump (a snapshot tagged restwell:source:db:<name>) into a
 * database: the source's own by default, or another one; a target that holds tables is
 * refused by the daemon unless "replace" is ticked. Runs as an operation.
 */
import { useId, useState } from "react";
import { type Config, DatabaseSource_Kind } from "../../../../gen/v1/config_pb";
import { backrest } from "../../api/clients";
import { errorMessage } from "../../api/errors";
import { useCan } from "../../api/principal";
import { useConfirm } from "../../components/confirm";
import { CheckField, TextField } from "../../components/field";
import { ErrorBanner } from "../../components/ui";
import { Link } from "../../lib/router";

/** The database source a snapshot was dumped from (its `restwell:source:db:` tag), or "". */
export function databaseOfSnapshot(tags: readonly string[]): string {
  const prefix = "restwell:source:db:";
  return tags.find((t) => t.startsWith(prefix))?.slice(prefix.length) ?? "";
}

/** Props of DatabaseRestore. */
export interface DatabaseRestoreProps {
  config: Config;
  repoId: string;
  planId: string;
  snapshotId: string;
  /** The plan's database source that made the dump. */
  databaseName: string;
}

/** The "Restore into database" card of a database snapshot. */
export function DatabaseRestore(props: DatabaseRestoreProps) {
  const id = useId();
  const confirm = useConfirm();
  const canRestore = useCan("snapshots:restore");
  const [target, setTarget] = useState("");
  const [replace, setReplace] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [started, setStarted] = useState<bigint>();
  const source = props.config.plans
    .find((p) => p.id === props.planId)
    ?.databases.find((d) => d.name === props.databaseName);
  const sqlite = source?.kind === DatabaseSource_Kind.SQLITE;
  const targetProblem =
    sqlite && target && !target.startsWith("/") ? "Use an absolute path." : undefined;

  const restore = async () => {
    const where = target || source?.database || "the source's database";
    const ok = await confirm({
      title: "Restore into database?",
      body: (
        <p>
          The dump of <code>{props.databaseName}</code> will be loaded into <code>{where}</code>.{" "}
          {replace
            ? "Tables in the dump that already exist there are dropped and loaded again."
            : "A target that already holds tables is refused."}
        </p>
      ),
      action: "Restore",
      danger: replace,
    });
    if (!ok) return;
    setBusy(true);
    setError(undefined);
    try {
      const res = await backrest.restoreDatabase({
        repoId: props.repoId,
        snapshotId: props.snapshotId,
        planId: props.planId,
        databaseName: props.databaseName,
        targetDatabase: target,
        replace,
      });
      setStarted(res.operationId);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (!canRestore) return null;
  return (
    <section className="card stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Restore into database</h3>
      {source ? (
        <>
          <TextField
            label={sqlite ? "Target SQLite file" : "Target database"}
            value={target}
            onChange={setTarget}
            placeholder={`empty: ${source.database}`}
            hint={
              sqlite
                ? "Created when missing."
                : "Must exist; an empty one, unless replacing. Uses the source's connection settings."
            }
            errors={targetProblem ? [targetProblem] : undefined}
            autoComplete="off"
          />
          <CheckField
            label="Replace a target that already holds tables"
            checked={replace}
            onChange={setReplace}
          />
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={busy || Boolean(targetProblem)}
              onClick={restore}
            >
              Restore into database
            </button>
          </div>
        </>
      ) : (
        <p className="small muted">
          Plan {props.planId || "-"} has no database source "{props.databaseName}" any more; add it
          again to restore this dump, or download the dump file.
        </p>
      )}
      <ErrorBanner error={error} />
      {started !== undefined ? (
        <p className="small" role="status">
          Restore started: <Link to={`/operations/${started}`}>operation {String(started)}</Link>
        </p>
      ) : null}
    </section>
  );
}
