/**
 * Editing a list of hooks: each with its action and the action's fields, the conditions it
 * runs on, what its failure does, and its timeout.
 */
import { clone, create } from "@bufbuild/protobuf";
import { type Hook, Hook_Webhook_Method, HookSchema } from "../../../gen/v1/config_pb";
import { CheckField, SelectField, TextField } from "./field";
import { ACTIONS, type ActionField, CONDITIONS, newAction, ON_ERROR } from "./hook-actions";

type Values = Record<string, unknown>;

/** Problems of a hook found before sending, keyed by field ("conditions", "command"...). */
export function hookProblems(hook: Hook): Map<string, string> {
  const out = new Map<string, string>();
  if (hook.conditions.length === 0) out.set("conditions", "Choose at least one condition.");
  const kind = ACTIONS.find((a) => a.case === hook.action.case);
  if (!kind) {
    if (!hook.action.case) out.set("action", "Choose an action.");
    return out;
  }
  const values = hook.action.value as unknown as Values;
  for (const f of kind.fields) {
    const v = values[f.key];
    const empty = Array.isArray(v)
      ? v.filter((x) => String(x).trim()).length === 0
      : !String(v ?? "").trim();
    if (f.required && empty) out.set(f.key, `${f.label} is required.`);
    else if (
      f.url &&
      !empty &&
      !String(v).includes("<redacted>") &&
      !/^https?:\/\/\S+$/.test(String(v))
    )
      out.set(f.key, "Enter an http:// or https:// URL.");
  }
  if (hook.timeoutSeconds < 0) out.set("timeoutSeconds", "Use 0 (default) or more seconds.");
  return out;
}

function ActionInput(props: {
  field: ActionField;
  value: unknown;
  onChange: (v: unknown) => void;
  error?: string;
}) {
  const { field, value, error } = props;
  const errors = error ? [error] : undefined;
  switch (field.kind) {
    case "bool":
      return <CheckField label={field.label} checked={Boolean(value)} onChange={props.onChange} />;
    case "number":
      return (
        <TextField
          label={field.label}
          type="number"
          value={String(value ?? 0)}
          onChange={(v) => props.onChange(Math.floor(Number(v) || 0))}
          hint={field.hint}
          errors={errors}
        />
      );
    case "method":
      return (
        <SelectField
          label={field.label}
          value={String(value || Hook_Webhook_Method.POST)}
          onChange={(v) => props.onChange(Number(v))}
          options={[
            { value: String(Hook_Webhook_Method.POST), label: "POST" },
            { value: String(Hook_Webhook_Method.GET), label: "GET" },
          ]}
        />
      );
    case "list":
      return (
        <TextField
          label={`${field.label} (comma-separated)`}
          value={((value as string[] | undefined) ?? []).join(", ")}
          onChange={(v) =>
            props.onChange(
              v
                .split(",")
                .map((s) => s.trim())
                .filter(Boolean),
            )
          }
          errors={errors}
        />
      );
    case "textarea":
      return (
        <div className="field">
          <label>
            <span className="label">{field.label}</span>
            <textarea
              value={String(value ?? "")}
              onChange={(e) => props.onChange(e.target.value)}
              aria-invalid={error ? true : undefined}
            />
          </label>
          {field.hint ? <span className="hint">{field.hint}</span> : null}
          {error ? <span className="field-error">{error}</span> : null}
        </div>
      );
    default:
      return (
        <TextField
          label={field.label}
          value={String(value ?? "")}
          onChange={props.onChange}
          hint={
            field.kind === "secret"
              ? "Stored secret shown as <redacted>; leave it to keep it."
              : field.hint
          }
          errors={errors}
          autoComplete="off"
        />
      );
  }
}

