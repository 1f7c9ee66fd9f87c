/**
 * WCAG 2.x contrast for the web UI's browser tests: the ratio math (relative luminance,
 * alpha compositing), a script that reads every visible text element of a page with the
 * backgrounds and opacities above it, and the audit that turns those readings into offenders
 * (normal text below 4.5:1, large text below 3:1). A focus script reads the focus indicator of
 * the element focused by the keyboard.
 *
 * Page-side code is a string: the tests are compiled without the DOM's types.
 */

/** A colour in sRGB channels 0-255 with alpha 0-1. */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** WCAG 2.x minimum ratios (1.4.3, level AA). */
export const MIN_RATIO_NORMAL = 4.5;
export const MIN_RATIO_LARGE = 3;
/** WCAG 2.x 1.4.11: user interface components (a focus indicator) against what is next to them. */
export const MIN_RATIO_NON_TEXT = 3;

/**
 * Parses a computed CSS colour: `rgb()`/`rgba()` (comma or space syntax), `#rgb[a]`,
 * `#rrggbb[aa]`, `color(srgb r g b / a)` and `transparent`. Throws on anything else, so an
 * unexpected format fails a test instead of passing it.
 */
export function parseColor(css: string): Rgba {
  const text = css.trim().toLowerCase();
  if (text === "transparent") return { r: 0, g: 0, b: 0, a: 0 };
  const hex = /^#([0-9a-f]{3,8})$/.exec(text)?.[1];
  if (hex && [3, 4, 6, 8].includes(hex.length)) {
    const digits = hex.length <= 4 ? [...hex].map((d) => d + d) : (hex.match(/../g) ?? []);
    const [r, g, b, a = "ff"] = digits as [string, string, string, string?];
    return {
      r: Number.parseInt(r, 16),
      g: Number.parseInt(g, 16),
      b: Number.parseInt(b, 16),
      a: Number.parseInt(a, 16) / 255,
    };
  }
  const fn = /^(rgba?|color)\((.*)\)$/.exec(text);
  if (fn) {
    const [, name, body = ""] = fn;
    const parts = body
      .replace(/^srgb\s+/, "")
      .split(/[\s,/]+/)
      .filter(Boolean);
    const num = (part: string | undefined, scale: number) => {
      if (part === undefined) return Number.NaN;
      return part.endsWith("%") ? (Number.parseFloat(part) / 100) * scale : Number.parseFloat(part);
    };
    const channelScale = name === "color" ? 1 : 255;
    const channels = parts.slice(0, 3).map((p) => num(p, channelScale));
    const [r, g, b] = name === "color" ? channels.map((c) => c * 255) : channels;
    const a = parts[3] === undefined ? 1 : num(parts[3], 1);
    const color = { r: r ?? Number.NaN, g: g ?? Number.NaN, b: b ?? Number.NaN, a };
    if (parts.length >= 3 && Object.values(color).every(Number.isFinite)) return color;
  }
  throw new Error(`unsupported colour ${JSON.stringify(css)}`);
}

/** `top` painted over `bottom` (source-over); the result has the combined alpha. */
export function over(top: Rgba, bottom: Rgba): Rgba {
  const a = top.a + bottom.a * (1 - top.a);
  if (a === 0) return { r: 0, g: 0, b: 0, a: 0 };
  const mix = (t: number, b: number) => (t * top.a + b * bottom.a * (1 - top.a)) / a;
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a };
}

/** WCAG 2.x relative luminance of an opaque colour. */
export function relativeLuminance(c: Rgba): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

/** WCAG 2.x contrast ratio (1 to 21) of two opaque colours, in either order. */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [
    number,
    number,
  ];
  return (hi + 0.05) / (lo + 0.05);
}

/** WCAG's large text: at least 18pt (24px), or 14pt (18.66px) and bold. */
export function isLargeText(fontSizePx: number, fontWeight: number): boolean {
  return fontSizePx >= 24 || (fontSizePx >= 18.66 && fontWeight >= 700);
}

/** One box between the page's canvas and a text: its background colour and opacity. */
export interface Layer {
  background: string;
  opacity: number;
}

/**
 * The colours a pixel of text and a pixel beside it end up with, given the boxes from the root
 * down to the text's own element (outermost first) and the canvas colour. Each box is a group:
 * its background and everything inside are painted, then blended with its opacity onto what is
 * behind it, which is exact for normal blending.
 */
