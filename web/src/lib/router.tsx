/**
 * A small history router: the path is the state, `navigate` pushes a new one and `Link`
 * renders a real <a> (so middle-click and keyboard work) that navigates without a reload.
 */
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from "react";

const listeners = new Set<() => void>();

function notify() {
  for (const listener of listeners) listener();
}

window.addEventListener("popstate", notify);

/** Goes to `to` (a path with optional query), adding a history entry unless `replace`. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  const before = window.location.pathname;
  if (opts.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  // A new page starts at its top; a changed query (a filter, a folder) keeps the place.
  if (window.location.pathname !== before) window.scrollTo(0, 0);
  notify();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current location: its path split in segments, and its query. */
export interface Location {
  path: string;
  segments: string[];
  query: URLSearchParams;
}

let cached: { key: string; location: Location } | undefined;

function snapshot(): Location {
  const key = window.location.pathname + window.location.search;
  if (cached?.key !== key) {
    const path = window.location.pathname;
    cached = {
      key,
      location: {
        path,
        segments: path.split("/").filter(Boolean).map(decodeURIComponent),
        query: new URLSearchParams(window.location.search),
      },
    };
  }
  return cached.location;
}

/** The current location; re-renders when it changes. */
export function useLocation(): Location {
  return useSyncExternalStore(subscribe, snapshot);
}

/** An in-app link. */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const { to, onClick, ...rest } = props;
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)
      return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={click} {...rest} />;
}
