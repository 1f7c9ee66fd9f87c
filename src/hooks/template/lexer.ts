/**
 * Splits a Go text/template source into text and action segments, applying the `{{-`/`-}}`
 * whitespace trim markers and dropping `{{/* comments *\/}}`.
 */
import { TemplateError } from "../errors.js";

/** One token inside `{{ }}`. */
export type Token =
  | { kind: "field"; path: string[]; at: number }
  | { kind: "var"; name: string; path: string[]; at: number }
  | { kind: "ident"; name: string; at: number }
  | { kind: "string"; value: string; at: number }
  | { kind: "number"; value: number; at: number }
  | { kind: "punct"; value: "(" | ")" | "|" | ":=" | "=" | ","; at: number };

/** A run of literal text or one action with its tokens. */
export type Segment =
  | { kind: "text"; text: string }
  | { kind: "action"; tokens: Token[]; at: number };

/** Throws a TemplateError located at `offset` of `src`. */
export function failAt(src: string, offset: number, message: string): never {
  const before = src.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  throw new TemplateError(message, line, column);
}

/** Splits `src` into segments. */
export function lex(src: string): Segment[] {
  const segments: Segment[] = [];
  let pos = 0;
  let trimNext = false;
  while (pos < src.length) {
    const open = src.indexOf("{{", pos);
    let text = src.slice(pos, open === -1 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, "");
    trimNext = false;
    if (open === -1) {
      if (text) segments.push({ kind: "text", text });
      break;
    }
    const trimLeft = /^-[ \t\r\n]/.test(src.slice(open + 2, open + 4));
    if (trimLeft) text = text.replace(/\s+$/, "");
    if (text) segments.push({ kind: "text", text });
    const inner = open + 2 + (trimLeft ? 2 : 0);
    const action = lexAction(src, inner, open);
    trimNext = action.trimRight;
    if (action.tokens) segments.push({ kind: "action", tokens: action.tokens, at: open });
    pos = action.end;
  }
  return segments;
}

function lexAction(src: string, start: number, open: number) {
  let pos = skipSpace(src, start);
  if (src.startsWith("/*", pos)) return lexComment(src, pos, open);
  const tokens: Token[] = [];
  for (;;) {
    pos = skipSpace(src, pos);
    if (pos >= src.length) failAt(src, open, "unclosed action: missing }}");
    const close = closeAt(src, pos);
    if (close) return { tokens, trimRight: close.trim, end: close.end };
    const next = lexToken(src, pos);
    tokens.push(next.token);
    pos = next.end;
  }
}

function lexComment(src: string, pos: number, open: number) {
  const endComment = src.indexOf("*/", pos + 2);
  if (endComment === -1) failAt(src, open, "unclosed comment");
  const after = skipSpace(src, endComment + 2);
  const close = closeAt(src, after);
  if (!close) failAt(src, endComment, "comment ends before closing delimiter }}");
  return { tokens: undefined, trimRight: close.trim, end: close.end };
}

/** Recognises `}}` or ` -}}` at `pos` (which is already past whitespace). */
function closeAt(src: string, pos: number): { trim: boolean; end: number } | undefined {
  if (src.startsWith("}}", pos)) return { trim: false, end: pos + 2 };
  const spaced = /[ \t\r\n]/.test(src[pos - 1] ?? "");
  if (spaced && src.startsWith("-}}", pos)) return { trim: true, end: pos + 3 };
  return undefined;
}

function skipSpace(src: string, pos: number): number {
  let p = pos;
  while (p < src.length && /[ \t\r\n]/.test(src[p] as string)) p++;
  return p;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[-+]?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/y;

function lexToken(src: string, pos: number): { token: Token; end: number } {
  const c = src[pos] as string;
  if (c === "." && !/[0-9]/.test(src[pos + 1] ?? "")) return lexPath(src, pos, undefined);
  if (c === "$") {
    IDENT.lastIndex = pos + 1;
    const m = IDENT.exec(src);
    const name = `$${m ? m[0] : ""}`;
    return lexPath(src, pos + name.length, { name, at: pos });
  }
  if (c === '"') return lexQuoted(src, pos);
  if (c === "`") return lexRaw(src, pos);
  const punct = src.startsWith(":=", pos) ? ":=" : "()|=,".includes(c) ? c : undefined;
  if (punct)
    return { token: { kind: "punct", value: punct as "(", at: pos }, end: pos + punct.length };
  NUMBER.lastIndex = pos;
  const num = NUMBER.exec(src);
  if (num)
    return { token: { kind: "number", value: Number(num[0]), at: pos }, end: NUMBER.lastIndex };
  IDENT.lastIndex = pos;
  const id = IDENT.exec(src);
  if (id) return { token: { kind: "ident", name: id[0], at: pos }, end: IDENT.lastIndex };
  return failAt(src, pos, `unexpected ${JSON.stringify(c)} in action`);
}

function lexPath(src: string, start: number, variable: { name: string; at: number } | undefined) {
  const path: string[] = [];
  let pos = start;
  while (src[pos] === ".") {
    IDENT.lastIndex = pos + 1;
    const m = IDENT.exec(src);
    if (!m) {
      if (path.length > 0 || variable) failAt(src, pos, "field name expected after '.'");
      pos++;
      break;
    }
    path.push(m[0]);
    pos = IDENT.lastIndex;
  }
  const token: Token = variable
    ? { kind: "var", name: variable.name, path, at: variable.at }
    : { kind: "field", path, at: start };
  return { token, end: pos };
}

function lexQuoted(src: string, start: number): { token: Token; end: number } {
  let pos = start + 1;
  while (pos < src.length && src[pos] !== '"' && src[pos] !== "\n")
    pos += src[pos] === "\\" ? 2 : 1;
  if (src[pos] !== '"') failAt(src, start, "unterminated quoted string");
  const raw = src.slice(start, pos + 1);
  let value: string;
  try {
    value = JSON.parse(raw) as string;
  } catch {
    failAt(src, start, `invalid escape in string ${raw}`);
  }
  return { token: { kind: "string", value, at: start }, end: pos + 1 };
}

function lexRaw(src: string, start: number): { token: Token; end: number } {
  const end = src.indexOf("`", start + 1);
  if (end === -1) failAt(src, start, "unterminated raw string");
  return { token: { kind: "string", value: src.slice(start + 1, end), at: start }, end: end + 1 };
}
