/** Human-readable numbers, sizes, times and names for tables and progress lines. */
import { type Operation, OperationStatus } from "../../gen/v1/operations_pb.js";

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** 1536 -> "1.5 KiB"; whole bytes below 1 KiB. */
export function formatBytes(bytes: number | bigint): string {
  let n = Number(bytes);
  let unit = 0;
  while (Math.abs(n) >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** Seconds as "4.2s", "3m05s" or "2h07m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "-";
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m${pad2(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${pad2(Math.floor((s % 3600) / 60))}m`;
}

/** Unix ms as local "YYYY-MM-DD HH:MM:SS"; "-" for 0. */
export function formatTime(unixMs: number | bigint): string {
  const ms = Number(unixMs);
  if (!ms) return "-";
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** STATUS_USER_CANCELLED -> "user-cancelled". */
export function statusName(status: OperationStatus): string {
  const name = OperationStatus[status] ?? String(status);
  return name
    .replace(/^STATUS_/, "")
    .toLowerCase()
    .replaceAll("_", "-");
}

/** The kind of an operation: "backup", "index", "forget", "hook"... */
export function operationKind(op: Operation): string {
  switch (op.op.case) {
    case undefined:
      return "-";
    case "operationIndexSnapshot":
      return "index";
    case "operationRunHook":
      return "hook";
    case "operationRunCommand":
      return "command";
    default:
      return op.op.case.replace(/^operation/, "").toLowerCase();
  }
}

/** Shortens text to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  const oneLine = text.replaceAll(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}
