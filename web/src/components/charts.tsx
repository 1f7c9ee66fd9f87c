/**
 * Small SVG charts: bars for per-backup values, a line for a value over time, and the 30-day
 * strip of outcomes. Each has a text alternative for screen readers.
 */
import { OperationStatus } from "../../../gen/v1/operations_pb";
import { formatDay } from "../lib/format";
import { statusTone } from "../lib/operations";

const W = 300;
const H = 90;
const PAD = 14;

/** One bar per value, scaled to the largest; the newest on the right. */
export function BarChart(props: {
  title: string;
  values: readonly number[];
  format: (v: number) => string;
}) {
  const max = Math.max(...props.values, 0);
  const n = props.values.length;
  // A few values keep the width of a bar among many, rather than filling the chart.
  const slot = (W - 2) / Math.max(n, 24);
  const summary =
    n === 0
      ? `${props.title}: no data`
      : `${props.title}: ${n} values, largest ${props.format(max)}, latest ${props.format(props.values[n - 1] ?? 0)}`;
  return (
    <figure className="chart-figure">
      <figcaption className="small muted">
        {props.title}
        {n > 0 ? ` (max ${props.format(max)})` : ""}
      </figcaption>
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img">
        <title>{summary}</title>
        <line className="axis" x1={0} y1={H - 1} x2={W} y2={H - 1} />
        {props.values.map((v, i) => {
          const h = max > 0 ? Math.max(1, ((H - PAD) * v) / max) : 0;
          return (
            <rect
              // biome-ignore lint/suspicious/noArrayIndexKey: bars are positional.
              key={i}
              className="bar"
              x={W - 1 - (n - i) * slot + slot * 0.15}
              y={H - 1 - h}
              width={Math.max(1, slot * 0.7)}
              height={h}
            >
              <title>{props.format(v)}</title>
            </rect>
          );
        })}
      </svg>
    </figure>
  );
}

/** A line through (time, value) points, oldest first. */
export function LineChart(props: {
  title: string;
  points: readonly { t: number; v: number }[];
  format: (v: number) => string;
}) {
  const pts = props.points;
  if (pts.length === 0) {
    return (
      <figure className="chart-figure">
        <figcaption className="small muted">{props.title}: no data yet</figcaption>
      </figure>
    );
  }
  const t0 = pts[0]?.t ?? 0;
  const t1 = pts.at(-1)?.t ?? t0;
  const max = Math.max(...pts.map((p) => p.v), 1);
  const x = (t: number) => (t1 > t0 ? ((t - t0) / (t1 - t0)) * (W - 4) + 2 : W / 2);
  const y = (v: number) => H - 2 - ((H - PAD) * v) / max;
  const d = pts.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`);
  const latest = pts.at(-1)?.v ?? 0;
  return (
    <figure className="chart-figure">
      <figcaption className="small muted">
        {props.title} (now {props.format(latest)})
      </figcaption>
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img">
        <title>{`${props.title}: from ${props.format(pts[0]?.v ?? 0)} on ${formatDay(t0)} to ${props.format(latest)} on ${formatDay(t1)}`}</title>
        <line className="axis" x1={0} y1={H - 1} x2={W} y2={H - 1} />
        <path
          className="line"
          d={pts.length === 1 ? `M0,${y(latest)} L${W},${y(latest)}` : d.join(" ")}
        />
      </svg>
    </figure>
  );
}

const DAY_MS = 86_400_000;
const RANK: Record<string, number> = { idle: 0, ok: 1, warn: 2, bad: 3 };

/**
 * One cell per day of the last 30 days (today on the right), coloured by the worst outcome
 * of that day's backups; grey when none ran.
 */
export function OutcomeStrip(props: {
  times: readonly bigint[];
  statuses: readonly OperationStatus[];
  now?: number;
}) {
  const now = props.now ?? Date.now();
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  const start = today.getTime() - 29 * DAY_MS;
  const days: ("idle" | "ok" | "warn" | "bad")[] = Array.from({ length: 30 }, () => "idle");
  props.times.forEach((t, i) => {
    const day = Math.floor((Number(t) - start) / DAY_MS);
    if (day < 0 || day > 29) return;
    const status = props.statuses[i] ?? OperationStatus.STATUS_UNKNOWN;
    const tone = statusTone(status);
    const rank = tone === "busy" ? 0 : (RANK[tone] ?? 0);
    if (rank > (RANK[days[day] ?? "idle"] ?? 0)) days[day] = tone as "ok" | "warn" | "bad";
  });
  const counts = { ok: 0, warn: 0, bad: 0 };
  for (const d of days) if (d !== "idle") counts[d]++;
  const label = `Last 30 days: ${counts.ok} days all successful, ${counts.warn} with warnings, ${counts.bad} with errors`;
  return (
    <div className="strip" role="img" aria-label={label} title={label}>
      {days.map((tone, i) => (
        <span
          // biome-ignore lint/suspicious/noArrayIndexKey: days are positional.
          key={i}
          className={`tone-${tone}`}
          title={`${formatDay(start + i * DAY_MS)}: ${tone === "idle" ? "no backup" : tone}`}
        />
      ))}
    </div>
  );
}
