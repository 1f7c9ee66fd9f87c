/**
 * Editing a plan's database sources: each with its kind, the database (a name, or a SQLite
 * file), how to connect (not for SQLite), the password (shown redacted once stored), extra
 * dump flags and the dump's file name in the snapshot.
 */
import { clone, create } from "@bufbuild/protobuf";
import {
  type DatabaseSource,
  DatabaseSource_Kind,
  DatabaseSourceSchema,
} from "../../../../gen/v1/config_pb";
import { SelectField, TextField } from "../../components/field";
import { StringList } from "../../components/string-list";

const KINDS = [
  { value: DatabaseSource_Kind.POSTGRESQL, label: "PostgreSQL (pg_dump)" },
  { value: DatabaseSource_Kind.MYSQL, label: "MySQL / MariaDB (mariadb-dump)" },
  { value: DatabaseSource_Kind.SQLITE, label: "SQLite file" },
];

/** Problems of one source's field: the form's own and the daemon's. */
type ErrorsOf = (index: number, field: string) => string[] | undefined;

function SourceEditor(props: {
  source: DatabaseSource;
  index: number;
  onChange: (s: DatabaseSource) => void;
  onRemove: () => void;
  errorsOf: ErrorsOf;
}) {
  const { source, index } = props;
  const edit = (fn: (s: DatabaseSource) => void) => {
    const next = clone(DatabaseSourceSchema, source);
    fn(next);
    props.onChange(next);
  };
  const errors = (field: string) => props.errorsOf(index, field);
  const sqlite = source.kind === DatabaseSource_Kind.SQLITE;
  const text = (label: string, field: "name" | "host" | "user" | "passwordFile" | "filename") => (
    <TextField
      label={label}
      value={source[field]}
      onChange={(v) =>
        edit((s) => {
          s[field] = v.trim();
        })
      }
      errors={errors(field)}
      autoComplete="off"
    />
  );
  const flagErrors = new Map<number, string>();
  source.dumpFlags.forEach((_, j) => {
    const found = errors(`dumpFlags[${j}]`);
    if (found) flagErrors.set(j, found.join("; "));
  });
  return (
    <fieldset className="database-source" data-database={index}>
      <legend>Database {source.name || index + 1}</legend>
      <div className="form-grid">
        {text("Name", "name")}
        <SelectField
          label="Kind"
          value={String(source.kind)}
          onChange={(v) =>
            edit((s) => {
              s.kind = Number(v);
              if (s.kind === DatabaseSource_Kind.SQLITE) {
                // A SQLite file has no server: leave no hidden connection settings behind.
                s.host = "";
                s.port = 0;
                s.user = "";
                s.password = "";
                s.passwordFile = "";
              }
            })
          }
          options={[
            ...(source.kind ? [] : [{ value: "0", label: "Choose…" }]),
            ...KINDS.map((k) => ({ value: String(k.value), label: k.label })),
          ]}
          errors={errors("kind")}
        />
        <TextField
          label={sqlite ? "SQLite file" : "Database"}
          value={source.database}
          onChange={(v) =>
            edit((s) => {
              s.database = v.trim();
            })
          }
          placeholder={sqlite ? "/var/lib/app/app.db" : "app"}
          errors={errors("database")}
          autoComplete="off"
        />
        {sqlite ? null : (
          <>
            <TextField
              label="Host"
              value={source.host}
              onChange={(v) =>
                edit((s) => {
                  s.host = v.trim();
                })
              }
              placeholder="empty: the local socket"
              hint="A host name or address, or a socket path."
              errors={errors("host")}
              autoComplete="off"
            />
            <TextField
              label="Port"
              type="number"
              min={0}
              max={65535}
              value={String(source.port)}
              onChange={(v) =>
                edit((s) => {
                  s.port = Math.floor(Number(v) || 0);
                })
              }
              hint="0: the default port."
              errors={errors("port")}
            />
            {text("User", "user")}
            <TextField
              label="Password"
              type="password"
              autoComplete="new-password"
              value={source.password}
              onChange={(v) =>
                edit((s) => {
                  s.password = v;
                })
              }
              hint="Passed to the dump tool by environment. Stored secret shown as <redacted>; leave it to keep it."
              errors={errors("password")}
            />
            {text("Password file (instead)", "passwordFile")}
          </>
        )}
        <TextField
          label="File name in the snapshot"
          value={source.filename}
          onChange={(v) =>
            edit((s) => {
              s.filename = v.trim();
            })
          }
          placeholder={`${source.name || "name"}.sql`}
          errors={errors("filename")}
          autoComplete="off"
        />
      </div>
      <StringList
        label="Extra dump flags"
        values={source.dumpFlags}
        onChange={(v) =>
          edit((s) => {
            s.dumpFlags = v;
          })
        }
        entryErrors={flagErrors}
        placeholder={sqlite ? "" : "--no-owner"}
        addLabel="Add flag"
      />
      <button type="button" className="danger" onClick={props.onRemove}>
        Remove database {source.name || index + 1}
      </button>
    </fieldset>
  );
}

/** Props of DatabasesEditor. */
export interface DatabasesEditorProps {
  sources: readonly DatabaseSource[];
  onChange: (sources: DatabaseSource[]) => void;
  errorsOf: ErrorsOf;
}

/** The list of a plan's database sources. */
export function DatabasesEditor(props: DatabasesEditorProps) {
  const set = (i: number, s: DatabaseSource) =>
    props.onChange(props.sources.map((x, j) => (j === i ? s : x)));
  return (
    <fieldset>
      <legend>Databases</legend>
      <p className="small muted">
        Each database is dumped straight into a snapshot of its own (no temporary file), and can be
        restored into a database from the snapshots page.
      </p>
      {props.sources.map((s, i) => (
        <SourceEditor
          // biome-ignore lint/suspicious/noArrayIndexKey: sources are edited by position (names change while typing).
          key={i}
          source={s}
          index={i}
          onChange={(next) => set(i, next)}
          onRemove={() => props.onChange(props.sources.filter((_, j) => j !== i))}
          errorsOf={props.errorsOf}
        />
      ))}
      <button
        type="button"
        onClick={() =>
          props.onChange([
            ...props.sources,
            create(DatabaseSourceSchema, { kind: DatabaseSource_Kind.POSTGRESQL }),
          ])
        }
      >
        Add database
      </button>
    </fieldset>
  );
}
