/**
 * Form fields: a label tied to its input, a hint, and the problems found for it (by the
 * form's own checks or by the daemon), announced and linked with aria-describedby.
 */
import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useId } from "react";

interface FieldProps {
  label: string;
  hint?: ReactNode;
  errors?: readonly string[] | undefined;
}

function Described(props: {
  id: string;
  hint?: ReactNode;
  errors?: readonly string[] | undefined;
}) {
  return (
    <>
      {props.hint ? (
        <span className="hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.errors?.length ? (
        <span className="field-error" id={`${props.id}-error`} role="alert">
          {props.errors.join("; ")}
        </span>
      ) : null}
    </>
  );
}

function describedBy(id: string, p: FieldProps): string | undefined {
  const ids = [p.hint ? `${id}-hint` : "", p.errors?.length ? `${id}-error` : ""].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

/** A labelled text input. */
export function TextField(
  props: FieldProps &
    Omit<InputHTMLAttributes<HTMLInputElement>, "onChange"> & {
      value: string;
      onChange: (value: string) => void;
    },
) {
  const { label, hint, errors, onChange, ...input } = props;
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        {...input}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy(id, props)}
      />
      <Described id={id} hint={hint} errors={errors} />
    </div>
  );
}

/** A labelled select. */
export function SelectField(
  props: FieldProps &
    Omit<SelectHTMLAttributes<HTMLSelectElement>, "onChange"> & {
      value: string;
      onChange: (value: string) => void;
      options: readonly { value: string; label: string }[];
    },
) {
  const { label, hint, errors, onChange, options, ...select } = props;
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        {...select}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy(id, props)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Described id={id} hint={hint} errors={errors} />
    </div>
  );
}

/** A labelled checkbox. */
export function CheckField(props: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: ReactNode;
}) {
  const id = useId();
  return (
    <div className="check">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
      />
      <label htmlFor={id}>{props.label}</label>
      {props.hint ? (
        <span className="hint" id={`${id}-hint`}>
          {props.hint}
        </span>
      ) : null}
    </div>
  );
}
