/**
 * Which of the plan's current snapshots the retention policy being edited would keep
 * (PreviewRetention), refreshed as the policy changes.
 */
import { useEffect, useState } from "react";
import type { Plan } from "../../../../gen/v1/config_pb";
import type { RetentionDecision } from "../../../../gen/v1/service_pb";
import { backrest } from "../../api/clients";
import { errorMessage } from "../../api/errors";
import { formatTime } from "../../lib/format";
import { retentionProblems } from "./retention-editor";

const SHOWN = 40;

/** The preview for the plan being edited. */
export function RetentionPreview(props: { plan: Plan }) {
  const { plan } = props;
  const [decisions, setDecisions] = useState<RetentionDecision[]>();
  const [error, setError] = useState<string>();
  const valid = retentionProblems(plan.retention).size === 0;
  const policy = plan.retention;
  // Edits of other fields copy the plan; only a changed policy asks again.
  const policyKey = JSON.stringify(policy?.policy ?? null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: policyKey stands for the policy.
  useEffect(() => {
    if (!valid) return;
    const abort = new AbortController();
    const timer = setTimeout(() => {
      backrest.previewRetention({ planId: plan.id, policy }, { signal: abort.signal }).then(
        (res) => {
          setDecisions(res.snapshots);
          setError(undefined);
        },
        (err: unknown) => {
          if (!abort.signal.aborted) setError(errorMessage(err));
        },
      );
    }, 300);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [plan.id, policyKey, valid]);

  if (error) return <p className="small field-error">Preview not available: {error}</p>;
  if (!decisions) return <p className="small muted">Loading the preview…</p>;
  if (decisions.length === 0)
    return <p className="small muted">No snapshots yet: nothing to preview.</p>;
  const kept = decisions.filter((d) => d.keep).length;
  return (
    <section aria-labelledby="retention-preview" className="retention-preview">
      <h3 id="retention-preview" aria-live="polite">
        Preview: keeps {kept} of {decisions.length} snapshots, forgets {decisions.length - kept}
      </h3>
      <ul className="small plain-list">
        {decisions.slice(0, SHOWN).map((d) => (
          <li key={d.snapshot?.id} data-keep={d.keep}>
            <span className={`badge tone-${d.keep ? "ok" : "bad"}`}>
              {d.keep ? "keep" : "forget"}
            </span>{" "}
            <code>{d.snapshot?.shortId}</code> {formatTime(d.snapshot?.unixTimeMs ?? 0n)}
            {d.reasons.length ? <span className="muted"> ({d.reasons.join(", ")})</span> : null}
          </li>
        ))}
      </ul>
      {decisions.length > SHOWN ? (
        <p className="small muted">…and {decisions.length - SHOWN} older snapshots.</p>
      ) : null}
    </section>
  );
}