export function renderedColors(
  layers: readonly Layer[],
  text: Rgba,
  canvas: Rgba,
): { foreground: Rgba; background: Rgba } {
  const paint = (i: number, behind: Rgba, withText: boolean): Rgba => {
    const layer = layers[i];
    if (layer === undefined) return withText ? over(text, behind) : behind;
    const inside = paint(i + 1, over(parseColor(layer.background), behind), withText);
    return over({ ...inside, a: inside.a * layer.opacity }, behind);
  };
  const base = { ...canvas, a: 1 };
  return { foreground: paint(0, base, true), background: paint(0, base, false) };
}

/** What TEXT_SAMPLES_SCRIPT reads for each visible text element. */
export interface TextSample {
  /** A short CSS path to the element. */
  selector: string;
  text: string;
  /** Computed `color` (or `fill` of SVG text, or the `::placeholder` colour). */
  color: string;
  fontSizePx: number;
  fontWeight: number;
  /** Root first. */
  layers: Layer[];
  /** A box above it has a background image: its background cannot be known from colours. */
  imageBackground: boolean;
  /** In a disabled control: WCAG exempts inactive components. */
  disabled: boolean;
}

/** A text that fails its minimum ratio. */
export interface ContrastOffender {
  selector: string;
  text: string;
  foreground: string;
  background: string;
  ratio: number;
  required: number;
}

const hexOf = (c: Rgba) =>
  `#${[c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("")}`;

/**
 * The samples below their minimum ratio; disabled ones are left out, as WCAG allows, and so
 * are those over background images (`unknown` lists them: none are expected).
 */
export function auditSamples(
  samples: readonly TextSample[],
  canvas: Rgba,
): { offenders: ContrastOffender[]; checked: number; unknown: TextSample[] } {
  const offenders: ContrastOffender[] = [];
  const unknown: TextSample[] = [];
  let checked = 0;
  for (const sample of samples) {
    if (sample.disabled) continue;
    if (sample.imageBackground) {
      unknown.push(sample);
      continue;
    }
    const text = parseColor(sample.color);
    if (text.a === 0) continue;
    const { foreground, background } = renderedColors(sample.layers, text, canvas);
    const ratio = contrastRatio(foreground, background);
    const required = isLargeText(sample.fontSizePx, sample.fontWeight)
      ? MIN_RATIO_LARGE
      : MIN_RATIO_NORMAL;
    checked++;
    if (ratio < required)
      offenders.push({
        selector: sample.selector,
        text: sample.text.slice(0, 60),
        foreground: hexOf(foreground),
        background: hexOf(background),
        ratio: Math.round(ratio * 100) / 100,
        required,
      });
  }
  return { offenders, checked, unknown };
}

/** One line per offender, for an assertion message. */
export function describeOffenders(offenders: readonly ContrastOffender[]): string {
  return offenders
    .map(
      (o) =>
        `${o.selector} "${o.text}": ${o.foreground} on ${o.background} = ${o.ratio}:1 (needs ${o.required}:1)`,
    )
    .join("\n");
}

/** Page-side helpers shared by the scripts below (a string: see the file comment). */
const PAGE_HELPERS = `
  const pathOf = (el) => {
    const parts = [];
    for (let node = el; node && node !== document.body && parts.length < 4; node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      if (node.id) part += "#" + node.id;
      else if (typeof node.className === "string" && node.className.trim())
        part += "." + node.className.trim().split(/\\s+/).join(".");
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const layersOf = (el) => {
    const layers = [];
    let image = false;
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      layers.unshift({ background: style.backgroundColor, opacity: Number(style.opacity) });
      if (style.backgroundImage !== "none") image = true;
    }
    return { layers, image };
  };
`;

/**
 * Evaluates (page.evaluate) to TextSample[]: every element with its own visible text, the
 * value, selected option or placeholder of form controls, and SVG text. Hidden, zero-size,
 * screen-reader-only and off-page elements are left out.
 */
export const TEXT_SAMPLES_SCRIPT = `(() => {
  ${PAGE_HELPERS}
  const samples = [];
  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "OPTION", "TITLE"]);
  for (const el of document.querySelectorAll("body *")) {
    if (SKIP.has(el.tagName)) continue;
    let text = "";
    let color = "";
    const style = getComputedStyle(el);
    if (el.matches("input:not([type=checkbox]):not([type=radio]):not([type=range]):not([type=color]):not([type=hidden]), textarea")) {
      if (el.value) text = el.type === "password" ? "•".repeat(el.value.length) : el.value;
      else if (el.placeholder) {
        text = el.placeholder;
        color = getComputedStyle(el, "::placeholder").color;
      }
    } else if (el.tagName === "SELECT") {
      text = el.selectedOptions[0]?.textContent ?? "";
    } else {
      for (const child of el.childNodes)
        if (child.nodeType === Node.TEXT_NODE) text += child.textContent;
    }
    text = text.replace(/\\s+/g, " ").trim();
    if (!text) continue;
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1) continue;
    if (rect.right + window.scrollX <= 0 || rect.bottom + window.scrollY <= 0) continue;
    const svg = el instanceof SVGElement;
    if (!color) color = svg ? style.fill : style.color;
    const { layers, image } = layersOf(el);
    samples.push({
      selector: pathOf(el),
      text,
      color,
      fontSizePx: Number.parseFloat(style.fontSize),
      fontWeight: Number(style.fontWeight),
      layers,
      imageBackground: image,
      disabled: Boolean(el.closest(":disabled, [aria-disabled=true]")),
    });
  }
  return samples;
})()`;

