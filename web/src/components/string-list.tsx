/**
 * Editing a list of strings (paths, excludes, flags, env entries): one input per entry, an
 * add button, and a remove button per entry; each entry can carry its own problems.
 */
import { type ReactNode, useId } from "react";

/** Props of StringList. */
export interface StringListProps {
  label: string;
  values: readonly string[];
  onChange: (values: string[]) => void;
  placeholder?: string;
  hint?: ReactNode;
  /** Problems of the list as a whole. */
  errors?: readonly string[] | undefined;
  /** Problems of single entries, by index. */
  entryErrors?: ReadonlyMap<number, string>;
  /** Renders the input of an entry (e.g. with autocomplete); defaults to a text input. */
  renderInput?: (props: {
    id: string;
    value: string;
    onChange: (v: string) => void;
    label: string;
    invalid: boolean;
  }) => ReactNode;
  addLabel?: string;
}

/** A list editor. */
export function StringList(props: StringListProps) {
  const id = useId();
  const set = (i: number, v: string) => {
    const next = props.values.slice();
    next[i] = v;
    props.onChange(next);
  };
  const remove = (i: number) => props.onChange(props.values.filter((_, j) => j !== i));
  return (
    <fieldset className="plain field">
      <legend>{props.label}</legend>
      {props.hint ? <span className="hint">{props.hint}</span> : null}
      {props.values.map((value, i) => {
        const entryId = `${id}-${i}`;
        const error = props.entryErrors?.get(i);
        const label = `${props.label} ${i + 1}`;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: entries are edited in place by position.
          <div key={i} className="list-entry">
            <div className="row">
              {props.renderInput ? (
                props.renderInput({
                  id: entryId,
                  value,
                  onChange: (v) => set(i, v),
                  label,
                  invalid: Boolean(error),
                })
              ) : (
                <input
                  id={entryId}
                  aria-label={label}
                  value={value}
                  placeholder={props.placeholder}
                  aria-invalid={error ? true : undefined}
                  onChange={(e) => set(i, e.target.value)}
                />
              )}
              <button type="button" onClick={() => remove(i)} aria-label={`Remove ${label}`}>
                Remove
              </button>
            </div>
            {error ? (
              <span className="field-error" role="alert">
                {error}
              </span>
            ) : null}
          </div>
        );
      })}
      <div>
        <button type="button" onClick={() => props.onChange([...props.values, ""])}>
          {props.addLabel ?? "Add"}
        </button>
      </div>
      {props.errors?.length ? (
        <span className="field-error" role="alert">
          {props.errors.join("; ")}
        </span>
      ) : null}
    </fieldset>
  );
}
