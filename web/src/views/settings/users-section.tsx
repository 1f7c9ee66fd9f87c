/**
 * Users: add, remove, change a password, change a role. Passwords are hashed by the daemon
 * (HashPassword) and saved in the config; changing your own password signs this tab in again.
 */
import { create } from "@bufbuild/protobuf";
import { type FormEvent, useState } from "react";
import { AuthSchema, type User, UserSchema } from "../../../../gen/v1/config_pb";
import { authentication } from "../../api/clients";
import { saveConfig } from "../../api/config-store";
import { errorMessage } from "../../api/errors";
import { getSession } from "../../api/session";
import { signIn } from "../../api/sign-in";
import { useConfirm } from "../../components/confirm";
import { SelectField, TextField } from "../../components/field";
import { ErrorBanner } from "../../components/ui";

const ROLES = [
  { value: "admin", label: "Admin (everything)" },
  { value: "operator", label: "Operator (run, restore, maintain; no config changes)" },
  { value: "viewer", label: "Viewer (read only)" },
];

function passwordProblem(password: string): string | undefined {
  const bytes = new TextEncoder().encode(password).length;
  return bytes >= 8 && bytes <= 72 ? undefined : "Use 8 to 72 bytes.";
}

async function hashed(password: string): Promise<User["password"]> {
  const res = await authentication.hashPassword({ value: password });
  return { case: "passwordBcrypt", value: res.value };
}

function PasswordForm(props: { user: User; onDone: () => void }) {
  const [password, setPassword] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const [error, setError] = useState<string>();
  const problem = passwordProblem(password);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (problem) return;
    try {
      const password_ = await hashed(password);
      const me = getSession()?.user === props.user.name;
      await saveConfig((cfg) => {
        const u = cfg.auth?.users.find((x) => x.name === props.user.name);
        if (u) u.password = password_;
      });
      // The old password's sessions end with the change: sign this tab in with the new one.
      if (me) await signIn(props.user.name, password);
      props.onDone();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <form onSubmit={submit} noValidate className="inline-form">
      <TextField
        label={`New password for ${props.user.name}`}
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={setPassword}
        errors={submitted && problem ? [problem] : undefined}
      />
      <div className="actions">
        <button type="submit" className="primary">
          Change password
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
      <ErrorBanner error={error} />
    </form>
  );
}

/** The users section. */
export function UsersSection(props: { users: readonly User[]; authDisabled: boolean }) {
  const confirm = useConfirm();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState("operator");
  const [submitted, setSubmitted] = useState(false);
  const [error, setError] = useState<string>();
  const [changing, setChanging] = useState<string>();
  const nameProblem = !name.trim()
    ? "Enter a user name."
    : props.users.some((u) => u.name === name.trim())
      ? "This user exists already."
      : undefined;
  const pwProblem = passwordProblem(password);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (nameProblem || pwProblem) return;
    setError(undefined);
    try {
      const pw = await hashed(password);
      await saveConfig((cfg) => {
        cfg.auth ??= create(AuthSchema, { disabled: false });
        cfg.auth.users.push(create(UserSchema, { name: name.trim(), role, password: pw }));
      });
      setName("");
      setPassword("");
      setSubmitted(false);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const remove = async (user: User) => {
    const ok = await confirm({
      title: `Remove user ${user.name}?`,
      body: "They can no longer sign in; their open sessions end.",
      action: "Remove user",
      danger: true,
    });
    if (ok)
      await act(() =>
        saveConfig((cfg) => {
          if (cfg.auth) cfg.auth.users = cfg.auth.users.filter((u) => u.name !== user.name);
        }),
      );
  };

  return (
    <section className="card stack" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      {props.authDisabled ? (
        <p className="banner info">
          Authentication is off: anyone who can reach the daemon can use it.
        </p>
      ) : null}
      <ErrorBanner error={error} />
      <div className="table-wrap">
        <table aria-label="Users">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {props.users.map((u) => (
              <tr key={u.name} data-user={u.name}>
                <td>{u.name}</td>
                <td>
                  <select
                    aria-label={`Role of ${u.name}`}
                    value={u.role || "admin"}
                    onChange={(e) =>
                      act(() =>
                        saveConfig((cfg) => {
                          const x = cfg.auth?.users.find((y) => y.name === u.name);
                          if (x) x.role = e.target.value;
                        }),
                      )
                    }
                  >
                    {ROLES.map((r) => (
                      <option key={r.value} value={r.value}>
                        {r.value}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  {changing === u.name ? (
                    <PasswordForm user={u} onDone={() => setChanging(undefined)} />
                  ) : (
                    <div className="actions">
                      <button type="button" onClick={() => setChanging(u.name)}>
                        Change password
                      </button>
                      <button
                        type="button"
                        className="danger"
                        disabled={props.users.length === 1}
                        title={
                          props.users.length === 1 ? "The last user cannot be removed" : undefined
                        }
                        onClick={() => remove(u)}
                      >
                        Remove
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form onSubmit={add} noValidate aria-labelledby="add-user-title">
        <h3 id="add-user-title">Add a user</h3>
        <div className="form-grid">
          <TextField
            label="User name"
            value={name}
            onChange={setName}
            autoComplete="off"
            errors={submitted && nameProblem ? [nameProblem] : undefined}
          />
          <TextField
            label="Password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={setPassword}
            errors={submitted && pwProblem ? [pwProblem] : undefined}
          />
          <SelectField label="Role" value={role} onChange={setRole} options={ROLES} />
        </div>
        <button type="submit" className="primary">
          Add user
        </button>
      </form>
    </section>
  );
}
