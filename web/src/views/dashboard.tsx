/**
 * Dashboard: every plan and repo at a glance: last run and its status, next run, a 30-day
 * strip of outcomes, and charts of bytes added, backup duration and repository size. It
 * reloads when operations finish.
 */
import { OperationStatus } from "../../../gen/v1/operations_pb";
import type { StorageUsage, SummaryDashboardResponse_Summary } from "../../../gen/v1/service_pb";
import { backrest } from "../api/clients";
import { BarChart, LineChart, OutcomeStrip } from "../components/charts";
import { Empty, ErrorBanner, Loading, PageHeader, StatusBadge } from "../components/ui";
import { formatBytes, formatDuration, formatRelative, formatTime } from "../lib/format";
import { Link } from "../lib/router";
import { useAsync } from "../lib/use-async";
import { useOpRefresh } from "../lib/use-op-refresh";

interface DashboardData {
  summary: Awaited<ReturnType<typeof backrest.getSummaryDashboard>>;
  /** Undefined when the daemon cannot report sizes. */
  usage?: StorageUsage;
}

async function fetchDashboard(): Promise<DashboardData> {
  const [summary, usage] = await Promise.all([
    backrest.getSummaryDashboard({}),
    backrest.getStorageUsage({}).catch(() => undefined),
  ]);
  return { summary, usage };
}

let prefetched: Promise<DashboardData> | undefined;

/** Starts loading the dashboard's data before the view mounts (used once, by the first load). */
export function prefetchDashboard(): void {
  prefetched = fetchDashboard();
  // A refused prefetch (signed out) is not an error of the view: it loads again itself.
  prefetched.catch(() => {});
}

function loadDashboard(): Promise<DashboardData> {
  const early = prefetched;
  prefetched = undefined;
  return early ? early.catch(fetchDashboard) : fetchDashboard();
}

function Activity(props: { s: SummaryDashboardResponse_Summary }) {
  const r = props.s.recentBackups;
  // Charts show finished backups only (not the planned or running ones).
  const done = (r?.status ?? []).flatMap((status, i) =>
    status === OperationStatus.STATUS_PENDING || status === OperationStatus.STATUS_INPROGRESS
      ? []
      : [i],
  );
  const pick = (values: readonly bigint[] | undefined) =>
    done.map((i) => Number(values?.[i] ?? 0n));
  return (
    <>
      <OutcomeStrip times={r?.timestampMs ?? []} statuses={r?.status ?? []} />
      <div className="form-grid">
        <BarChart
          title="Bytes added per backup"
          values={pick(r?.bytesAdded)}
          format={formatBytes}
        />
        <BarChart title="Backup duration" values={pick(r?.durationMs)} format={formatDuration} />
      </div>
    </>
  );
}

function PlanCard(props: { s: SummaryDashboardResponse_Summary }) {
  const s = props.s;
  return (
    <article className="card" aria-labelledby={`plan-${s.id}`} data-plan={s.id}>
      <div className="spread">
        <h3 id={`plan-${s.id}`}>
          <Link to={`/plans/${encodeURIComponent(s.id)}`}>{s.id}</Link>
        </h3>
        {s.lastBackupTimeMs ? <StatusBadge status={s.lastBackupStatus} /> : null}
      </div>
      <dl className="facts small">
        <dt>Last run</dt>
        <dd>
          {s.lastBackupTimeMs ? (
            <span title={formatTime(s.lastBackupTimeMs)}>{formatRelative(s.lastBackupTimeMs)}</span>
          ) : (
            "never"
          )}
        </dd>
        <dt>Next run</dt>
        <dd>
          {s.nextBackupTimeMs ? (
            <span title={formatTime(s.nextBackupTimeMs)}>{formatRelative(s.nextBackupTimeMs)}</span>
          ) : (
            "not scheduled"
          )}
        </dd>
        <dt>30 days</dt>
        <dd>
          {String(s.backupsSuccessLast30days)} ok, {String(s.backupsWarningLast30days)} warnings,{" "}
          {String(s.backupsFailed30days)} failed; {formatBytes(s.bytesAddedLast30days)} added
        </dd>
      </dl>
      <Activity s={s} />
    </article>
  );
}

function RepoCard(props: { s: SummaryDashboardResponse_Summary; usage?: StorageUsage }) {
  const s = props.s;
  const size = props.usage?.repos.find((r) => r.repoId === s.id);
  return (
    <article className="card" aria-labelledby={`repo-${s.id}`} data-repo={s.id}>
      <div className="spread">
        <h3 id={`repo-${s.id}`}>
          <Link to={`/repos/${encodeURIComponent(s.id)}`}>{s.id}</Link>
        </h3>
        {s.lastBackupTimeMs ? <StatusBadge status={s.lastBackupStatus} /> : null}
      </div>
      <dl className="facts small">
        <dt>Snapshots</dt>
        <dd>{String(s.totalSnapshots)}</dd>
        <dt>Size</dt>
        <dd>
          {size?.measuredAtMs
            ? `${formatBytes(size.totalSize)} (measured ${formatRelative(size.measuredAtMs)})`
            : "not measured yet (run stats)"}
        </dd>
        <dt>Last backup</dt>
        <dd>{s.lastBackupTimeMs ? formatRelative(s.lastBackupTimeMs) : "never"}</dd>
      </dl>
      <Activity s={s} />
      {size ? (
        <LineChart
          title="Repository size"
          points={size.history.map((p) => ({ t: Number(p.timeMs), v: Number(p.totalSize) }))}
          format={formatBytes}
        />
      ) : null}
    </article>
  );
}

/** The dashboard view. */
export function Dashboard() {
  const data = useAsync(loadDashboard, []);
  useOpRefresh(data.reload);
  const summary = data.value?.summary;
  return (
    <>
      <PageHeader title="Dashboard" />
      <ErrorBanner error={data.error} />
      {!summary ? (
        data.loading ? (
          <Loading what="the dashboard" />
        ) : null
      ) : (
        <div className="stack">
          <section aria-labelledby="dash-plans">
            <h2 id="dash-plans">Plans</h2>
            {summary.planSummaries.length === 0 ? (
              <Empty>
                No plans yet. <Link to="/plans/new">Add a plan</Link> to start backing up.
              </Empty>
            ) : (
              <div className="grid">
                {summary.planSummaries.map((s) => (
                  <PlanCard key={s.id} s={s} />
                ))}
              </div>
            )}
          </section>
          <section aria-labelledby="dash-repos">
            <h2 id="dash-repos">Repos</h2>
            {summary.repoSummaries.length === 0 ? (
              <Empty>
                No repos yet. <Link to="/repos/new">Add a repo</Link> first.
              </Empty>
            ) : (
              <div className="grid">
                {summary.repoSummaries.map((s) => (
                  <RepoCard key={s.id} s={s} usage={data.value?.usage} />
                ))}
              </div>
            )}
          </section>
          <p className="small muted">
            Config: <code>{summary.configPath}</code> · Data: <code>{summary.dataPath}</code>
          </p>
        </div>
      )}
    </>
  );
}
