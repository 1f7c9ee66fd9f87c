/**
 * A path input with autocomplete from the daemon's file system (ListLocalPaths), as an
 * ARIA combobox: type to see matching entries, arrow keys to move, Enter to pick, Escape
 * to close. Without permission to list, it is a plain input.
 */
import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import type { LocalPath } from "../../../gen/v1/service_pb";
import { backrest } from "../api/clients";

/** Props of PathInput. */
export interface PathInputProps {
  id: string;
  value: string;
  onChange: (v: string) => void;
  label: string;
  invalid: boolean;
  dirsOnly?: boolean;
  placeholder?: string;
}

const MAX_SHOWN = 50;

/** The path input. */
export function PathInput(props: PathInputProps) {
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<LocalPath[]>([]);
  const [active, setActive] = useState(-1);
  const typed = useRef(false);
  const listId = `${props.id}-options`;
  const { value, dirsOnly } = props;

  useEffect(() => {
    if (!typed.current || !value.startsWith("/")) {
      setItems([]);
      return;
    }
    const abort = new AbortController();
    const timer = setTimeout(() => {
      backrest
        .listLocalPaths({ prefix: value, dirsOnly: dirsOnly ?? false }, { signal: abort.signal })
        .then(
          (res) => {
            setItems(res.entries.filter((e) => e.path !== value).slice(0, MAX_SHOWN));
            setActive(-1);
          },
          () => setItems([]),
        );
    }, 120);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [value, dirsOnly]);

  const pick = (item: LocalPath) => {
    props.onChange(item.path);
    setOpen(false);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" && items.length) {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(items.length - 1, a + 1));
    } else if (e.key === "ArrowUp" && items.length) {
      e.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (e.key === "Enter" && open && items[active]) {
      e.preventDefault();
      pick(items[active] as LocalPath);
    } else if (e.key === "Escape" && open) {
      e.preventDefault();
      setOpen(false);
    }
  };

  const shown = open && items.length > 0;
  return (
    <div className="path-input">
      <input
        id={props.id}
        role="combobox"
        aria-label={props.label}
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={listId}
        aria-activedescendant={shown && active >= 0 ? `${listId}-${active}` : undefined}
        aria-invalid={props.invalid ? true : undefined}
        autoComplete="off"
        spellCheck={false}
        value={value}
        placeholder={props.placeholder ?? "/home/me/Documents"}
        onChange={(e) => {
          typed.current = true;
          setOpen(true);
          props.onChange(e.target.value);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      {shown ? (
        <div
          id={listId}
          role="listbox"
          className="suggestions"
          aria-label={`${props.label} suggestions`}
        >
          {items.map((item, i) => (
            <div
              key={item.path}
              tabIndex={-1}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              // Picks before the input's blur closes the list.
              onMouseDown={(e) => {
                e.preventDefault();
                pick(item);
              }}
            >
              {item.path}
              {item.isDir ? "/" : ""}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
