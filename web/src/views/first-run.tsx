/**
 * The first-run page: the config has no users and authentication is off. It names the
 * instance and creates the first (admin) user, which turns authentication on, then signs in.
 */
import { create } from "@bufbuild/protobuf";
import { type FormEvent, useState } from "react";
import { AuthSchema, UserSchema } from "../../../gen/v1/config_pb";
import { authentication } from "../api/clients";
import { saveConfig, useConfig } from "../api/config-store";
import { errorMessage, fieldIssues } from "../api/errors";
import { signIn } from "../api/sign-in";
import { TextField } from "../components/field";
import { ErrorBanner } from "../components/ui";

const DISMISSED = "restwell.firstRunDismissed";

/** True when this browser chose to keep using the daemon without users. */
export function firstRunDismissed(): boolean {
  return localStorage.getItem(DISMISSED) === "1";
}

type Errors = Partial<Record<"instance" | "username" | "password" | "repeat", string>>;

/** Creates the first user and names the instance; `onDone` runs once signed in. */
export function FirstRun(props: { onDone: () => void }) {
  const { config } = useConfig();
  const [instance, setInstance] = useState<string>();
  const [username, setUsername] = useState("admin");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const name = instance ?? config?.instance ?? "";

  const validate = (): Errors => ({
    instance: /^[\w.-]+$/.test(name.trim())
      ? undefined
      : "Use letters, digits, dots, dashes or underscores.",
    username: username.trim() ? undefined : "Choose a user name.",
    password:
      password.length >= 8 && new TextEncoder().encode(password).length <= 72
        ? undefined
        : "Use 8 to 72 bytes.",
    repeat: repeat === password ? undefined : "The passwords differ.",
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found = validate();
    setErrors(found);
    if (Object.values(found).some(Boolean)) return;
    setBusy(true);
    setError(undefined);
    try {
      const hash = await authentication.hashPassword({ value: password });
      await saveConfig((draft) => {
        draft.instance = name.trim();
        draft.auth = create(AuthSchema, {
          disabled: false,
          users: [
            create(UserSchema, {
              name: username.trim(),
              role: "admin",
              password: { case: "passwordBcrypt", value: hash.value },
            }),
          ],
        });
      });
      await signIn(username.trim(), password);
      props.onDone();
    } catch (err) {
      const issues = fieldIssues(err);
      setErrors({
        instance: issues.find((i) => i.path === "instance")?.message,
        username: issues.find((i) => i.path.startsWith("auth.users"))?.message,
      });
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  const skip = () => {
    localStorage.setItem(DISMISSED, "1");
    props.onDone();
  };

  return (
    <main className="auth-page">
      <form className="card" onSubmit={submit} noValidate aria-labelledby="first-run-title">
        <h1 id="first-run-title">Welcome to Restwell</h1>
        <p className="muted">
          Name this installation and create the first user. Signing in is required from then on.
        </p>
        <ErrorBanner error={error} />
        <TextField
          label="Instance name"
          hint="Snapshots are tagged with it."
          value={name}
          onChange={setInstance}
          errors={errors.instance ? [errors.instance] : undefined}
        />
        <TextField
          label="User name"
          autoComplete="username"
          value={username}
          onChange={setUsername}
          errors={errors.username ? [errors.username] : undefined}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          errors={errors.password ? [errors.password] : undefined}
        />
        <TextField
          label="Repeat password"
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={setRepeat}
          errors={errors.repeat ? [errors.repeat] : undefined}
        />
        <div className="spread">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Creating…" : "Create user and sign in"}
          </button>
          <button type="button" className="link" onClick={skip}>
            Keep authentication off
          </button>
        </div>
      </form>
    </main>
  );
}