/** What FOCUS_SCRIPT reads of the focused element. */
export interface FocusSample {
  selector: string;
  tag: string;
  text: string;
  outlineStyle: string;
  outlineWidthPx: number;
  outlineColor: string;
  boxShadow: string;
  /**
   * How many sides of the outline's ring (0-4) are not cut off by an ancestor that clips its
   * overflow (or by the page's edges).
   */
  visibleSides: number;
  /** The boxes behind the element (its parent's chain, root first): what an outline sits on. */
  layers: Layer[];
}

/** Evaluates to the FocusSample of document.activeElement (null when it is the body). */
export const FOCUS_SCRIPT = `(() => {
  ${PAGE_HELPERS}
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const offset = Number.parseFloat(style.outlineOffset) || 0;
  const width = Number.parseFloat(style.outlineWidth) || 0;
  const out = offset + width;
  let clip = { left: -window.scrollX, top: -window.scrollY, right: Infinity, bottom: Infinity };
  for (let node = el.parentElement; node; node = node.parentElement) {
    const s = getComputedStyle(node);
    if (s.overflowX === "visible" && s.overflowY === "visible") continue;
    const r = node.getBoundingClientRect();
    clip = {
      left: Math.max(clip.left, r.left + node.clientLeft),
      top: Math.max(clip.top, r.top + node.clientTop),
      right: Math.min(clip.right, r.left + node.clientLeft + node.clientWidth),
      bottom: Math.min(clip.bottom, r.top + node.clientTop + node.clientHeight),
    };
  }
  const strips = [
    [rect.left - out, rect.top - out, rect.right + out, rect.top - offset],
    [rect.left - out, rect.bottom + offset, rect.right + out, rect.bottom + out],
    [rect.left - out, rect.top - out, rect.left - offset, rect.bottom + out],
    [rect.right + offset, rect.top - out, rect.right + out, rect.bottom + out],
  ];
  const visibleSides = strips.filter(([l, t, r, b]) =>
    Math.min(r, clip.right) - Math.max(l, clip.left) > 0 &&
    Math.min(b, clip.bottom) - Math.max(t, clip.top) > 0).length;
  return {
    visibleSides,
    selector: pathOf(el),
    tag: el.tagName.toLowerCase(),
    text: (el.getAttribute("aria-label") || el.textContent || el.value || "").replace(/\\s+/g, " ").trim().slice(0, 40),
    outlineStyle: style.outlineStyle,
    outlineWidthPx: Number.parseFloat(style.outlineWidth) || 0,
    outlineColor: style.outlineColor,
    boxShadow: style.boxShadow,
    layers: el.parentElement ? layersOf(el.parentElement).layers : [],
  };
})()`;

/**
 * Why a focused element shows no visible focus indicator, or undefined when it does: an
 * outline (style not none, width > 0) with at least two sides not clipped away and a colour
 * of at least 3:1 against what it is drawn on, or a box-shadow.
 */
export function focusProblem(sample: FocusSample, canvas: Rgba): string | undefined {
  const hasOutline = sample.outlineStyle !== "none" && sample.outlineWidthPx > 0;
  if (!hasOutline) {
    return sample.boxShadow !== "none" ? undefined : "no outline and no box-shadow";
  }
  if (sample.visibleSides < 2)
    return `the outline is clipped by an ancestor's overflow (${sample.visibleSides} of 4 sides show)`;
  const { foreground, background } = renderedColors(
    sample.layers,
    parseColor(sample.outlineColor),
    canvas,
  );
  const ratio = contrastRatio(foreground, background);
  if (ratio >= MIN_RATIO_NON_TEXT) return undefined;
  return `outline ${hexOf(foreground)} on ${hexOf(background)} is ${Math.round(ratio * 100) / 100}:1 (needs ${MIN_RATIO_NON_TEXT}:1)`;
}

/** The canvas colour behind everything: Chromium's default for each colour scheme. */
export const CANVAS: Record<"light" | "dark", Rgba> = {
  light: { r: 255, g: 255, b: 255, a: 1 },
  dark: { r: 18, g: 18, b: 18, a: 1 },
};
