/** Small building blocks shared by the views. */
import type { ReactNode } from "react";
import type { OperationStatus } from "../../../gen/v1/operations_pb";
import { statusText, statusTone } from "../lib/operations";

/** A view's title with its actions. */
export function PageHeader(props: { title: string; children?: ReactNode }) {
  return (
    <div className="page-header">
      <h1>{props.title}</h1>
      {props.children ? <div className="actions">{props.children}</div> : null}
    </div>
  );
}

/** An error from the daemon (or the network), announced to screen readers. */
export function ErrorBanner(props: { error?: string | undefined; title?: string }) {
  if (!props.error) return null;
  return (
    <div className="banner error" role="alert">
      {props.title ? <strong>{props.title}: </strong> : null}
      {props.error}
    </div>
  );
}

/** Shown while something loads. */
export function Loading(props: { what?: string }) {
  return (
    <p className="muted" aria-live="polite">
      Loading{props.what ? ` ${props.what}` : ""}…
    </p>
  );
}

/** An operation status as a coloured badge. */
export function StatusBadge(props: { status: OperationStatus }) {
  return (
    <span
      className={`badge tone-${statusTone(props.status)}`}
      data-status={statusText(props.status)}
    >
      {statusText(props.status)}
    </span>
  );
}

/** A progress bar with an accessible value. */
export function ProgressBar(props: { fraction: number; label: string }) {
  const pct = Math.max(0, Math.min(100, props.fraction * 100));
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(pct)}
    >
      <div style={{ width: `${pct}%` }} />
    </div>
  );
}

/** Shown when a list is empty. */
export function Empty(props: { children: ReactNode }) {
  return <div className="empty">{props.children}</div>;
}
