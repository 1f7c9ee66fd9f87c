/**
 * Operations: every operation, newest first, as a tree of flows or a flat list, filtered by
 * plan or repo, live; the selected operation's details beside it.
 */
import { useConfig } from "../../api/config-store";
import { useOperation } from "../../api/use-operation";
import { SelectField } from "../../components/field";
import { ErrorBanner, Loading, PageHeader } from "../../components/ui";
import { navigate, useLocation } from "../../lib/router";
import { OperationDetails } from "./op-details";
import { OperationHistory } from "./operation-history";

function withQuery(path: string, query: URLSearchParams): string {
  const q = query.toString();
  return q ? `${path}?${q}` : path;
}

/** The operations view (/operations, /operations/<id>). */
export default function OperationsView() {
  const { segments, query } = useLocation();
  const { config } = useConfig();
  const idText = segments[1];
  const selected = idText && /^\d+$/.test(idText) ? BigInt(idText) : undefined;
  const detail = useOperation(selected);
  const plan = query.get("plan") ?? "";
  const repo = query.get("repo") ?? "";
  const mode = query.get("view") === "list" ? "list" : "tree";

  const setQuery = (key: string, value: string) => {
    const next = new URLSearchParams(query);
    if (value) next.set(key, value);
    else next.delete(key);
    navigate(withQuery(window.location.pathname, next), { replace: true });
  };

  return (
    <>
      <PageHeader title="Operations" />
      <div className="form-grid">
        <SelectField
          label="Plan"
          value={plan}
          onChange={(v) => setQuery("plan", v)}
          options={[
            { value: "", label: "All plans" },
            ...(config?.plans ?? []).map((p) => ({ value: p.id, label: p.id })),
          ]}
        />
        <SelectField
          label="Repo"
          value={repo}
          onChange={(v) => setQuery("repo", v)}
          options={[
            { value: "", label: "All repos" },
            ...(config?.repos ?? []).map((r) => ({ value: r.id, label: r.id })),
          ]}
        />
        <SelectField
          label="Show"
          value={mode}
          onChange={(v) => setQuery("view", v === "list" ? "list" : "")}
          options={[
            { value: "tree", label: "Grouped by flow" },
            { value: "list", label: "Flat list" },
          ]}
        />
      </div>
      <div className="ops-layout">
        <OperationHistory
          filter={{ planId: plan || undefined, repoId: repo || undefined }}
          mode={mode}
          selected={selected}
          hrefOf={(op) => withQuery(`/operations/${op.id}`, query)}
        />
        <div>
          {selected === undefined ? (
            <p className="muted">Select an operation to see its details and log.</p>
          ) : detail.op ? (
            <OperationDetails op={detail.op} />
          ) : detail.error ? (
            <ErrorBanner error={detail.error} />
          ) : (
            <Loading what="the operation" />
          )}
        </div>
      </div>
    </>
  );
}
