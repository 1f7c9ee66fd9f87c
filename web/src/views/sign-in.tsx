/** The sign-in page, shown when the daemon asks for credentials. */
import { Code } from "@connectrpc/connect";
import { type FormEvent, useState } from "react";
import { errorCode, errorMessage } from "../api/errors";
import { signIn } from "../api/sign-in";
import { TextField } from "../components/field";
import { ErrorBanner } from "../components/ui";

/** Asks for a user name and password and signs this tab in. */
export function SignIn(props: { expired: boolean }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [missing, setMissing] = useState<{ username?: string; password?: string }>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems = {
      username: username.trim() ? undefined : "Enter your user name.",
      password: password ? undefined : "Enter your password.",
    };
    setMissing(problems);
    if (problems.username || problems.password) return;
    setBusy(true);
    setError(undefined);
    try {
      await signIn(username.trim(), password);
    } catch (err) {
      setError(
        errorCode(err) === Code.Unauthenticated
          ? "Wrong user name or password."
          : errorMessage(err),
      );
      setBusy(false);
    }
  };

  return (
    <main className="auth-page">
      <form className="card" onSubmit={submit} noValidate aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to Restwell</h1>
        <p className="muted">
          {props.expired ? "Your session ended. Sign in again to continue." : "Enter your login."}
        </p>
        <ErrorBanner error={error} />
        <TextField
          label="User name"
          name="username"
          autoComplete="username"
          value={username}
          onChange={setUsername}
          errors={missing.username ? [missing.username] : undefined}
          autoFocus
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
          errors={missing.password ? [missing.password] : undefined}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
