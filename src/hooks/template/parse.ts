/**
 * Parses lexed segments into a tree: text, actions, and if/with/range blocks with
 * else / else if chains, the subset of Go text/template that hook templates use.
 */
import { failAt, lex, type Token } from "./lexer.js";

/** One operand of a command. */
export type Arg =
  | { kind: "field"; path: string[]; at: number }
  | { kind: "var"; name: string; path: string[]; at: number }
  | { kind: "literal"; value: string | number | boolean | undefined; at: number }
  | { kind: "func"; name: string; at: number }
  | { kind: "pipe"; pipe: Pipe; at: number };

/** A function or method call, or a single value. */
export interface Command {
  args: Arg[];
  at: number;
}

/** `$x := cmd | cmd ...` */
export interface Pipe {
  decl: string[];
  /** True for `=` (assign to an existing variable), false for `:=`. */
  assign: boolean;
  commands: Command[];
  at: number;
}

/** A node of the parsed template. */
export type Node =
  | { kind: "text"; text: string }
  | { kind: "action"; pipe: Pipe }
  | { kind: "if" | "with" | "range"; pipe: Pipe; body: Node[]; elseBody: Node[] };

/** A parsed template, ready to execute. */
export interface ParsedTemplate {
  src: string;
  nodes: Node[];
}

type Action = { tokens: Token[]; at: number };

/** Parses `src`; `isFunction` tells which bare identifiers name functions. */
export function parseTemplate(src: string, isFunction: (name: string) => boolean): ParsedTemplate {
  const parser = new Parser(src, isFunction);
  const { nodes, end } = parser.list();
  if (end) failAt(src, end.at, `unexpected {{${keyword(end) ?? ""}}}`);
  return { src, nodes };
}

function keyword(a: Action): string | undefined {
  const t = a.tokens[0];
  return t?.kind === "ident" ? t.name : undefined;
}

const BLOCKS = new Set(["if", "with", "range"]);
const UNSUPPORTED = new Set(["define", "template", "block", "break", "continue"]);

