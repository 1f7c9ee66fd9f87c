/** Run now, dry run, pause/resume and delete for a plan, with the result announced. */
import { useState } from "react";
import type { Plan } from "../../../../gen/v1/config_pb";
import { backrest } from "../../api/clients";
import { saveConfig, setConfig } from "../../api/config-store";
import { errorMessage } from "../../api/errors";
import { useCan } from "../../api/principal";
import { useConfirm } from "../../components/confirm";
import { ErrorBanner } from "../../components/ui";
import { Link, navigate } from "../../lib/router";

/** The action buttons of a plan. */
export function PlanActions(props: { plan: Plan; compact?: boolean }) {
  const { plan } = props;
  const confirm = useConfirm();
  const canRun = useCan("plans:run");
  const canWrite = useCan("config:write");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [started, setStarted] = useState<bigint>();

  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const run = (dryRun: boolean) =>
    act(async () => {
      const res = await backrest.startBackup({ value: plan.id, dryRun });
      setStarted(res.operationId);
    });
  const pause = () =>
    act(async () => {
      setConfig(await backrest.setPaused({ planId: plan.id, paused: !plan.paused }));
    });
  const remove = async () => {
    const ok = await confirm({
      title: `Delete plan ${plan.id}?`,
      body: "The plan is removed from the config. Its snapshots stay in the repository.",
      action: "Delete plan",
      danger: true,
    });
    if (!ok) return;
    await act(async () => {
      await saveConfig((cfg) => {
        cfg.plans = cfg.plans.filter((p) => p.id !== plan.id);
      });
      navigate("/plans");
    });
  };

  return (
    <div className="stack">
      <div className="actions">
        {canRun ? (
          <>
            <button type="button" className="primary" disabled={busy} onClick={() => run(false)}>
              Run now
            </button>
            {!props.compact ? (
              <button type="button" disabled={busy} onClick={() => run(true)}>
                Dry run
              </button>
            ) : null}
            <button type="button" disabled={busy} onClick={pause} aria-pressed={plan.paused}>
              {plan.paused ? "Resume" : "Pause"}
            </button>
          </>
        ) : null}
        {canWrite && !props.compact ? (
          <>
            <Link className="button" to={`/plans/${encodeURIComponent(plan.id)}/edit`}>
              Edit
            </Link>
            <button type="button" className="danger" disabled={busy} onClick={remove}>
              Delete
            </button>
          </>
        ) : null}
      </div>
      <ErrorBanner error={error} />
      {started ? (
        <p className="small" role="status">
          Backup started: <Link to={`/operations/${started}`}>operation {String(started)}</Link>
        </p>
      ) : null}
    </div>
  );
}
