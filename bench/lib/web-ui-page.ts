/**
 * What the web UI benchmark measures inside the page. The page code is passed as strings:
 * benchmarks are compiled without the DOM's types, and the code runs in Chromium.
 */
import type { Page } from "playwright-core";

/**
 * Installed before the app loads: records (in performance.now(), ms since navigation start)
 * when the dashboard first shows a plan, when the operations list first shows a row, and
 * skips the first-run page (the benchmark's daemon has no users).
 */
export const MARKS_SCRIPT = `
  localStorage.setItem("restwell.firstRunDismissed", "1");
  window.__marks = {};
  const wanted = { content: "[data-plan]", ops: "[data-op-id]" };
  new MutationObserver(() => {
    for (const [name, selector] of Object.entries(wanted)) {
      if (!(name in window.__marks) && document.querySelector(selector)) window.__marks[name] = performance.now();
    }
  }).observe(document, { childList: true, subtree: true });
`;

/** A mark recorded by MARKS_SCRIPT (ms since navigation start). */
export async function mark(page: Page, name: "content" | "ops"): Promise<number> {
  const value = await page.evaluate(`window.__marks[${JSON.stringify(name)}]`);
  if (typeof value !== "number") throw new Error(`mark ${name} was not recorded`);
  return value;
}

/** First contentful paint of the current document (ms since navigation start). */
export async function firstContentfulPaint(page: Page): Promise<number> {
  const value = await page.evaluate(
    `performance.getEntriesByType("paint").find((e) => e.name === "first-contentful-paint")?.startTime ?? -1`,
  );
  return Number(value);
}

/**
 * Scrolls the operations list to its end until it holds `total` rows (each end loads the
 * next page); resolves with performance.now() (ms since navigation start) at that moment.
 */
export async function loadAll(page: Page, total: number, timeoutMs: number): Promise<number> {
  const value = await page.evaluate(`new Promise((resolve, reject) => {
    const deadline = performance.now() + ${timeoutMs};
    const step = () => {
      const scroller = document.querySelector(".op-scroller");
      if (scroller && Number(scroller.dataset.rows) >= ${total}) return resolve(performance.now());
      if (performance.now() > deadline) return reject(new Error("rows: " + scroller?.dataset.rows));
      if (scroller) scroller.scrollTop = scroller.scrollHeight;
      requestAnimationFrame(step);
    };
    step();
  })`);
  return Number(value);
}

/** Frame times while scrolling the whole list from top to bottom in `ms`. */
export interface ScrollSample {
  frames: number[];
  /** Most rows in the DOM at any frame (the virtualized window). */
  maxRowsInDom: number;
}

/** Scrolls the operations list from top to bottom over `ms`, one step per frame. */
export async function scrollThrough(page: Page, ms: number): Promise<ScrollSample> {
  const value = await page.evaluate(`new Promise((resolve) => {
    const scroller = document.querySelector(".op-scroller");
    scroller.scrollTop = 0;
    const frames = [];
    let maxRowsInDom = 0;
    let start;
    let last;
    const step = (t) => {
      if (start === undefined) start = last = t;
      else { frames.push(t - last); last = t; }
      const done = Math.min(1, (t - start) / ${ms});
      scroller.scrollTop = done * (scroller.scrollHeight - scroller.clientHeight);
      maxRowsInDom = Math.max(maxRowsInDom, scroller.querySelectorAll(".op-row").length);
      if (done < 1) requestAnimationFrame(step);
      else resolve({ frames, maxRowsInDom });
    };
    requestAnimationFrame(step);
  })`);
  return value as ScrollSample;
}
