/**
 * Repos: the list (/repos), a repo with its maintenance and history (/repos/<id>), and the
 * form (/repos/new, /repos/<id>/edit).
 */
import type { Repo } from "../../../../gen/v1/config_pb";
import type { StorageUsage } from "../../../../gen/v1/service_pb";
import { backrest } from "../../api/clients";
import { useConfig } from "../../api/config-store";
import { useCan } from "../../api/principal";
import { Empty, ErrorBanner, Loading, PageHeader } from "../../components/ui";
import { formatBytes, formatRelative } from "../../lib/format";
import { Link, useLocation } from "../../lib/router";
import { useAsync } from "../../lib/use-async";
import { useOpRefresh } from "../../lib/use-op-refresh";
import { OperationHistory } from "../operations/operation-history";
import { RepoForm } from "./repo-form";
import { RepoTasks } from "./repo-tasks";

function useUsage(): StorageUsage | undefined {
  const usage = useAsync(() => backrest.getStorageUsage({}).catch(() => undefined), []);
  useOpRefresh(usage.reload, (op) => op.op.case === "operationStats");
  return usage.value;
}

function Size(props: { repo: Repo; usage?: StorageUsage }) {
  const u = props.usage?.repos.find((r) => r.repoId === props.repo.id);
  if (!u?.measuredAtMs) return <>not measured yet (run Stats)</>;
  return (
    <>
      {formatBytes(u.totalSize)}, {String(u.snapshotCount)} snapshots (measured{" "}
      {formatRelative(u.measuredAtMs)})
    </>
  );
}

function RepoList(props: { repos: Repo[]; usage?: StorageUsage }) {
  const canWrite = useCan("repos:write");
  return (
    <>
      <PageHeader title="Repos">
        {canWrite ? (
          <Link className="button" to="/repos/new">
            Add repo
          </Link>
        ) : null}
      </PageHeader>
      {props.repos.length === 0 ? (
        <Empty>No repos yet. A repo is where restic stores the backups.</Empty>
      ) : (
        <div className="grid">
          {props.repos.map((repo) => (
            <article key={repo.id} className="card" data-repo={repo.id}>
              <h2>
                <Link to={`/repos/${encodeURIComponent(repo.id)}`}>{repo.id}</Link>
              </h2>
              <dl className="facts small">
                <dt>Location</dt>
                <dd>
                  <code>{repo.uri}</code>
                </dd>
                <dt>Size</dt>
                <dd>
                  <Size repo={repo} usage={props.usage} />
                </dd>
              </dl>
            </article>
          ))}
        </div>
      )}
    </>
  );
}

function RepoPage(props: { repo: Repo; usage?: StorageUsage; plans: string[] }) {
  const { repo } = props;
  return (
    <>
      <PageHeader title={`Repo ${repo.id}`} />
      <div className="stack">
        <section className="card stack">
          <RepoTasks repo={repo} />
          <dl className="facts">
            <dt>Location</dt>
            <dd>
              <code>{repo.uri}</code>
            </dd>
            <dt>Repository id</dt>
            <dd>
              <code>{repo.guid || "-"}</code>
            </dd>
            <dt>Size</dt>
            <dd>
              <Size repo={repo} usage={props.usage} />
            </dd>
            <dt>Plans</dt>
            <dd>
              {props.plans.length
                ? props.plans.map((p, i) => (
                    <span key={p}>
                      {i ? ", " : ""}
                      <Link to={`/plans/${encodeURIComponent(p)}`}>{p}</Link>
                    </span>
                  ))
                : "none"}
            </dd>
          </dl>
          <p className="small">
            <Link to={`/snapshots?repo=${encodeURIComponent(repo.id)}`}>Browse snapshots</Link>
          </p>
        </section>
        <section aria-labelledby="repo-history">
          <h2 id="repo-history">History</h2>
          <OperationHistory filter={{ repoId: repo.id }} label={`History of repo ${repo.id}`} />
        </section>
      </div>
    </>
  );
}

/** The repos view. */
export default function ReposView() {
  const { segments } = useLocation();
  const { config, error } = useConfig();
  const usage = useUsage();
  if (!config) return error ? <ErrorBanner error={error} /> : <Loading what="the config" />;
  const id = segments[1];
  if (id === "new")
    return (
      <>
        <PageHeader title="New repo" />
        <RepoForm config={config} />
      </>
    );
  if (id === undefined) return <RepoList repos={config.repos} usage={usage} />;
  const repo = config.repos.find((r) => r.id === id);
  if (!repo) return <ErrorBanner error={`Repo "${id}" does not exist.`} />;
  if (segments[2] === "edit")
    return (
      <>
        <PageHeader title={`Edit repo ${repo.id}`} />
        <RepoForm key={`${repo.id}-${config.modno}`} config={config} repo={repo} />
      </>
    );
  return (
    <RepoPage
      repo={repo}
      usage={usage}
      plans={config.plans.filter((p) => p.repo === repo.id).map((p) => p.id)}
    />
  );
}
