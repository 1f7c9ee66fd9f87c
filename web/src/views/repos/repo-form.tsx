/**
 * Adding and editing a repo with every config field. "Test connection" tries the location and
 * password as they are in the form (TestRepo: nothing is saved or initialized) and shows the
 * outcome beside the button. Saving tests again: the daemon opens the repository
 * (initializing it when the location is empty) and says exactly what failed.
 */
import { clone, create } from "@bufbuild/protobuf";
import { type FormEvent, useMemo, useRef, useState } from "react";
import {
  CommandPrefix_CPUNiceLevel,
  CommandPrefix_IONiceLevel,
  CommandPrefixSchema,
  type Config,
  type Repo,
  RepoSchema,
} from "../../../../gen/v1/config_pb";
import { backrest } from "../../api/clients";
import { setConfig } from "../../api/config-store";
import { type FieldIssue, fieldIssues, issuesFor } from "../../api/errors";
import { CheckField, SelectField, TextField } from "../../components/field";
import { HooksEditor } from "../../components/hooks-editor";
import { StringList } from "../../components/string-list";
import { navigate } from "../../lib/router";
import { entryProblems } from "../plans/plan-checks";
import { describeRepoError, describeTestResult, type TestOutcome } from "./connection-error";
import { connectionProblems, repoProblems } from "./repo-checks";
import { RepoPolicies } from "./repo-policies";

