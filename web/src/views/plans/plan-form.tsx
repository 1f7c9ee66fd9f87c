/**
 * Adding and editing a plan: every field of the config's plan, checked before sending; the
 * daemon's problems are shown at their fields.
 */
import { clone, create } from "@bufbuild/protobuf";
import { type FormEvent, useMemo, useState } from "react";
import {
  type Config,
  type Plan,
  PlanSchema,
  PreconditionSchema,
} from "../../../../gen/v1/config_pb";
import { saveConfig } from "../../api/config-store";
import { errorMessage, type FieldIssue, fieldIssues, issuesFor } from "../../api/errors";
import { CheckField, SelectField, TextField } from "../../components/field";
import { HooksEditor } from "../../components/hooks-editor";
import { PathInput } from "../../components/path-input";
import { ScheduleEditor } from "../../components/schedule-editor";
import { StringList } from "../../components/string-list";
import { ErrorBanner } from "../../components/ui";
import { navigate } from "../../lib/router";
import { DatabasesEditor } from "./databases-editor";
import { entryProblems, planProblems } from "./plan-checks";
import { RetentionEditor } from "./retention-editor";
import { RetentionPreview } from "./retention-preview";

/** Props of PlanForm. */
export interface PlanFormProps {
  config: Config;
  /** The plan to edit; undefined adds a new one. */
  plan?: Plan;
  lastRunMs?: number;
}

