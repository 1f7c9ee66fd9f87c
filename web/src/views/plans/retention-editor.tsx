/**
 * Editing a plan's retention: keep everything, the last N snapshots, or time buckets
 * (hourly, daily, weekly, monthly, yearly, plus the last N). `preview` renders what the
 * policy would keep of the plan's current snapshots.
 */
import { create } from "@bufbuild/protobuf";
import type { ReactNode } from "react";
import {
  type RetentionPolicy,
  RetentionPolicy_TimeBucketedCountsSchema,
  RetentionPolicySchema,
} from "../../../../gen/v1/config_pb";
import { SelectField, TextField } from "../../components/field";

type Mode = "none" | "policyKeepAll" | "policyKeepLastN" | "policyTimeBucketed";
const BUCKETS = ["keepLastN", "hourly", "daily", "weekly", "monthly", "yearly"] as const;
const BUCKET_LABELS: Record<(typeof BUCKETS)[number], string> = {
  keepLastN: "Last N",
  hourly: "Hourly",
  daily: "Daily",
  weekly: "Weekly",
  monthly: "Monthly",
  yearly: "Yearly",
};

/** Problems of a policy, keyed by field. */
export function retentionProblems(policy: RetentionPolicy | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const p = policy?.policy;
  if (p?.case === "policyKeepLastN" && !(p.value >= 1))
    out.set("policyKeepLastN", "Keep at least 1 snapshot (or choose keep all).");
  if (p?.case === "policyTimeBucketed") {
    for (const b of BUCKETS) {
      if (!(p.value[b] >= 0)) out.set(`policyTimeBucketed.${b}`, "Use 0 or more.");
    }
    if (BUCKETS.every((b) => !p.value[b]))
      out.set("policyTimeBucketed", "Set at least one count above 0, or choose keep all.");
  }
  return out;
}

/** Props of RetentionEditor. */
export interface RetentionEditorProps {
  value: RetentionPolicy | undefined;
  onChange: (value: RetentionPolicy | undefined) => void;
  showErrors: boolean;
  serverErrors: (field: string) => string[];
  preview?: ReactNode;
}

/** The retention editor. */
export function RetentionEditor(props: RetentionEditorProps) {
  const p = props.value?.policy;
  const mode: Mode = p?.case ?? "none";
  const problems = props.showErrors ? retentionProblems(props.value) : new Map<string, string>();
  const errorsOf = (field: string) => {
    const all = [problems.get(field), ...props.serverErrors(field)].filter(Boolean) as string[];
    return all.length ? all : undefined;
  };
  const set = (policy: RetentionPolicy["policy"]) =>
    props.onChange(policy.case ? create(RetentionPolicySchema, { policy }) : undefined);

  const setMode = (m: Mode) => {
    if (m === "none") set({ case: undefined });
    else if (m === "policyKeepAll") set({ case: "policyKeepAll", value: true });
    else if (m === "policyKeepLastN") set({ case: "policyKeepLastN", value: 30 });
    else
      set({
        case: "policyTimeBucketed",
        value: create(RetentionPolicy_TimeBucketedCountsSchema, {
          daily: 7,
          weekly: 4,
          monthly: 12,
        }),
      });
  };

  return (
    <fieldset>
      <legend>Retention</legend>
      <SelectField
        label="Keep"
        value={mode}
        onChange={(v) => setMode(v as Mode)}
        options={[
          { value: "none", label: "Everything (no policy)" },
          { value: "policyKeepAll", label: "Everything (explicitly)" },
          { value: "policyKeepLastN", label: "The last N snapshots" },
          { value: "policyTimeBucketed", label: "Snapshots per hour, day, week, month, year" },
        ]}
      />
      {p?.case === "policyKeepLastN" ? (
        <TextField
          label="Snapshots to keep"
          type="number"
          min={1}
          value={Number.isNaN(p.value) ? "" : String(p.value)}
          onChange={(v) =>
            set({ case: "policyKeepLastN", value: v === "" ? Number.NaN : Math.floor(Number(v)) })
          }
          errors={errorsOf("policyKeepLastN")}
        />
      ) : null}
      {p?.case === "policyTimeBucketed" ? (
        <>
          <div className="form-grid buckets">
            {BUCKETS.map((b) => (
              <TextField
                key={b}
                label={BUCKET_LABELS[b]}
                type="number"
                min={0}
                value={Number.isNaN(p.value[b]) ? "" : String(p.value[b])}
                onChange={(v) => {
                  const next = create(RetentionPolicy_TimeBucketedCountsSchema, p.value);
                  next[b] = v === "" ? Number.NaN : Math.floor(Number(v));
                  set({ case: "policyTimeBucketed", value: next });
                }}
                errors={errorsOf(`policyTimeBucketed.${b}`)}
              />
            ))}
          </div>
          {errorsOf("policyTimeBucketed") ? (
            <p className="field-error">{errorsOf("policyTimeBucketed")?.join("; ")}</p>
          ) : null}
        </>
      ) : null}
      <p className="small muted">
        Retention runs after every successful backup, over this plan's snapshots only.
      </p>
      {props.preview}
    </fieldset>
  );
}