class Parser {
  private readonly segments;
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly isFunction: (name: string) => boolean,
  ) {
    this.segments = lex(src);
  }

  /** Parses nodes until `{{end}}`/`{{else}}` (returned) or the end of input. */
  list(): { nodes: Node[]; end: Action | undefined } {
    const nodes: Node[] = [];
    while (this.i < this.segments.length) {
      const seg = this.segments[this.i++];
      if (!seg) break;
      if (seg.kind === "text") {
        nodes.push({ kind: "text", text: seg.text });
        continue;
      }
      const word = keyword(seg);
      if (word === "end" || word === "else") return { nodes, end: seg };
      if (word && BLOCKS.has(word))
        nodes.push(this.block(word as "if", seg.tokens.slice(1), seg.at));
      else if (word && UNSUPPORTED.has(word))
        failAt(this.src, seg.at, `{{${word}}} is not supported in hook templates`);
      else {
        if (seg.tokens.length === 0) failAt(this.src, seg.at, "missing value for command");
        nodes.push({ kind: "action", pipe: this.pipe(seg.tokens, seg.at) });
      }
    }
    return { nodes, end: undefined };
  }

  private block(word: "if" | "with" | "range", tokens: Token[], at: number): Node {
    if (tokens.length === 0) failAt(this.src, at, `missing value for ${word}`);
    const pipe = this.pipe(tokens, at);
    const { nodes: body, end } = this.list();
    if (!end) failAt(this.src, at, `{{${word}}} has no matching {{end}}`);
    let elseBody: Node[] = [];
    if (keyword(end) === "else") {
      const rest = end.tokens.slice(1);
      const chained = rest[0]?.kind === "ident" ? rest[0].name : undefined;
      if (chained && (chained === "if" || chained === "with") && word !== "range") {
        // `{{else if x}}` opens a nested block that shares this block's {{end}}.
        elseBody = [this.block(chained, rest.slice(1), end.at)];
      } else {
        if (rest.length > 0) failAt(this.src, end.at, "unexpected tokens after {{else}}");
        const tail = this.list();
        if (!tail.end || keyword(tail.end) !== "end")
          failAt(this.src, at, `{{${word}}} has no matching {{end}}`);
        if (tail.end.tokens.length > 1)
          failAt(this.src, tail.end.at, "unexpected tokens after {{end}}");
        elseBody = tail.nodes;
      }
    } else if (end.tokens.length > 1) failAt(this.src, end.at, "unexpected tokens after {{end}}");
    return { kind: word, pipe, body, elseBody };
  }

  private pipe(tokens: Token[], at: number): Pipe {
    const { pipe, next } = this.pipeFrom(tokens, 0, at);
    if (next < tokens.length) failAt(this.src, tokens[next]?.at ?? at, "unexpected ) in action");
    return pipe;
  }

  private pipeFrom(tokens: Token[], start: number, at: number): { pipe: Pipe; next: number } {
    const { decl, assign, next: afterDecl } = this.declaration(tokens, start);
    const commands: Command[] = [];
    let i = afterDecl;
    for (;;) {
      const cmdAt = tokens[i]?.at ?? at;
      const args: Arg[] = [];
      while (i < tokens.length && !isPunct(tokens[i], "|") && !isPunct(tokens[i], ")")) {
        const parsed = this.operand(tokens, i, at);
        args.push(parsed.arg);
        i = parsed.next;
      }
      if (args.length === 0) failAt(this.src, cmdAt, "missing value in pipeline");
      commands.push({ args, at: cmdAt });
      if (!isPunct(tokens[i], "|")) break;
      i++;
    }
    return { pipe: { decl, assign, commands, at }, next: i };
  }

  private declaration(tokens: Token[], i: number) {
    const a = tokens[i];
    const b = tokens[i + 1];
    if (a?.kind === "var" && a.path.length === 0) {
      if (isPunct(b, ":=") || isPunct(b, "="))
        return { decl: [a.name], assign: isPunct(b, "="), next: i + 2 };
      const c = tokens[i + 2];
      if (isPunct(b, ",") && c?.kind === "var" && isPunct(tokens[i + 3], ":="))
        return { decl: [a.name, c.name], assign: false, next: i + 4 };
    }
    return { decl: [] as string[], assign: false, next: i };
  }

  private operand(tokens: Token[], i: number, at: number): { arg: Arg; next: number } {
    const t = tokens[i] as Token;
    switch (t.kind) {
      case "field":
      case "var":
        return { arg: t, next: i + 1 };
      case "string":
      case "number":
        return { arg: { kind: "literal", value: t.value, at: t.at }, next: i + 1 };
      case "ident":
        return { arg: this.ident(t.name, t.at), next: i + 1 };
      case "punct":
        if (t.value !== "(")
          failAt(this.src, t.at, `unexpected ${JSON.stringify(t.value)} in operand`);
        return this.parenthesized(tokens, i, at);
    }
  }

  private parenthesized(tokens: Token[], i: number, at: number): { arg: Arg; next: number } {
    const open = tokens[i] as Token;
    const { pipe, next } = this.pipeFrom(tokens, i + 1, at);
    if (!isPunct(tokens[next], ")")) failAt(this.src, open.at, "unclosed left paren");
    return { arg: { kind: "pipe", pipe, at: open.at }, next: next + 1 };
  }

  private ident(name: string, at: number): Arg {
    if (name === "true" || name === "false") return { kind: "literal", value: name === "true", at };
    if (name === "nil") return { kind: "literal", value: undefined, at };
    if (!this.isFunction(name)) failAt(this.src, at, `function "${name}" not defined`);
    return { kind: "func", name, at };
  }
}

function isPunct(t: Token | undefined, value: string): boolean {
  return t?.kind === "punct" && t.value === value;
}
