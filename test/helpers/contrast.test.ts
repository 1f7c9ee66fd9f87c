/** The contrast helper's math against WCAG's definitions and known published ratios. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  auditSamples,
  CANVAS,
  contrastRatio,
  focusProblem,
  isLargeText,
  over,
  parseColor,
  relativeLuminance,
  renderedColors,
  type TextSample,
} from "./contrast.js";

const ratio = (a: string, b: string) => contrastRatio(parseColor(a), parseColor(b));
const round2 = (n: number) => Math.round(n * 100) / 100;

describe("contrast math", () => {
  it("matches WCAG's known ratios", () => {
    assert.equal(ratio("#000000", "#ffffff"), 21);
    assert.equal(ratio("#ffffff", "#ffffff"), 1);
    assert.equal(round2(ratio("#777777", "#ffffff")), 4.48);
    assert.ok(ratio("#777", "#fff") < 4.5, "#777 on white fails AA for normal text");
    // #767676 is the lightest grey that passes on white.
    assert.equal(round2(ratio("#767676", "#ffffff")), 4.54);
    assert.equal(round2(ratio("#0000ff", "#ffffff")), 8.59);
    assert.equal(round2(ratio("#ff0000", "#ffffff")), 4);
    assert.equal(ratio("#ffffff", "#777"), ratio("#777", "#ffffff"), "order does not matter");
  });

  it("computes relative luminance with the sRGB transfer function", () => {
    assert.equal(relativeLuminance(parseColor("#000")), 0);
    assert.equal(relativeLuminance(parseColor("#fff")), 1);
    // 0x80: (0.502 + 0.055) / 1.055) ^ 2.4 = 0.2158.
    assert.equal(Math.round(relativeLuminance(parseColor("#808080")) * 1e4) / 1e4, 0.2159);
  });

  it("parses the colours Chromium computes", () => {
    assert.deepEqual(parseColor("rgb(29, 78, 216)"), { r: 29, g: 78, b: 216, a: 1 });
    assert.deepEqual(parseColor("rgba(0, 0, 0, 0.45)"), { r: 0, g: 0, b: 0, a: 0.45 });
    assert.deepEqual(parseColor("rgb(0 0 0 / 45%)"), { r: 0, g: 0, b: 0, a: 0.45 });
    assert.deepEqual(parseColor("rgba(0, 0, 0, 0)"), { r: 0, g: 0, b: 0, a: 0 });
    assert.deepEqual(parseColor("transparent"), { r: 0, g: 0, b: 0, a: 0 });
    assert.deepEqual(parseColor("#1d4ed8"), { r: 29, g: 78, b: 216, a: 1 });
    assert.deepEqual(parseColor("#fff8"), { r: 255, g: 255, b: 255, a: 0x88 / 255 });
    assert.deepEqual(parseColor("color(srgb 1 0 0.5 / 0.5)"), { r: 255, g: 0, b: 127.5, a: 0.5 });
    assert.throws(() => parseColor("oklch(0.5 0.1 200)"), /unsupported colour/);
    assert.throws(() => parseColor("rgb(1, 2)"), /unsupported colour/);
  });

  it("composites alpha: half black over white is mid grey", () => {
    const grey = over(parseColor("rgba(0, 0, 0, 0.5)"), parseColor("#fff"));
    assert.deepEqual(grey, { r: 127.5, g: 127.5, b: 127.5, a: 1 });
    assert.deepEqual(over(parseColor("#f00"), parseColor("#00f")), parseColor("#f00"));
    assert.deepEqual(over(parseColor("transparent"), parseColor("#00f")), parseColor("#00f"));
  });

  it("walks the layers: the first opaque background wins, translucent ones blend, opacity fades", () => {
    const white = CANVAS.light;
    const black = parseColor("#000");
    // Text on a transparent box on a dark card on the page.
    const onCard = renderedColors(
      [
        { background: "rgb(255, 255, 255)", opacity: 1 },
        { background: "rgb(16, 20, 27)", opacity: 1 },
        { background: "rgba(0, 0, 0, 0)", opacity: 1 },
      ],
      parseColor("#fff"),
      white,
    );
    assert.deepEqual(onCard.background, parseColor("rgb(16, 20, 27)"));
    assert.deepEqual(onCard.foreground, parseColor("#fff"));
    // A half-transparent black box over white: text sits on grey.
    const tinted = renderedColors(
      [{ background: "rgba(0, 0, 0, 0.5)", opacity: 1 }],
      parseColor("#fff"),
      white,
    );
    assert.deepEqual(tinted.background, { r: 127.5, g: 127.5, b: 127.5, a: 1 });
    // Black text at opacity 0.5 on white is grey text on white: 21:1 drops to 3.98:1 (grey 127.5).
    const faded = renderedColors([{ background: "#fff", opacity: 0.5 }], black, white);
    assert.deepEqual(faded.background, parseColor("#fff"));
    assert.equal(round2(contrastRatio(faded.foreground, faded.background)), 3.98);
  });

  it("knows WCAG's large text", () => {
    assert.equal(isLargeText(24, 400), true);
    assert.equal(isLargeText(23.9, 400), false);
    assert.equal(isLargeText(18.66, 700), true);
    assert.equal(isLargeText(18.66, 600), false);
    assert.equal(isLargeText(18, 700), false);
  });

  it("audits samples against 4.5:1, or 3:1 for large text, and skips disabled controls", () => {
    const sample = (color: string, fontSizePx: number, extra: Partial<TextSample> = {}) => ({
      selector: "p",
      text: "text",
      color,
      fontSizePx,
      fontWeight: 400,
      layers: [{ background: "#ffffff", opacity: 1 }],
      imageBackground: false,
      disabled: false,
      ...extra,
    });
    const result = auditSamples(
      [
        sample("#777777", 15),
        sample("#777777", 24),
        sample("#767676", 15),
        sample("#aaaaaa", 15, { disabled: true }),
        sample("#000000", 15, { imageBackground: true }),
      ],
      CANVAS.light,
    );
    assert.equal(result.checked, 3);
    assert.equal(result.unknown.length, 1);
    assert.deepEqual(result.offenders, [
      {
        selector: "p",
        text: "text",
        foreground: "#777777",
        background: "#ffffff",
        ratio: 4.48,
        required: 4.5,
      },
    ]);
  });

  it("requires a focus indicator with 3:1 against what it is drawn on", () => {
    const focus = (extra: object) => ({
      selector: "a",
      tag: "a",
      text: "x",
      outlineStyle: "solid",
      outlineWidthPx: 3,
      outlineColor: "rgb(194, 65, 12)",
      boxShadow: "none",
      visibleSides: 4,
      layers: [{ background: "rgb(255, 255, 255)", opacity: 1 }],
      ...extra,
    });
    assert.equal(focusProblem(focus({}), CANVAS.light), undefined);
    assert.match(
      focusProblem(focus({ outlineStyle: "none" }), CANVAS.light) ?? "",
      /no outline and no box-shadow/,
    );
    assert.equal(
      focusProblem(
        focus({ outlineWidthPx: 0, boxShadow: "rgb(0, 0, 0) 0px 0px 0px 3px" }),
        CANVAS.light,
      ),
      undefined,
    );
    assert.match(
      focusProblem(focus({ outlineColor: "rgb(221, 221, 221)" }), CANVAS.light) ?? "",
      /needs 3:1/,
    );
    assert.equal(focusProblem(focus({ visibleSides: 2 }), CANVAS.light), undefined);
    assert.match(focusProblem(focus({ visibleSides: 1 }), CANVAS.light) ?? "", /clipped/);
  });
});
