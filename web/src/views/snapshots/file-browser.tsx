/**
 * Browsing one snapshot's folders (ListSnapshotFiles, served from the daemon's index), with
 * breadcrumbs, and checkboxes to select files and folders for restore or download.
 */
import type { LsEntry } from "../../../../gen/v1/service_pb";
import { backrest } from "../../api/clients";
import { ErrorBanner, Loading } from "../../components/ui";
import { formatBytes, formatTime } from "../../lib/format";
import { useAsync } from "../../lib/use-async";

/** Props of FileBrowser. */
export interface FileBrowserProps {
  repoId: string;
  snapshotId: string;
  path: string;
  onOpen: (path: string) => void;
  selected: ReadonlySet<string>;
  onSelect: (path: string, on: boolean) => void;
}

function crumbs(path: string): { name: string; path: string }[] {
  const parts = path.split("/").filter(Boolean);
  return [
    { name: "/", path: "/" },
    ...parts.map((name, i) => ({ name, path: `/${parts.slice(0, i + 1).join("/")}` })),
  ];
}

function sortEntries(entries: LsEntry[]): LsEntry[] {
  return entries
    .slice()
    .sort(
      (a, b) => Number(b.type === "dir") - Number(a.type === "dir") || a.name.localeCompare(b.name),
    );
}

/** The file browser. */
export function FileBrowser(props: FileBrowserProps) {
  const { repoId, snapshotId, path } = props;
  const listing = useAsync(
    () => backrest.listSnapshotFiles({ repoId, snapshotId, path }),
    [repoId, snapshotId, path],
  );
  const entries = sortEntries(listing.value?.entries ?? []);
  return (
    <section aria-labelledby="browser-title" className="stack">
      <nav aria-label="Folder" className="breadcrumbs">
        <h3 id="browser-title" className="sr-only">
          Files
        </h3>
        {crumbs(path).map((c, i, all) => (
          <span key={c.path}>
            {i > 1 ? " / " : i === 1 ? " " : ""}
            {i === all.length - 1 ? (
              <strong aria-current="location">{c.name}</strong>
            ) : (
              <button type="button" className="link" onClick={() => props.onOpen(c.path)}>
                {c.name}
              </button>
            )}
          </span>
        ))}
      </nav>
      <ErrorBanner error={listing.error} />
      {listing.loading && !listing.value ? (
        <Loading what="the folder (the first listing reads the whole snapshot once)" />
      ) : (
        <div className="table-wrap">
          <table aria-label={`Contents of ${path}`} data-testid="file-table">
            <thead>
              <tr>
                <th scope="col">
                  <span className="sr-only">Select</span>
                </th>
                <th scope="col">Name</th>
                <th scope="col">Size</th>
                <th scope="col">Modified</th>
              </tr>
            </thead>
            <tbody>
              {entries.length === 0 ? (
                <tr>
                  <td colSpan={4} className="muted">
                    Empty folder.
                  </td>
                </tr>
              ) : null}
              {entries.map((e) => (
                <tr key={e.path} data-path={e.path}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${e.name}`}
                      checked={props.selected.has(e.path)}
                      onChange={(ev) => props.onSelect(e.path, ev.target.checked)}
                    />
                  </td>
                  <td>
                    {e.type === "dir" ? (
                      <button type="button" className="link" onClick={() => props.onOpen(e.path)}>
                        {e.name}/
                      </button>
                    ) : (
                      <span>
                        {e.name}
                        {e.type === "symlink" ? ` → ${e.linkTarget}` : ""}
                      </span>
                    )}
                  </td>
                  <td>{e.type === "dir" ? "" : formatBytes(e.size)}</td>
                  <td className="small">{e.mtime ? formatTime(Date.parse(e.mtime)) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
