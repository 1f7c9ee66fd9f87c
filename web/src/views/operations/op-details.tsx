/**
 * Details of one operation: what, where and when, the error, kind-specific results (backup
 * summary and file errors, forgotten snapshots, restore target, stats), live progress, the
 * log, and cancel.
 */
import { useState } from "react";
import { type Operation, OperationStatus } from "../../../../gen/v1/operations_pb";
import { backrest } from "../../api/clients";
import { errorMessage } from "../../api/errors";
import { useCan } from "../../api/principal";
import { useConfirm } from "../../components/confirm";
import { ErrorBanner, StatusBadge } from "../../components/ui";
import { formatBytes, formatDuration, formatTime } from "../../lib/format";
import { isActive, logRefOf, opKind } from "../../lib/operations";
import { Link } from "../../lib/router";
import { LogView } from "./log-view";
import { OpProgress, opDuration } from "./op-summary";

function KindDetails(props: { op: Operation }) {
  const { op } = props;
  switch (op.op.case) {
    case "operationBackup": {
      const b = op.op.value;
      const summary = b.lastStatus?.entry.case === "summary" ? b.lastStatus.entry.value : undefined;
      return (
        <>
          {summary ? (
            <dl className="facts small">
              <dt>Files</dt>
              <dd>
                {String(summary.filesNew)} new, {String(summary.filesChanged)} changed,{" "}
                {String(summary.filesUnmodified)} unmodified
              </dd>
              <dt>Data added</dt>
              <dd>{formatBytes(summary.dataAdded)}</dd>
              <dt>Processed</dt>
              <dd>
                {String(summary.totalFilesProcessed)} files,{" "}
                {formatBytes(summary.totalBytesProcessed)}
              </dd>
              <dt>restic took</dt>
              <dd>{formatDuration(summary.totalDuration * 1000)}</dd>
            </dl>
          ) : null}
          {b.errors.length > 0 ? (
            <section>
              <h3>Files that could not be read ({b.errors.length})</h3>
              <ul className="small">
                {b.errors.slice(0, 200).map((e, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the list does not change order.
                  <li key={i}>
                    <code>{e.item}</code>: {e.message}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </>
      );
    }
    case "operationForget": {
      const f = op.op.value;
      return (
        <p className="small">
          {f.forget.length === 0
            ? "No snapshot was removed."
            : `Removed ${f.forget.length} snapshot(s): ${f.forget.map((s) => s.shortId || s.id.slice(0, 8)).join(", ")}`}
        </p>
      );
    }
    case "operationRestore":
      return (
        <dl className="facts small">
          <dt>Path</dt>
          <dd>
            <code>{op.op.value.path || "/"}</code>
          </dd>
          <dt>Restored to</dt>
          <dd>
            <code>{op.op.value.target}</code>
          </dd>
        </dl>
      );
    case "operationRestoreDatabase": {
      const r = op.op.value;
      return (
        <dl className="facts small">
          <dt>Dump</dt>
          <dd>
            <code>{r.filename || "-"}</code> of snapshot <code>{r.snapshotId.slice(0, 8)}</code>
          </dd>
          <dt>Loaded into</dt>
          <dd>
            <code>{r.target}</code>
          </dd>
          <dt>Read</dt>
          <dd>
            {formatBytes(r.bytesDone)}
            {r.bytesTotal > 0n ? ` of ${formatBytes(r.bytesTotal)}` : ""}
          </dd>
        </dl>
      );
    }
    case "operationStats": {
      const s = op.op.value.stats;
      return s ? (
        <dl className="facts small">
          <dt>Stored</dt>
          <dd>{formatBytes(s.totalSize)}</dd>
          <dt>Uncompressed</dt>
          <dd>{formatBytes(s.totalUncompressedSize)}</dd>
          <dt>Snapshots</dt>
          <dd>{String(s.snapshotCount)}</dd>
        </dl>
      ) : null;
    }
    case "operationIndexSnapshot":
      return op.op.value.snapshot ? (
        <p className="small">
          Snapshot <code>{op.op.value.snapshot.shortId}</code> of{" "}
          {formatTime(op.op.value.snapshot.unixTimeMs)}
          {op.op.value.forgot ? " (since forgotten)" : ""}
        </p>
      ) : null;
    default:
      return null;
  }
}

/** The details panel. */
export function OperationDetails(props: { op: Operation }) {
  const { op } = props;
  const confirm = useConfirm();
  const canCancel = useCan("operations:cancel");
  const [error, setError] = useState<string>();
  const logRef = logRefOf(op);
  const failed =
    op.status === OperationStatus.STATUS_ERROR || op.status === OperationStatus.STATUS_WARNING;

  const cancel = async () => {
    const ok = await confirm({
      title: "Cancel this operation?",
      body: `${opKind(op)} ${op.planId ? `of plan ${op.planId}` : ""} will be stopped.`,
      action: "Cancel operation",
      danger: true,
    });
    if (!ok) return;
    try {
      setError(undefined);
      await backrest.cancel({ operationId: op.id });
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <article className="card stack" aria-labelledby="op-title" data-op-details={String(op.id)}>
      <div className="spread">
        <h2 id="op-title">
          {opKind(op)} <StatusBadge status={op.status} />
        </h2>
        {isActive(op) && canCancel ? (
          <button type="button" className="danger" onClick={cancel}>
            Cancel
          </button>
        ) : null}
      </div>
      <ErrorBanner error={error} />
      {op.displayMessage ? (
        <div className={failed ? "banner error" : "banner info"}>{op.displayMessage}</div>
      ) : null}
      <OpProgress op={op} detailed />
      <dl className="facts small">
        <dt>Id</dt>
        <dd>
          {String(op.id)} (flow {String(op.flowId)})
        </dd>
        {op.planId ? (
          <>
            <dt>Plan</dt>
            <dd>
              <Link to={`/plans/${encodeURIComponent(op.planId)}`}>{op.planId}</Link>
            </dd>
          </>
        ) : null}
        <dt>Repo</dt>
        <dd>
          <Link to={`/repos/${encodeURIComponent(op.repoId)}`}>{op.repoId}</Link>
        </dd>
        <dt>Started</dt>
        <dd>{formatTime(op.unixTimeStartMs, true)}</dd>
        <dt>Ended</dt>
        <dd>{formatTime(op.unixTimeEndMs, true)}</dd>
        <dt>Duration</dt>
        <dd>{opDuration(op) || "-"}</dd>
        {op.snapshotId ? (
          <>
            <dt>Snapshot</dt>
            <dd>
              <Link
                to={`/snapshots?repo=${encodeURIComponent(op.repoId)}&snapshot=${encodeURIComponent(op.snapshotId)}`}
              >
                <code>{op.snapshotId.slice(0, 8)}</code>
              </Link>
            </dd>
          </>
        ) : null}
      </dl>
      <KindDetails op={op} />
      {logRef ? <LogView key={logRef} logRef={logRef} running={isActive(op)} /> : null}
    </article>
  );
}
