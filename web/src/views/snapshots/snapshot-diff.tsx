/**
 * What changed between two snapshots (DiffSnapshots): restic's totals and the changed paths
 * with their +/-/M markers. The list can hold up to 10,000 paths, so only the rows in view are
 * rendered; it scrolls by keyboard once focused and can be narrowed to one kind of change.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef, useState } from "react";
import type { DiffSnapshotsResponse_Change } from "../../../../gen/v1/service_pb";
import { backrest } from "../../api/clients";
import { SelectField } from "../../components/field";
import { ErrorBanner, Loading } from "../../components/ui";
import { formatBytes } from "../../lib/format";
import { useAsync } from "../../lib/use-async";

/** restic's modifiers: what each means, and the class that colours it. */
const MODIFIERS: Record<string, { label: string; kind: string }> = {
  "+": { label: "added", kind: "added" },
  "-": { label: "removed", kind: "removed" },
  M: { label: "modified", kind: "modified" },
  T: { label: "type changed", kind: "modified" },
  U: { label: "metadata changed", kind: "modified" },
  "?": { label: "bitrot", kind: "other" },
};

const FILTERS = [
  { value: "", label: "All changes" },
  { value: "added", label: "Added" },
  { value: "removed", label: "Removed" },
  { value: "modified", label: "Modified" },
];

function modifierOf(c: DiffSnapshotsResponse_Change) {
  return MODIFIERS[c.modifier] ?? { label: `changed (${c.modifier})`, kind: "other" };
}

/** Props of SnapshotDiff: the older snapshot first. */
export interface SnapshotDiffProps {
  repoId: string;
  from: { id: string; shortId: string };
  to: { id: string; shortId: string };
  onClose: () => void;
}

/** The diff of two snapshots of a repo. */
export function SnapshotDiff(props: SnapshotDiffProps) {
  const { repoId, from, to } = props;
  const diff = useAsync(
    () => backrest.diffSnapshots({ repoId, snapshotA: from.id, snapshotB: to.id }),
    [repoId, from.id, to.id],
  );
  const [filter, setFilter] = useState("");
  const changes = useMemo(
    () => (diff.value?.changes ?? []).filter((c) => !filter || modifierOf(c).kind === filter),
    [diff.value, filter],
  );
  const res = diff.value;
  return (
    <section className="card stack" aria-labelledby="diff-title" data-testid="snapshot-diff">
      <div className="spread">
        <h2 id="diff-title">
          Changes from <code>{from.shortId}</code> to <code>{to.shortId}</code>
        </h2>
        <button type="button" onClick={props.onClose}>
          Close comparison
        </button>
      </div>
      <ErrorBanner error={diff.error} />
      {diff.loading && !res ? <Loading what="the changes (restic compares both trees)" /> : null}
      {res ? (
        <>
          <dl className="facts small" data-testid="diff-totals">
            <dt>Files</dt>
            <dd>
              {String(res.filesAdded)} added, {String(res.filesRemoved)} removed,{" "}
              {String(res.filesChanged)} modified
            </dd>
            <dt>Folders</dt>
            <dd>
              {String(res.dirsAdded)} added, {String(res.dirsRemoved)} removed
            </dd>
            <dt>Data</dt>
            <dd>
              {formatBytes(res.bytesAdded)} added, {formatBytes(res.bytesRemoved)} removed
            </dd>
          </dl>
          {res.truncated ? (
            <p className="banner info" role="note">
              Only the first {res.changes.length.toLocaleString()} changed paths are listed; the
              totals count all of them.
            </p>
          ) : null}
          {res.changes.length === 0 ? (
            <p className="muted">Nothing changed between these snapshots.</p>
          ) : (
            <>
              <div className="diff-filter">
                <SelectField label="Show" value={filter} onChange={setFilter} options={FILTERS} />
              </div>
              <ChangeList changes={changes} />
            </>
          )}
        </>
      ) : null}
    </section>
  );
}

/** The changed paths; only those in view are in the page. */
function ChangeList(props: { changes: DiffSnapshotsResponse_Change[] }) {
  const { changes } = props;
  const scroller = useRef<HTMLElement>(null);
  const virtualizer = useVirtualizer({
    count: changes.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 30,
    overscan: 12,
  });
  return (
    <section
      ref={scroller}
      className="diff-scroller"
      aria-label={`Changed paths (${changes.length})`}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the list scrolls; keyboard users need to reach it.
      tabIndex={0}
      data-count={changes.length}
      onKeyDown={(e) => {
        // Home and End go to the first and last path through the virtualizer: the browser's
        // own scroll stops at the height estimated before the rows on the way were measured,
        // short of the end when they turn out taller.
        if (e.target !== e.currentTarget || changes.length === 0) return;
        if (e.key !== "Home" && e.key !== "End") return;
        e.preventDefault();
        if (e.key === "End") virtualizer.scrollToIndex(changes.length - 1, { align: "end" });
        else virtualizer.scrollToIndex(0, { align: "start" });
      }}
    >
      {changes.length === 0 ? <p className="muted diff-none">No changes of this kind.</p> : null}
      <ul className="diff-list" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const change = changes[item.index];
          if (!change) return null;
          const m = modifierOf(change);
          return (
            <li
              key={item.key}
              ref={virtualizer.measureElement}
              data-index={item.index}
              data-modifier={change.modifier}
              aria-setsize={changes.length}
              aria-posinset={item.index + 1}
              className="diff-row"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <span className={`diff-mark diff-${m.kind}`} title={m.label} aria-hidden="true">
                {change.modifier}
              </span>
              <span className="sr-only">{m.label}: </span>
              <span className="diff-path mono">{change.path}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
