/**
 * The signed-in layout: navigation, the live-stream indicator, who is signed in, and the
 * current view. Views are loaded on demand so the first load stays small.
 */
import { lazy, Suspense, useEffect, useRef, useSyncExternalStore } from "react";
import { useConfig } from "../api/config-store";
import { streamState } from "../api/op-events";
import { usePrincipal } from "../api/principal";
import { getSession } from "../api/session";
import { signOut } from "../api/sign-in";
import { Link, useLocation } from "../lib/router";
import { Dashboard } from "../views/dashboard";
import { Loading } from "./ui";

const Plans = lazy(() => import("../views/plans/plans-view"));
const Repos = lazy(() => import("../views/repos/repos-view"));
const Operations = lazy(() => import("../views/operations/operations-view"));
const Snapshots = lazy(() => import("../views/snapshots/snapshots-view"));
const Settings = lazy(() => import("../views/settings/settings-view"));

const NAV = [
  { to: "/", label: "Dashboard", section: "" },
  { to: "/plans", label: "Plans", section: "plans" },
  { to: "/repos", label: "Repos", section: "repos" },
  { to: "/operations", label: "Operations", section: "operations" },
  { to: "/snapshots", label: "Snapshots", section: "snapshots" },
  { to: "/settings", label: "Settings", section: "settings" },
];

function View(props: { section: string }) {
  switch (props.section) {
    case "":
      return <Dashboard />;
    case "plans":
      return <Plans />;
    case "repos":
      return <Repos />;
    case "operations":
      return <Operations />;
    case "snapshots":
      return <Snapshots />;
    case "settings":
      return <Settings />;
    default:
      return (
        <div className="card">
          <h1>Not found</h1>
          <p>
            There is no page here. <Link to="/">Go to the dashboard.</Link>
          </p>
        </div>
      );
  }
}

function StreamIndicator() {
  const state = useSyncExternalStore(streamState.subscribe, streamState.get);
  const tone = state === "live" ? "ok" : state === "connecting" ? "idle" : "warn";
  const text = state === "live" ? "live" : state === "connecting" ? "connecting" : "reconnecting";
  return (
    <span className={`badge tone-${tone}`} role="status" data-stream={state}>
      updates: {text}
    </span>
  );
}

/** The app's frame around the current view. */
export function Shell() {
  const { segments } = useLocation();
  const section = segments[0] ?? "";
  // Moving to another section moves focus to its content, as a page load would.
  const mounted = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the section changes.
  useEffect(() => {
    if (mounted.current) document.getElementById("main")?.focus({ preventScroll: true });
    mounted.current = true;
  }, [section]);
  const { config } = useConfig();
  const me = usePrincipal();
  const session = getSession();
  const who = me?.name || session?.user;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="sidebar">
        <div className="brand">
          <svg viewBox="0 0 32 32" width="24" height="24" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="#2563eb" />
            <path
              d="M9 17.5l4.5 4.5L23 11"
              fill="none"
              stroke="#fff"
              strokeWidth="3.2"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
          <span>Restwell</span>
        </div>
        {config?.instance ? <div className="muted small">{config.instance}</div> : null}
        <nav className="nav" aria-label="Main">
          {NAV.map((item) => (
            <Link
              key={item.to}
              to={item.to}
              aria-current={section === item.section ? "page" : undefined}
            >
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="sidebar-foot">
          <StreamIndicator />
          {who ? <span className="muted">Signed in as {who}</span> : null}
          {session ? (
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <View section={section} />
        </Suspense>
      </main>
    </div>
  );
}
