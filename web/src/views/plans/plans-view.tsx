/**
 * Plans: the list (/plans), a plan with its actions and history (/plans/<id>), and the form
 * (/plans/new, /plans/<id>/edit).
 */
import type { Plan, RetentionPolicy } from "../../../../gen/v1/config_pb";
import type { SummaryDashboardResponse_Summary } from "../../../../gen/v1/service_pb";
import { backrest } from "../../api/clients";
import { useConfig } from "../../api/config-store";
import { useCan } from "../../api/principal";
import { Empty, ErrorBanner, Loading, PageHeader, StatusBadge } from "../../components/ui";
import { formatRelative, formatTime } from "../../lib/format";
import { Link, useLocation } from "../../lib/router";
import { describeSchedule } from "../../lib/schedule";
import { useAsync } from "../../lib/use-async";
import { useOpRefresh } from "../../lib/use-op-refresh";
import { OperationHistory } from "../operations/operation-history";
import { PlanActions } from "./plan-actions";
import { PlanForm } from "./plan-form";

function useSummaries(modno: number | undefined): Map<string, SummaryDashboardResponse_Summary> {
  // A saved config changes next runs: read them again.
  const data = useAsync(() => backrest.getSummaryDashboard({}), [modno]);
  useOpRefresh(data.reload, (op) => op.op.case === "operationBackup");
  const byId = new Map<string, SummaryDashboardResponse_Summary>();
  for (const s of data.value?.planSummaries ?? []) byId.set(s.id, s);
  return byId;
}

/** A retention policy in words. */
export function describeRetention(r: RetentionPolicy | undefined): string {
  const p = r?.policy;
  switch (p?.case) {
    case "policyKeepLastN":
      return `Keep the last ${p.value}`;
    case "policyKeepAll":
      return "Keep everything";
    case "policyTimeBucketed": {
      const v = p.value;
      const parts = [
        v.keepLastN && `last ${v.keepLastN}`,
        v.hourly && `${v.hourly} hourly`,
        v.daily && `${v.daily} daily`,
        v.weekly && `${v.weekly} weekly`,
        v.monthly && `${v.monthly} monthly`,
        v.yearly && `${v.yearly} yearly`,
      ].filter(Boolean);
      return `Keep ${parts.join(", ")}`;
    }
    default:
      return "Keep everything (no policy)";
  }
}

type Summaries = Map<string, SummaryDashboardResponse_Summary>;

function PlanList(props: { plans: Plan[]; summaries: Summaries }) {
  const summaries = props.summaries;
  const canWrite = useCan("config:write");
  return (
    <>
      <PageHeader title="Plans">
        {canWrite ? (
          <Link className="button" to="/plans/new">
            Add plan
          </Link>
        ) : null}
      </PageHeader>
      {props.plans.length === 0 ? (
        <Empty>No plans yet.</Empty>
      ) : (
        <div className="grid">
          {props.plans.map((plan) => {
            const s = summaries.get(plan.id);
            return (
              <article key={plan.id} className="card" data-plan={plan.id}>
                <div className="spread">
                  <h2>
                    <Link to={`/plans/${encodeURIComponent(plan.id)}`}>{plan.id}</Link>
                  </h2>
                  {plan.paused ? <span className="badge tone-warn">paused</span> : null}
                </div>
                <dl className="facts small">
                  <dt>Repo</dt>
                  <dd>{plan.repo}</dd>
                  <dt>Schedule</dt>
                  <dd>{describeSchedule(plan.schedule)}</dd>
                  <dt>Last run</dt>
                  <dd>
                    {s?.lastBackupTimeMs ? (
                      <>
                        <StatusBadge status={s.lastBackupStatus} />{" "}
                        {formatRelative(s.lastBackupTimeMs)}
                      </>
                    ) : (
                      "never"
                    )}
                  </dd>
                  <dt>Next run</dt>
                  <dd>{s?.nextBackupTimeMs ? formatRelative(s.nextBackupTimeMs) : "-"}</dd>
                </dl>
                <PlanActions plan={plan} compact />
              </article>
            );
          })}
        </div>
      )}
    </>
  );
}

function PlanPage(props: { plan: Plan; summaries: Summaries }) {
  const { plan } = props;
  const s = props.summaries.get(plan.id);
  return (
    <>
      <PageHeader title={`Plan ${plan.id}`} />
      <div className="stack">
        <section className="card stack">
          <PlanActions plan={plan} />
          <dl className="facts">
            <dt>Repo</dt>
            <dd>
              <Link to={`/repos/${encodeURIComponent(plan.repo)}`}>{plan.repo}</Link>
            </dd>
            <dt>Paths</dt>
            <dd>{plan.paths.join(", ")}</dd>
            {plan.excludes.length ? (
              <>
                <dt>Excludes</dt>
                <dd>{plan.excludes.join(", ")}</dd>
              </>
            ) : null}
            <dt>Schedule</dt>
            <dd>
              {describeSchedule(plan.schedule)}
              {plan.paused ? " (paused)" : ""}
            </dd>
            <dt>Next run</dt>
            <dd data-testid="plan-next-run">
              {s?.nextBackupTimeMs ? formatTime(s.nextBackupTimeMs) : "-"}
            </dd>
            <dt>Retention</dt>
            <dd>{describeRetention(plan.retention)}</dd>
            <dt>Hooks</dt>
            <dd>{plan.hooks.length}</dd>
          </dl>
          <p className="small">
            <Link
              to={`/snapshots?repo=${encodeURIComponent(plan.repo)}&plan=${encodeURIComponent(plan.id)}`}
            >
              Browse this plan's snapshots
            </Link>
          </p>
        </section>
        <section aria-labelledby="plan-history">
          <h2 id="plan-history">History</h2>
          <OperationHistory filter={{ planId: plan.id }} label={`History of plan ${plan.id}`} />
        </section>
      </div>
    </>
  );
}

/** The plans view. */
export default function PlansView() {
  const { segments } = useLocation();
  const { config, error } = useConfig();
  const summaries = useSummaries(config?.modno);
  if (!config) return error ? <ErrorBanner error={error} /> : <Loading what="the config" />;
  const id = segments[1];
  if (id === "new")
    return (
      <>
        <PageHeader title="New plan" />
        {config.repos.length === 0 ? (
          <Empty>
            Add a <Link to="/repos/new">repo</Link> first: a plan backs up to one.
          </Empty>
        ) : (
          <PlanForm config={config} />
        )}
      </>
    );
  if (id === undefined) return <PlanList plans={config.plans} summaries={summaries} />;
  const plan = config.plans.find((p) => p.id === id);
  if (!plan) return <ErrorBanner error={`Plan "${id}" does not exist.`} />;
  if (segments[2] === "edit")
    return (
      <>
        <PageHeader title={`Edit plan ${plan.id}`} />
        <PlanForm
          key={`${plan.id}-${config.modno}`}
          config={config}
          plan={plan}
          lastRunMs={Number(summaries.get(plan.id)?.lastBackupTimeMs ?? 0) || undefined}
        />
      </>
    );
  return <PlanPage plan={plan} summaries={summaries} />;
}
