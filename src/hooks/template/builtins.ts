/** The Go text/template global functions hook templates use (eq, and, printf, len, ...). */
import { TemplateError } from "../errors.js";
import { ConditionValue, GoDuration, isFieldSource, isTruthy, printValue } from "./values.js";

type Builtin = (...args: unknown[]) => unknown;

/** Values compared by eq/lt: conditions compare by name against strings, by number otherwise. */
function comparable(v: unknown, other: unknown): unknown {
  if (v instanceof ConditionValue) return typeof other === "string" ? v.name : v.value;
  if (v instanceof GoDuration) return v.ms;
  if (typeof v === "bigint") return Number(v);
  if (v === null) return undefined;
  return v;
}

function equal(a: unknown, b: unknown): boolean {
  return comparable(a, b) === comparable(b, a);
}

function order(name: string, a: unknown, b: unknown): number {
  const x = comparable(a, b);
  const y = comparable(b, a);
  const bothNumbers = typeof x === "number" && typeof y === "number";
  const bothStrings = typeof x === "string" && typeof y === "string";
  if (!bothNumbers && !bothStrings)
    throw new TemplateError(`${name}: incompatible types for comparison`);
  return x < y ? -1 : x > y ? 1 : 0;
}

function length(v: unknown): number {
  if (typeof v === "string" || Array.isArray(v)) return v.length;
  if (v && typeof v === "object" && !isFieldSource(v)) return Object.keys(v).length;
  throw new TemplateError(`len of ${v === undefined ? "nil" : typeof v} is not supported`);
}

function index(v: unknown, ...keys: unknown[]): unknown {
  let cur = v;
  for (const key of keys) {
    if (cur === undefined || cur === null) return undefined;
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (isFieldSource(cur)) cur = cur.templateField(String(key));
    else if (typeof cur === "object" && Object.hasOwn(cur, String(key)))
      cur = (cur as Record<string, unknown>)[String(key)];
    else return undefined;
  }
  return cur;
}

/** Go's fmt.Sprint: a space between operands when neither is a string. */
function sprint(args: unknown[]): string {
  let out = "";
  args.forEach((a, i) => {
    const prev = args[i - 1];
    if (i > 0 && typeof a !== "string" && typeof prev !== "string") out += " ";
    out += printValue(a);
  });
  return out;
}

const VERB = /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([svdqfxXtTe%])/g;

/** A subset of Go's fmt.Sprintf: %s %v %d %q %f %e %x %X %t %T with width and precision. */
function sprintf(format: unknown, ...args: unknown[]): string {
  let next = 0;
  return String(format).replace(
    VERB,
    (_m, flags: string, width?: string, prec?: string, verb?: string) => {
      if (verb === "%") return "%";
      if (next >= args.length) return `%!${verb}(MISSING)`;
      const text = formatVerb(verb as string, args[next++], prec);
      const w = Number(width ?? 0);
      if (text.length >= w) return text;
      if (flags.includes("-")) return text.padEnd(w);
      return text.padStart(w, flags.includes("0") && /[dfxX]/.test(verb as string) ? "0" : " ");
    },
  );
}

function formatVerb(verb: string, v: unknown, prec: string | undefined): string {
  const num = Number(v instanceof GoDuration ? v.ms : typeof v === "bigint" ? Number(v) : v);
  switch (verb) {
    case "d":
      return Number.isFinite(num) ? String(Math.trunc(num)) : `%!d(${printValue(v)})`;
    case "f":
      return num.toFixed(prec === undefined ? 6 : Number(prec));
    case "e":
      return num.toExponential(prec === undefined ? 6 : Number(prec));
    case "x":
    case "X": {
      const hex =
        typeof v === "string" ? Buffer.from(v).toString("hex") : Math.trunc(num).toString(16);
      return verb === "X" ? hex.toUpperCase() : hex;
    }
    case "q":
      return JSON.stringify(printValue(v));
    case "t":
      return String(isTruthy(v));
    case "T":
      return typeof v;
    default: {
      const s = printValue(v);
      return prec === undefined ? s : s.slice(0, Number(prec));
    }
  }
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&#34;",
  "'": "&#39;",
};

const BUILTINS: Record<string, Builtin> = {
  and: (...a) => a.find((v) => !isTruthy(v)) ?? a[a.length - 1],
  or: (...a) => a.find((v) => isTruthy(v)) ?? a[a.length - 1],
  not: (v) => !isTruthy(v),
  eq: (a, ...rest) => rest.some((b) => equal(a, b)),
  ne: (a, b) => !equal(a, b),
  lt: (a, b) => order("lt", a, b) < 0,
  le: (a, b) => order("le", a, b) <= 0,
  gt: (a, b) => order("gt", a, b) > 0,
  ge: (a, b) => order("ge", a, b) >= 0,
  len: length,
  index,
  print: (...a) => sprint(a),
  println: (...a) => `${a.map(printValue).join(" ")}\n`,
  printf: sprintf,
  html: (...a) => sprint(a).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c),
  urlquery: (...a) => encodeURIComponent(sprint(a)).replace(/%20/g, "+"),
};

const ARITY: Record<string, number> = { not: 1, ne: 2, lt: 2, le: 2, gt: 2, ge: 2, len: 1 };
const MIN_ARITY: Record<string, number> = { and: 1, or: 1, eq: 2, index: 1, printf: 1 };

/** True when `name` is a global template function. */
export function isBuiltin(name: string): boolean {
  return Object.hasOwn(BUILTINS, name);
}

/** Calls the global function `name` with evaluated arguments. */
export function callBuiltin(name: string, args: unknown[]): unknown {
  const fn = BUILTINS[name];
  if (!fn) throw new TemplateError(`function "${name}" not defined`);
  const exact = ARITY[name];
  const min = MIN_ARITY[name];
  if ((exact !== undefined && args.length !== exact) || (min !== undefined && args.length < min)) {
    throw new TemplateError(`wrong number of args for ${name}: got ${args.length}`);
  }
  return fn(...args);
}
