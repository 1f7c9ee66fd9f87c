/**
 * Snapshots: a repo's snapshots (optionally one plan's), newest first; pick one to browse
 * its files, select some, and restore or download them, or tick two to compare them. The
 * state lives in the URL (?repo=&plan=&snapshot=&path=&from=&to=) so a view can be linked to.
 */
import { useState } from "react";
import type { ResticSnapshot } from "../../../../gen/v1/restic_pb";
import { backrest } from "../../api/clients";
import { useConfig } from "../../api/config-store";
import { SelectField } from "../../components/field";
import { Empty, ErrorBanner, Loading, PageHeader } from "../../components/ui";
import { formatTime } from "../../lib/format";
import { navigate, useLocation } from "../../lib/router";
import { useAsync } from "../../lib/use-async";
import { useOpRefresh } from "../../lib/use-op-refresh";
import { DatabaseRestore, databaseOfSnapshot } from "./database-restore";
import { FileBrowser } from "./file-browser";
import { RestorePanel } from "./restore-panel";
import { SnapshotDiff } from "./snapshot-diff";

function SnapshotTable(props: {
  snapshots: ResticSnapshot[];
  selected: string;
  onPick: (s: ResticSnapshot) => void;
  /** Ids ticked for comparison (at most two). */
  compared: readonly string[];
  onCompare: (id: string, on: boolean) => void;
}) {
  const full = props.compared.length >= 2;
  return (
    <div className="table-wrap snapshot-table">
      <table aria-label="Snapshots">
        <thead>
          <tr>
            <th scope="col">
              <span className="sr-only">Compare</span>
            </th>
            <th scope="col">Time</th>
            <th scope="col">Id</th>
            <th scope="col">Plan</th>
            <th scope="col">Host</th>
            <th scope="col">Paths</th>
          </tr>
        </thead>
        <tbody>
          {props.snapshots.map((s) => (
            <tr key={s.id} aria-selected={s.id === props.selected} data-snapshot={s.id}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Compare snapshot ${s.shortId}`}
                  checked={props.compared.includes(s.id)}
                  disabled={full && !props.compared.includes(s.id)}
                  onChange={(e) => props.onCompare(s.id, e.target.checked)}
                />
              </td>
              <td>
                <button type="button" className="link" onClick={() => props.onPick(s)}>
                  {formatTime(s.unixTimeMs)}
                </button>
              </td>
              <td>
                <code>{s.shortId}</code>
              </td>
              <td>{s.planId || "-"}</td>
              <td>{s.hostname}</td>
              <td className="small">
                {databaseOfSnapshot(s.tags) ? `database ${databaseOfSnapshot(s.tags)}: ` : ""}
                {s.paths.join(", ")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The snapshots view. */
export default function SnapshotsView() {
  const { query } = useLocation();
  const { config, error } = useConfig();
  const repoId = query.get("repo") || config?.repos[0]?.id || "";
  const planId = query.get("plan") ?? "";
  const snapshotId = query.get("snapshot") ?? "";
  const path = query.get("path") || "/";
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [compared, setCompared] = useState<readonly string[]>([]);
  const fromId = query.get("from") ?? "";
  const toId = query.get("to") ?? "";

  const list = useAsync(
    async () =>
      repoId ? (await backrest.listSnapshots({ repoId, planId })).snapshots.slice().reverse() : [],
    [repoId, planId],
  );
  useOpRefresh(
    list.reload,
    (op) =>
      op.repoId === repoId &&
      (op.op.case === "operationBackup" || op.op.case === "operationForget"),
  );

  const go = (changes: Record<string, string>) => {
    const next = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setSelected(new Set());
    if ("repo" in changes || "plan" in changes) setCompared([]);
    navigate(`/snapshots?${next}`, { replace: "repo" in changes || "plan" in changes });
  };

  if (!config) return error ? <ErrorBanner error={error} /> : <Loading what="the config" />;
  const find = (id: string) => list.value?.find((s) => s.id === id || s.shortId === id);
  const snapshot = find(snapshotId);
  const labelOf = (id: string) => ({ id, shortId: find(id)?.shortId ?? id.slice(0, 8) });
  const compare = () => {
    const [a, b] = compared
      .map((id) => find(id))
      .filter((s): s is ResticSnapshot => s !== undefined)
      .sort((x, y) => Number(x.unixTimeMs - y.unixTimeMs));
    if (a && b) go({ from: a.id, to: b.id });
  };
  return (
    <>
      <PageHeader title="Snapshots" />
      {config.repos.length === 0 ? <Empty>No repos yet.</Empty> : null}
      <div className="form-grid">
        <SelectField
          label="Repo"
          value={repoId}
          onChange={(v) => go({ repo: v, snapshot: "", path: "", from: "", to: "" })}
          options={config.repos.map((r) => ({ value: r.id, label: r.id }))}
        />
        <SelectField
          label="Plan"
          value={planId}
          onChange={(v) => go({ plan: v, snapshot: "", path: "" })}
          options={[
            { value: "", label: "All plans" },
            ...config.plans
              .filter((p) => p.repo === repoId)
              .map((p) => ({ value: p.id, label: p.id })),
          ]}
        />
      </div>
      <ErrorBanner error={list.error} />
      {list.loading && !list.value ? (
        <Loading what="snapshots" />
      ) : list.value?.length === 0 ? (
        <Empty>No snapshots yet.</Empty>
      ) : (
        <div className="stack">
          <SnapshotTable
            snapshots={list.value ?? []}
            selected={snapshot?.id ?? ""}
            onPick={(s) => go({ snapshot: s.id, path: "" })}
            compared={compared}
            onCompare={(id, on) =>
              setCompared((prev) => (on ? [...prev, id].slice(-2) : prev.filter((p) => p !== id)))
            }
          />
          <div className="row">
            <button type="button" onClick={compare} disabled={compared.length !== 2}>
              Compare selected snapshots
            </button>
            <span className="small muted" aria-live="polite">
              {compared.length === 2
                ? "Two snapshots ticked."
                : `Tick two snapshots to compare them (${compared.length} of 2).`}
            </span>
          </div>
          {fromId && toId ? (
            <SnapshotDiff
              repoId={repoId}
              from={labelOf(fromId)}
              to={labelOf(toId)}
              onClose={() => go({ from: "", to: "" })}
            />
          ) : null}
          {snapshot ? (
            <section className="card stack" aria-label={`Snapshot ${snapshot.shortId}`}>
              <h2>
                Snapshot <code>{snapshot.shortId}</code> of {formatTime(snapshot.unixTimeMs)}
              </h2>
              <div className="browse-layout">
                <FileBrowser
                  repoId={repoId}
                  snapshotId={snapshot.id}
                  path={path}
                  onOpen={(p) => go({ path: p === "/" ? "" : p })}
                  selected={selected}
                  onSelect={(p, on) =>
                    setSelected((prev) => {
                      const next = new Set(prev);
                      if (on) next.add(p);
                      else next.delete(p);
                      return next;
                    })
                  }
                />
                <RestorePanel
                  repoId={repoId}
                  planId={snapshot.planId}
                  snapshotId={snapshot.id}
                  selected={[...selected]}
                />
              </div>
              {databaseOfSnapshot(snapshot.tags) ? (
                <DatabaseRestore
                  config={config}
                  repoId={repoId}
                  planId={snapshot.planId}
                  snapshotId={snapshot.id}
                  databaseName={databaseOfSnapshot(snapshot.tags)}
                />
              ) : null}
            </section>
          ) : (
            <p className="muted">Pick a snapshot to browse its files.</p>
          )}
        </div>
      )}
    </>
  );
}
