/** The one-line summary of an operation in lists: status, kind, where, when, progress. */
import type { Operation } from "../../../../gen/v1/operations_pb";
import { ProgressBar, StatusBadge } from "../../components/ui";
import { formatBytes, formatDuration, formatRate, formatTime } from "../../lib/format";
import { isActive, opKind, progressOf } from "../../lib/operations";

/** How long an operation ran (or has been running). */
export function opDuration(op: Operation, now = Date.now()): string {
  const start = Number(op.unixTimeStartMs);
  if (!start) return "";
  const end = Number(op.unixTimeEndMs) || (isActive(op) ? now : 0);
  return end > start ? formatDuration(end - start) : "";
}

/** Live progress of a running backup or restore: bar, files, bytes, rate, time left, file. */
export function OpProgress(props: { op: Operation; detailed?: boolean }) {
  const p = progressOf(props.op);
  if (!p || !isActive(props.op)) return null;
  const bytes = Number(p.bytesDone);
  return (
    <div className="op-progress" data-progress={p.fraction.toFixed(3)}>
      <ProgressBar fraction={p.fraction} label={`${opKind(props.op)} progress`} />
      <div className="small muted">
        {Math.round(p.fraction * 100)}% · {String(p.filesDone)}/{String(p.totalFiles)} files ·{" "}
        {formatBytes(p.bytesDone)}/{formatBytes(p.totalBytes)} · {formatRate(bytes, p.seconds)}
        {p.secondsLeft !== undefined ? ` · ${formatDuration(p.secondsLeft * 1000)} left` : ""}
      </div>
      {props.detailed && p.currentFile ? (
        <div className="small mono ellipsis" title={p.currentFile}>
          {p.currentFile}
        </div>
      ) : null}
    </div>
  );
}

/** The line shown for an operation in the list and the tree. */
export function OpSummary(props: { op: Operation; extra?: string }) {
  const op = props.op;
  const where = [op.planId && `plan ${op.planId}`, op.repoId && `repo ${op.repoId}`]
    .filter(Boolean)
    .join(" · ");
  const duration = opDuration(op);
  return (
    <div className="op-summary">
      <div className="op-line">
        <StatusBadge status={op.status} />
        <strong className="op-kind">{opKind(op)}</strong>
        <span className="muted small ellipsis">
          {where}
          {props.extra ? ` · ${props.extra}` : ""}
        </span>
      </div>
      <div className="small muted ellipsis">
        {formatTime(op.unixTimeStartMs)}
        {duration ? ` · ${duration}` : ""}
      </div>
      {op.displayMessage && !isActive(op) ? (
        <div className="small op-message ellipsis">{op.displayMessage}</div>
      ) : null}
      <OpProgress op={op} />
    </div>
  );
}