function HookEditor(props: {
  hook: Hook;
  index: number;
  onChange: (h: Hook) => void;
  onRemove: () => void;
  showErrors: boolean;
  serverErrors: (field: string) => string[];
}) {
  const { hook } = props;
  const problems = props.showErrors ? hookProblems(hook) : new Map<string, string>();
  const edit = (fn: (h: Hook) => void) => {
    const next = clone(HookSchema, hook);
    fn(next);
    props.onChange(next);
  };
  const kind = ACTIONS.find((a) => a.case === hook.action.case);
  const values = (hook.action.value ?? {}) as unknown as Values;
  const errorOf = (key: string) =>
    [problems.get(key), ...props.serverErrors(key)].filter(Boolean).join("; ") || undefined;
  return (
    <fieldset className="hook" data-hook={props.index}>
      <legend>Hook {props.index + 1}</legend>
      <div className="form-grid">
        <SelectField
          label="Action"
          value={hook.action.case ?? ""}
          onChange={(v) => {
            const k = ACTIONS.find((a) => a.case === v);
            if (k)
              edit((h) => {
                h.action = newAction(k);
              });
          }}
          options={[
            ...(kind || !hook.action.case
              ? []
              : [{ value: hook.action.case, label: `${hook.action.case} (not supported)` }]),
            ...(hook.action.case ? [] : [{ value: "", label: "Choose…" }]),
            ...ACTIONS.map((a) => ({ value: a.case, label: a.label })),
          ]}
          errors={problems.get("action") ? [problems.get("action") as string] : undefined}
        />
        <SelectField
          label="When it fails"
          value={String(hook.onError)}
          onChange={(v) =>
            edit((h) => {
              h.onError = Number(v);
            })
          }
          options={ON_ERROR.map((o) => ({ value: String(o.value), label: o.label }))}
        />
        <TextField
          label="Timeout (seconds, 0 = 60)"
          type="number"
          min={0}
          value={String(hook.timeoutSeconds)}
          onChange={(v) =>
            edit((h) => {
              h.timeoutSeconds = Math.floor(Number(v) || 0);
            })
          }
          errors={errorOf("timeoutSeconds") ? [errorOf("timeoutSeconds") as string] : undefined}
        />
      </div>
      {kind?.fields.map((f) => (
        <ActionInput
          key={f.key}
          field={f}
          value={values[f.key]}
          error={errorOf(f.key)}
          onChange={(v) =>
            edit((h) => {
              (h.action.value as unknown as Values)[f.key] = v;
            })
          }
        />
      ))}
      <fieldset className="plain">
        <legend>Runs when</legend>
        {CONDITIONS.map((g) => (
          <div key={g.group} className="conditions">
            <span className="small muted">{g.group}</span>
            <div className="row">
              {g.items.map((c) => (
                <CheckField
                  key={c.value}
                  label={c.label}
                  checked={hook.conditions.includes(c.value)}
                  onChange={(on) =>
                    edit((h) => {
                      h.conditions = on
                        ? [...h.conditions, c.value]
                        : h.conditions.filter((x) => x !== c.value);
                    })
                  }
                />
              ))}
            </div>
          </div>
        ))}
        {errorOf("conditions") ? (
          <span className="field-error">{errorOf("conditions")}</span>
        ) : null}
      </fieldset>
      <button type="button" className="danger" onClick={props.onRemove}>
        Remove hook {props.index + 1}
      </button>
    </fieldset>
  );
}

/** Props of HooksEditor. */
export interface HooksEditorProps {
  hooks: readonly Hook[];
  onChange: (hooks: Hook[]) => void;
  showErrors: boolean;
  /** Problems from the daemon for hook `index`'s `field`. */
  serverErrors: (index: number, field: string) => string[];
}

/** The list of hooks. */
export function HooksEditor(props: HooksEditorProps) {
  const set = (i: number, h: Hook) => props.onChange(props.hooks.map((x, j) => (j === i ? h : x)));
  return (
    <fieldset>
      <legend>Hooks</legend>
      {props.hooks.length === 0 ? <p className="small muted">No hooks.</p> : null}
      {props.hooks.map((h, i) => (
        <HookEditor
          // biome-ignore lint/suspicious/noArrayIndexKey: hooks have no id; they are edited by position.
          key={i}
          hook={h}
          index={i}
          onChange={(next) => set(i, next)}
          onRemove={() => props.onChange(props.hooks.filter((_, j) => j !== i))}
          showErrors={props.showErrors}
          serverErrors={(field) => props.serverErrors(i, field)}
        />
      ))}
      <button
        type="button"
        onClick={() =>
          props.onChange([
            ...props.hooks,
            create(HookSchema, { action: newAction(ACTIONS[0] as (typeof ACTIONS)[number]) }),
          ])
        }
      >
        Add hook
      </button>
    </fieldset>
  );
}
