/** Maintenance of a repo: index, prune, check, stats, unlock, apply retention; and removing it. */
import { type ReactNode, useState } from "react";
import type { Repo } from "../../../../gen/v1/config_pb";
import { DoRepoTaskRequest_Task } from "../../../../gen/v1/service_pb";
import { backrest } from "../../api/clients";
import { setConfig } from "../../api/config-store";
import { errorMessage } from "../../api/errors";
import { useCan } from "../../api/principal";
import { type ConfirmRequest, useConfirm } from "../../components/confirm";
import { ErrorBanner } from "../../components/ui";
import { Link, navigate } from "../../lib/router";

const TASKS: {
  task: DoRepoTaskRequest_Task;
  label: string;
  confirm?: Omit<ConfirmRequest, "title">;
}[] = [
  { task: DoRepoTaskRequest_Task.INDEX_SNAPSHOTS, label: "Index snapshots" },
  { task: DoRepoTaskRequest_Task.STATS, label: "Stats" },
  { task: DoRepoTaskRequest_Task.CHECK, label: "Check" },
  {
    task: DoRepoTaskRequest_Task.PRUNE,
    label: "Prune",
    confirm: {
      body: "Prune deletes data no snapshot uses any more. It locks the repository while it runs.",
      action: "Prune",
      danger: true,
    },
  },
  {
    task: DoRepoTaskRequest_Task.FORGET,
    label: "Apply retention",
    confirm: {
      body: "Every plan's retention policy is applied to this repository: snapshots it does not keep are forgotten.",
      action: "Apply retention",
      danger: true,
    },
  },
  {
    task: DoRepoTaskRequest_Task.UNLOCK,
    label: "Unlock",
    confirm: {
      body: "Removes the repository's locks. Only do this when no other restic process is using it.",
      action: "Unlock",
      danger: true,
    },
  },
];

/** Task buttons for a repo. */
export function RepoTasks(props: { repo: Repo }) {
  const { repo } = props;
  const confirm = useConfirm();
  const canMaintain = useCan("repos:maintain");
  const canWrite = useCan("repos:write");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [message, setMessage] = useState<ReactNode>();

  const run = async (t: (typeof TASKS)[number]) => {
    if (t.confirm && !(await confirm({ title: `${t.label} ${repo.id}?`, ...t.confirm }))) return;
    setBusy(true);
    setError(undefined);
    setMessage(undefined);
    try {
      const res = await backrest.doRepoTask({ repoId: repo.id, task: t.task });
      setMessage(
        res.operationId ? (
          <>
            {t.label} started:{" "}
            <Link to={`/operations/${res.operationId}`}>operation {String(res.operationId)}</Link>
          </>
        ) : (
          `${t.label} done.`
        ),
      );
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    const ok = await confirm({
      title: `Remove repo ${repo.id}?`,
      body: "The repo is removed from the config and its history here is forgotten. The repository's data is not touched.",
      action: "Remove repo",
      danger: true,
    });
    if (!ok) return;
    try {
      setConfig(await backrest.removeRepo({ value: repo.id }));
      navigate("/repos");
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <div className="stack">
      <div className="actions">
        {canMaintain
          ? TASKS.map((t) => (
              <button key={t.task} type="button" disabled={busy} onClick={() => run(t)}>
                {t.label}
              </button>
            ))
          : null}
        {canWrite ? (
          <>
            <Link className="button" to={`/repos/${encodeURIComponent(repo.id)}/edit`}>
              Edit
            </Link>
            <button type="button" className="danger" onClick={remove}>
              Remove
            </button>
          </>
        ) : null}
      </div>
      <ErrorBanner error={error} />
      {message ? (
        <p className="small" role="status">
          {message}
        </p>
      ) : null}
    </div>
  );
}
