/** The repo's maintenance policies: when prune, check and retention run, and how deep. */
import { create } from "@bufbuild/protobuf";
import {
  CheckPolicySchema,
  ForgetPolicySchema,
  PrunePolicySchema,
  type Repo,
} from "../../../../gen/v1/config_pb";
import { SelectField, TextField } from "../../components/field";
import { ScheduleEditor } from "../../components/schedule-editor";

/** Props of RepoPolicies: the repo being edited and the form's helpers. */
export interface RepoPoliciesProps {
  draft: Repo;
  edit: (fn: (r: Repo) => void) => void;
  /** The daemon's problems for a field of the repo. */
  server: (field: string) => string[];
  /** Every problem (the form's and the daemon's) for a field of the repo. */
  errorsOf: (field: string) => string[] | undefined;
}

/** The policy fields of the repo form. */
export function RepoPolicies(props: RepoPoliciesProps) {
  const { draft, edit, server, errorsOf } = props;
  const check = draft.checkPolicy?.mode;
  return (
    <>
      <ScheduleEditor
        legend="Prune schedule"
        value={draft.prunePolicy?.schedule}
        serverErrors={(f) => server(`prunePolicy.schedule.${f}`)}
        onChange={(s) =>
          edit((r) => {
            r.prunePolicy ??= create(PrunePolicySchema);
            r.prunePolicy.schedule = s;
          })
        }
      />
      <fieldset>
        <legend>Prune limits</legend>
        <TextField
          label="Unused space allowed (%)"
          type="number"
          min={0}
          max={100}
          step="any"
          value={String(draft.prunePolicy?.maxUnusedPercent ?? 0)}
          onChange={(v) =>
            edit((r) => {
              r.prunePolicy ??= create(PrunePolicySchema);
              r.prunePolicy.maxUnusedPercent = Number(v) || 0;
            })
          }
          errors={errorsOf("prunePolicy.maxUnusedPercent")}
        />
      </fieldset>
      <ScheduleEditor
        legend="Check schedule"
        value={draft.checkPolicy?.schedule}
        serverErrors={(f) => server(`checkPolicy.schedule.${f}`)}
        onChange={(s) =>
          edit((r) => {
            r.checkPolicy ??= create(CheckPolicySchema);
            r.checkPolicy.schedule = s;
          })
        }
      />
      <fieldset>
        <legend>Check depth</legend>
        <SelectField
          label="Check"
          value={check?.case ?? ""}
          onChange={(v) =>
            edit((r) => {
              r.checkPolicy ??= create(CheckPolicySchema);
              r.checkPolicy.mode =
                v === "structureOnly"
                  ? { case: "structureOnly", value: true }
                  : v === "readDataSubsetPercent"
                    ? { case: "readDataSubsetPercent", value: 10 }
                    : { case: undefined };
            })
          }
          options={[
            { value: "", label: "restic's default" },
            { value: "structureOnly", label: "Structure only" },
            { value: "readDataSubsetPercent", label: "Read a share of the data" },
          ]}
        />
        {check?.case === "readDataSubsetPercent" ? (
          <TextField
            label="Data to read (%)"
            type="number"
            min={0}
            max={100}
            step="any"
            value={String(check.value)}
            errors={errorsOf("checkPolicy.readDataSubsetPercent")}
            onChange={(v) =>
              edit((r) => {
                r.checkPolicy ??= create(CheckPolicySchema);
                r.checkPolicy.mode = { case: "readDataSubsetPercent", value: Number(v) || 0 };
              })
            }
          />
        ) : null}
      </fieldset>
      <ScheduleEditor
        legend="Retention schedule (every plan's policy on this repo)"
        value={draft.forgetPolicy?.schedule}
        serverErrors={(f) => server(`forgetPolicy.schedule.${f}`)}
        onChange={(s) =>
          edit((r) => {
            r.forgetPolicy = s ? create(ForgetPolicySchema, { schedule: s }) : undefined;
          })
        }
      />
    </>
  );
}
