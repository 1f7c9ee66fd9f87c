/**
 * The app: decides between the sign-in page, the first-run page and the signed-in shell,
 * and starts the shared operation event stream once signed in.
 */
import { Code } from "@connectrpc/connect";
import { type ReactNode, useCallback, useEffect, useState, useSyncExternalStore } from "react";
import { clearConfig, loadConfig } from "./api/config-store";
import { errorCode, errorMessage } from "./api/errors";
import { startOpEvents, stopOpEvents } from "./api/op-events";
import { clearPrincipal, loadPrincipal } from "./api/principal";
import { getSession, onSessionChange } from "./api/session";
import { ConfirmProvider } from "./components/confirm";
import { Shell } from "./components/shell";
import { ErrorBanner, Loading } from "./components/ui";
import { prefetchDashboard } from "./views/dashboard";
import { FirstRun, firstRunDismissed } from "./views/first-run";
import { SignIn } from "./views/sign-in";

// The dashboard is the first screen: ask for its data while the app checks the session.
if (window.location.pathname === "/") prefetchDashboard();

type Gate =
  | { kind: "checking" }
  | { kind: "sign-in"; expired: boolean }
  | { kind: "first-run" }
  | { kind: "ready" }
  | { kind: "error"; message: string };

/** Root component. */
export function App() {
  const session = useSyncExternalStore(onSessionChange, getSession);
  const [gate, setGate] = useState<Gate>({ kind: "checking" });
  const [hadSession, setHadSession] = useState(session !== undefined);

  const check = useCallback(async () => {
    try {
      // Both at once: every round trip before the first screen counts.
      const [config] = await Promise.all([loadConfig(), loadPrincipal()]);
      const noUsers = config.auth?.disabled !== false && (config.auth?.users.length ?? 0) === 0;
      if (noUsers && !firstRunDismissed()) setGate({ kind: "first-run" });
      else setGate({ kind: "ready" });
    } catch (err) {
      if (errorCode(err) === Code.Unauthenticated) setGate({ kind: "sign-in", expired: false });
      else setGate({ kind: "error", message: errorMessage(err) });
    }
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: re-check whenever the session changes.
  useEffect(() => {
    if (session) setHadSession(true);
    else if (hadSession) {
      // Signed out, or the daemon refused the session (expired, password changed).
      stopOpEvents();
      clearConfig();
      clearPrincipal();
    }
    void check();
  }, [session, check]);

  useEffect(() => {
    if (gate.kind === "ready") startOpEvents();
  }, [gate.kind]);

  let content: ReactNode;
  switch (gate.kind) {
    case "checking":
      content = (
        <div className="auth-page">
          <Loading />
        </div>
      );
      break;
    case "sign-in":
      content = <SignIn expired={hadSession} />;
      break;
    case "first-run":
      content = <FirstRun onDone={() => void check()} />;
      break;
    case "error":
      content = (
        <div className="auth-page">
          <div className="card">
            <h1>Restwell</h1>
            <ErrorBanner error={gate.message} />
            <button type="button" onClick={() => void check()}>
              Try again
            </button>
          </div>
        </div>
      );
      break;
    case "ready":
      content = <Shell />;
      break;
  }
  return <ConfirmProvider>{content}</ConfirmProvider>;
}