/** The plan form. */
export function PlanForm(props: PlanFormProps) {
  const isNew = !props.plan;
  const [draft, setDraft] = useState<Plan>(() =>
    props.plan
      ? clone(PlanSchema, props.plan)
      : create(PlanSchema, { repo: props.config.repos[0]?.id ?? "", paths: [""] }),
  );
  const [submitted, setSubmitted] = useState(false);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const problems = useMemo(
    () => planProblems(draft, props.config, isNew),
    [draft, props.config, isNew],
  );
  const shown = submitted ? problems : new Map<string, string>();

  const index = isNew
    ? props.config.plans.length
    : props.config.plans.findIndex((p) => p.id === props.plan?.id);
  const prefix = `plans[${index}]`;
  const server = (field: string) => issuesFor(issues, prefix, field);
  const errorsOf = (field: string) => {
    const all = [shown.get(field), ...server(field)].filter(Boolean) as string[];
    return all.length ? all : undefined;
  };
  /** Problems of a list's entries, found here or by the daemon. */
  const entries = (field: string) => {
    const own = entryProblems(shown, field);
    const fromServer = new Map(issues.map((i) => [i.path.slice(prefix.length + 1), i.message]));
    for (const [at, message] of entryProblems(fromServer, field)) own.set(at, message);
    return own;
  };
  const edit = (fn: (p: Plan) => void) =>
    setDraft((prev) => {
      const next = clone(PlanSchema, prev);
      fn(next);
      return next;
    });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setError(undefined);
    setIssues([]);
    if (problems.size > 0) {
      setError(`Fix the ${problems.size} problem(s) marked below.`);
      return;
    }
    setBusy(true);
    try {
      await saveConfig((cfg) => {
        const i = cfg.plans.findIndex((p) => p.id === draft.id);
        if (i >= 0 && !isNew) cfg.plans[i] = draft;
        else cfg.plans.push(draft);
      });
      navigate(`/plans/${encodeURIComponent(draft.id)}`);
    } catch (err) {
      setIssues(fieldIssues(err));
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  const pre = draft.precondition?.check;
  return (
    <form onSubmit={submit} noValidate aria-label={isNew ? "New plan" : `Edit plan ${draft.id}`}>
      <ErrorBanner error={error} title="Not saved" />
      <fieldset>
        <legend>Plan</legend>
        <div className="form-grid">
          <TextField
            label="Id"
            value={draft.id}
            onChange={(v) =>
              edit((p) => {
                p.id = v.trim();
              })
            }
            readOnly={!isNew}
            hint={isNew ? "Letters, digits, dots, dashes, underscores." : "The id cannot change."}
            errors={errorsOf("id")}
          />
          <SelectField
            label="Repo"
            value={draft.repo}
            onChange={(v) =>
              edit((p) => {
                p.repo = v;
              })
            }
            options={[
              ...(draft.repo ? [] : [{ value: "", label: "Choose…" }]),
              ...props.config.repos.map((r) => ({ value: r.id, label: `${r.id} (${r.uri})` })),
            ]}
            errors={errorsOf("repo")}
          />
        </div>
        <StringList
          label="Paths"
          hint="Absolute folders or files to back up."
          values={draft.paths}
          onChange={(v) =>
            edit((p) => {
              p.paths = v;
            })
          }
          errors={shown.get("paths") ? [shown.get("paths") as string] : undefined}
          entryErrors={entries("paths")}
          renderInput={(p) => <PathInput {...p} />}
          addLabel="Add path"
        />
        <StringList
          label="Excludes"
          hint="restic --exclude patterns, e.g. *.tmp or /home/me/.cache"
          values={draft.excludes}
          onChange={(v) =>
            edit((p) => {
              p.excludes = v;
            })
          }
          entryErrors={entries("excludes")}
          addLabel="Add exclude"
        />
        <StringList
          label="Case-insensitive excludes"
          values={draft.iexcludes}
          onChange={(v) =>
            edit((p) => {
              p.iexcludes = v;
            })
          }
          entryErrors={entries("iexcludes")}
          addLabel="Add exclude"
        />
      </fieldset>
      <DatabasesEditor
        sources={draft.databases}
        onChange={(d) =>
          edit((p) => {
            p.databases = d;
          })
        }
        errorsOf={(i, field) => errorsOf(`databases[${i}].${field}`)}
      />
      <ScheduleEditor
        legend="Schedule"
        value={draft.schedule}
        onChange={(s) =>
          edit((p) => {
            p.schedule = s;
          })
        }
        lastRunMs={props.lastRunMs}
        serverErrors={(f) => server(`schedule.${f}`)}
      />
      <RetentionEditor
        value={draft.retention}
        onChange={(r) =>
          edit((p) => {
            p.retention = r;
          })
        }
        showErrors={submitted}
        serverErrors={(f) => server(`retention.${f}`)}
        preview={isNew ? undefined : <RetentionPreview plan={draft} />}
      />
      <HooksEditor
        hooks={draft.hooks}
        onChange={(h) =>
          edit((p) => {
            p.hooks = h;
          })
        }
        showErrors={submitted}
        serverErrors={(i, f) => server(`hooks[${i}].${f}`)}
      />
      <fieldset>
        <legend>Options</legend>
        <StringList
          label="Extra restic backup flags"
          values={draft.backupFlags}
          onChange={(v) =>
            edit((p) => {
              p.backupFlags = v;
            })
          }
          entryErrors={entries("backup_flags")}
          placeholder="--one-file-system"
          addLabel="Add flag"
        />
        <CheckField
          label="Skip the snapshot when nothing changed"
          checked={draft.skipIfUnchanged}
          onChange={(v) =>
            edit((p) => {
              p.skipIfUnchanged = v;
            })
          }
        />
        <CheckField
          label="Paused (scheduled runs are skipped)"
          checked={draft.paused}
          onChange={(v) =>
            edit((p) => {
              p.paused = v;
            })
          }
        />
        <div className="form-grid">
          <SelectField
            label="Precondition"
            value={pre?.case ?? ""}
            onChange={(v) =>
              edit((p) => {
                p.precondition =
                  v === "tcpAddress" || v === "command"
                    ? create(PreconditionSchema, { check: { case: v, value: "" } })
                    : undefined;
              })
            }
            options={[
              { value: "", label: "None" },
              { value: "tcpAddress", label: "A host:port accepts connections" },
              { value: "command", label: "A command succeeds" },
            ]}
          />
          {pre?.case ? (
            <TextField
              label={pre.case === "tcpAddress" ? "host:port" : "Command (run by sh)"}
              value={pre.value}
              onChange={(v) =>
                edit((p) => {
                  p.precondition = create(PreconditionSchema, {
                    check: { case: pre.case, value: v },
                  });
                })
              }
              errors={errorsOf("precondition")}
            />
          ) : null}
        </div>
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Saving…" : isNew ? "Add plan" : "Save plan"}
        </button>
        <button
          type="button"
          onClick={() => navigate(isNew ? "/plans" : `/plans/${encodeURIComponent(draft.id)}`)}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
