/**
 * Restoring or downloading the selected files and folders of a snapshot. One item restores
 * into the target; several each restore into a folder of their own name below it. Restores
 * run as operations (followed live on the operations page); downloads use signed links.
 */
import { useId, useState } from "react";
import { DoRepoTaskRequest_Task } from "../../../../gen/v1/service_pb";
import { backrest } from "../../api/clients";
import { errorMessage } from "../../api/errors";
import { useCan } from "../../api/principal";
import { useConfirm } from "../../components/confirm";
import { PathInput } from "../../components/path-input";
import { ErrorBanner } from "../../components/ui";
import { Link } from "../../lib/router";

function baseName(path: string): string {
  return path.split("/").filter(Boolean).at(-1) ?? "snapshot";
}

/** The operation id through which a snapshot can be downloaded (the one that recorded it). */
async function snapshotOperation(repoId: string, snapshotId: string): Promise<bigint> {
  const find = async () =>
    (await backrest.getOperations({ selector: { repoId, snapshotId }, lastN: 1n })).operations[0]
      ?.id;
  let id = await find();
  if (id === undefined) {
    // Made elsewhere and not indexed yet.
    await backrest.doRepoTask({ repoId, task: DoRepoTaskRequest_Task.INDEX_SNAPSHOTS });
    id = await find();
  }
  if (id === undefined)
    throw new Error("This snapshot is not in the operation log; index the repo and try again.");
  return id;
}

/** Props of RestorePanel. */
export interface RestorePanelProps {
  repoId: string;
  planId: string;
  snapshotId: string;
  selected: readonly string[];
}

/** The restore and download actions. */
export function RestorePanel(props: RestorePanelProps) {
  const id = useId();
  const confirm = useConfirm();
  const canRestore = useCan("snapshots:restore");
  const canDownload = useCan("snapshots:download");
  const [target, setTarget] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [started, setStarted] = useState<bigint[]>([]);
  const items = props.selected;
  const targetProblem = target && !target.startsWith("/") ? "Use an absolute path." : undefined;

  const restore = async () => {
    if (targetProblem || items.length === 0) return;
    const where = target || "a new folder in the daemon's data directory";
    const ok = await confirm({
      title: `Restore ${items.length} item(s)?`,
      body: (
        <>
          <p>
            {items.length === 1 ? items[0] : `${items.length} files and folders`} will be restored
            to <code>{where}</code>
            {items.length > 1 && target ? ", each in a folder of its own name" : ""}. restic
            recreates the full original path below the target. The target must be empty or not
            exist.
          </p>
        </>
      ),
      action: "Restore",
    });
    if (!ok) return;
    setBusy(true);
    setError(undefined);
    try {
      const ids: bigint[] = [];
      for (const path of items) {
        const dest =
          target && items.length > 1 ? `${target.replace(/\/+$/, "")}/${baseName(path)}` : target;
        const res = await backrest.restore({
          repoId: props.repoId,
          planId: props.planId,
          snapshotId: props.snapshotId,
          path,
          target: dest,
        });
        ids.push(res.operationId);
      }
      setStarted(ids);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const download = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const opId = await snapshotOperation(props.repoId, props.snapshotId);
      for (const path of items) {
        const link = await backrest.getDownloadURL({ opId, filePath: path });
        const a = document.createElement("a");
        a.href = link.value;
        a.download = "";
        document.body.append(a);
        a.click();
        a.remove();
      }
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        {items.length === 0
          ? "Select files or folders to restore or download"
          : `${items.length} selected`}
      </h3>
      {items.length > 0 ? (
        <ul className="small plain-list">
          {items.slice(0, 10).map((p) => (
            <li key={p}>
              <code>{p}</code>
            </li>
          ))}
          {items.length > 10 ? <li>…and {items.length - 10} more</li> : null}
        </ul>
      ) : null}
      {canRestore ? (
        <div className="field">
          <label htmlFor={`${id}-target`}>Restore to</label>
          <PathInput
            id={`${id}-target`}
            label="Restore to"
            value={target}
            onChange={setTarget}
            invalid={Boolean(targetProblem)}
            dirsOnly
            placeholder="empty: a new folder in the data directory"
          />
          {targetProblem ? <span className="field-error">{targetProblem}</span> : null}
        </div>
      ) : null}
      <div className="actions">
        {canRestore ? (
          <button
            type="button"
            className="primary"
            disabled={busy || items.length === 0 || Boolean(targetProblem)}
            onClick={restore}
          >
            Restore
          </button>
        ) : null}
        {canDownload ? (
          <button type="button" disabled={busy || items.length === 0} onClick={download}>
            Download
          </button>
        ) : null}
      </div>
      <ErrorBanner error={error} />
      {started.length > 0 ? (
        <p className="small" role="status">
          Restore started:{" "}
          {started.map((s, i) => (
            <span key={String(s)}>
              {i ? ", " : ""}
              <Link to={`/operations/${s}`}>operation {String(s)}</Link>
            </span>
          ))}
        </p>
      ) : null}
    </section>
  );
}