/** The repo form. */
export function RepoForm(props: { config: Config; repo?: Repo }) {
  const isNew = !props.repo;
  const [draft, setDraft] = useState<Repo>(() =>
    props.repo ? clone(RepoSchema, props.repo) : create(RepoSchema, { autoInitialize: true }),
  );
  const [submitted, setSubmitted] = useState(false);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [failure, setFailure] = useState<{ headline: string; detail: string }>();
  const [busy, setBusy] = useState(false);
  const [tested, setTested] = useState(false);
  const [testing, setTesting] = useState(false);
  const [outcome, setOutcome] = useState<TestOutcome>();
  // Bumped on every edit, so a test answer for an older draft is not shown as current.
  const revision = useRef(0);
  const problems = useMemo(
    () => repoProblems(draft, props.config, isNew),
    [draft, props.config, isNew],
  );
  const shown = submitted
    ? problems
    : tested
      ? connectionProblems(problems)
      : new Map<string, string>();
  const index = isNew
    ? props.config.repos.length
    : props.config.repos.findIndex((r) => r.id === draft.id);
  const server = (field: string) => [
    ...issuesFor(issues, `repos[${index}]`, field),
    ...issuesFor(issues, "repo", field),
  ];
  const errorsOf = (field: string) => {
    const all = [shown.get(field), ...server(field)].filter(Boolean) as string[];
    return all.length ? all : undefined;
  };
  const edit = (fn: (r: Repo) => void) => {
    revision.current++;
    setOutcome(undefined);
    setDraft((prev) => {
      const next = clone(RepoSchema, prev);
      fn(next);
      return next;
    });
  };

  const testConnection = async () => {
    setTested(true);
    setIssues([]);
    setOutcome(undefined);
    const blocking = connectionProblems(problems);
    if (blocking.size > 0) {
      setOutcome({
        tone: "error",
        headline: "Not tested",
        detail: `Fix the ${blocking.size} problem(s) marked below.`,
      });
      return;
    }
    const mine = revision.current;
    setTesting(true);
    try {
      const res = await backrest.testRepo({ repo: draft });
      if (mine === revision.current) setOutcome(describeTestResult(res));
    } catch (err) {
      if (mine === revision.current) {
        setIssues(fieldIssues(err));
        setOutcome({ tone: "error", ...describeRepoError(err) });
      }
    } finally {
      setTesting(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setFailure(undefined);
    setIssues([]);
    if (problems.size > 0) {
      setFailure({
        headline: "Not saved",
        detail: `Fix the ${problems.size} problem(s) marked below.`,
      });
      return;
    }
    setBusy(true);
    try {
      setConfig(await backrest.addRepo({ repo: draft }));
      navigate(`/repos/${encodeURIComponent(draft.id)}`);
    } catch (err) {
      setIssues(fieldIssues(err));
      setFailure(describeRepoError(err));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label={isNew ? "New repo" : `Edit repo ${draft.id}`}>
      {failure ? (
        <div className="banner error" role="alert" data-testid="repo-error">
          <strong>{failure.headline}.</strong> {failure.detail}
        </div>
      ) : null}
      <fieldset>
        <legend>Repository</legend>
        <div className="form-grid">
          <TextField
            label="Id"
            value={draft.id}
            readOnly={!isNew}
            onChange={(v) =>
              edit((r) => {
                r.id = v.trim();
              })
            }
            hint={isNew ? "Letters, digits, dots, dashes, underscores." : "The id cannot change."}
            errors={errorsOf("id")}
          />
          <TextField
            label="Location (URI)"
            value={draft.uri}
            onChange={(v) =>
              edit((r) => {
                r.uri = v.trim();
              })
            }
            hint="A path, or rest:, sftp:, s3:, b2:… as restic accepts it."
            errors={errorsOf("uri")}
            className="mono"
          />
          <TextField
            label="Password"
            type="password"
            autoComplete="new-password"
            value={draft.password}
            onChange={(v) =>
              edit((r) => {
                r.password = v;
              })
            }
            hint={
              isNew
                ? "restic's repository password."
                : "Shown as <redacted>; leave it to keep the stored password."
            }
            errors={errorsOf("password")}
          />
        </div>
        <CheckField
          label="Initialize the repository when the location is empty"
          checked={draft.autoInitialize}
          onChange={(v) =>
            edit((r) => {
              r.autoInitialize = v;
            })
          }
        />
        <CheckField
          label="Remove stale locks before running commands"
          checked={draft.autoUnlock}
          onChange={(v) =>
            edit((r) => {
              r.autoUnlock = v;
            })
          }
        />
        <StringList
          label="Environment"
          hint="NAME=value entries for restic, e.g. AWS_ACCESS_KEY_ID=…"
          values={draft.env}
          onChange={(v) =>
            edit((r) => {
              r.env = v;
            })
          }
          entryErrors={entryProblems(shown, "env")}
          addLabel="Add variable"
        />
        <StringList
          label="Extra restic flags"
          values={draft.flags}
          placeholder="--limit-upload=1000"
          onChange={(v) =>
            edit((r) => {
              r.flags = v;
            })
          }
          entryErrors={entryProblems(shown, "flags")}
          addLabel="Add flag"
        />
        <div className="form-grid">
          <TextField
            label="Storage alert (GiB, 0 = none)"
            type="number"
            min={0}
            step="any"
            value={String(Number(draft.storageAlertBytes) / 2 ** 30)}
            onChange={(v) =>
              edit((r) => {
                r.storageAlertBytes = BigInt(Math.round((Number(v) || 0) * 2 ** 30));
              })
            }
          />
          <SelectField
            label="CPU priority"
            value={String(draft.commandPrefix?.cpuNice ?? 0)}
            onChange={(v) =>
              edit((r) => {
                r.commandPrefix ??= create(CommandPrefixSchema);
                r.commandPrefix.cpuNice = Number(v);
              })
            }
            options={[
              { value: String(CommandPrefix_CPUNiceLevel.CPU_DEFAULT), label: "Default" },
              { value: String(CommandPrefix_CPUNiceLevel.CPU_HIGH), label: "High" },
              { value: String(CommandPrefix_CPUNiceLevel.CPU_LOW), label: "Low (nice)" },
            ]}
          />
          <SelectField
            label="I/O priority"
            value={String(draft.commandPrefix?.ioNice ?? 0)}
            onChange={(v) =>
              edit((r) => {
                r.commandPrefix ??= create(CommandPrefixSchema);
                r.commandPrefix.ioNice = Number(v);
              })
            }
            options={[
              { value: String(CommandPrefix_IONiceLevel.IO_DEFAULT), label: "Default" },
              {
                value: String(CommandPrefix_IONiceLevel.IO_BEST_EFFORT_HIGH),
                label: "Best effort, high",
              },
              {
                value: String(CommandPrefix_IONiceLevel.IO_BEST_EFFORT_LOW),
                label: "Best effort, low",
              },
              { value: String(CommandPrefix_IONiceLevel.IO_IDLE), label: "Idle" },
            ]}
          />
        </div>
      </fieldset>
      <RepoPolicies draft={draft} edit={edit} server={server} errorsOf={errorsOf} />
      <HooksEditor
        hooks={draft.hooks}
        onChange={(h) =>
          edit((r) => {
            r.hooks = h;
          })
        }
        showErrors={submitted}
        serverErrors={(i, f) => server(`hooks[${i}].${f}`)}
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Connecting…" : isNew ? "Test and add repo" : "Test and save repo"}
        </button>
        <button type="button" onClick={testConnection} disabled={testing || busy}>
          {testing ? "Testing…" : "Test connection"}
        </button>
        <button
          type="button"
          onClick={() => navigate(isNew ? "/repos" : `/repos/${encodeURIComponent(draft.id)}`)}
        >
          Cancel
        </button>
      </div>
      <div className="test-result" role="status" data-testid="repo-test">
        {outcome ? (
          <div className={`banner ${outcome.tone}`} data-tone={outcome.tone}>
            <strong>{outcome.headline}.</strong> {outcome.detail}
          </div>
        ) : null}
      </div>
    </form>
  );
}
