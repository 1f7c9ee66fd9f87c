/** Executes a parsed template against a data object, Go text/template style. */
import { TemplateError } from "../errors.js";
import { callBuiltin } from "./builtins.js";
import { failAt } from "./lexer.js";
import type { Arg, Command, Node, ParsedTemplate, Pipe } from "./parse.js";
import { isFieldSource, isTruthy, printValue } from "./values.js";

/** Rendered output beyond this many characters is refused (a runaway range, say). */
export const MAX_OUTPUT_CHARS = 1024 * 1024;

type Scope = Map<string, unknown>;

interface State {
  src: string;
  out: string[];
  size: number;
}

/** Renders `tmpl` with `root` as both `.` and `$`. */
export function execute(tmpl: ParsedTemplate, root: unknown): string {
  const state: State = { src: tmpl.src, out: [], size: 0 };
  const scopes: Scope[] = [new Map([["$", root]])];
  try {
    walk(state, tmpl.nodes, root, scopes);
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    throw new TemplateError(
      `executing template: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return state.out.join("");
}

function emit(state: State, text: string): void {
  state.size += text.length;
  if (state.size > MAX_OUTPUT_CHARS)
    throw new TemplateError(`output is larger than ${MAX_OUTPUT_CHARS} characters`);
  state.out.push(text);
}

function walk(state: State, nodes: Node[], dot: unknown, scopes: Scope[]): void {
  for (const node of nodes) {
    if (node.kind === "text") emit(state, node.text);
    else located(state, node.pipe.at, () => walkNode(state, node, dot, scopes));
  }
}

/** Runs `fn`, giving a template error without a position the position `at`. */
function located(state: State, at: number, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof TemplateError) || err.line !== undefined) throw err;
    failAt(state.src, at, err.message);
  }
}

function walkNode(
  state: State,
  node: Exclude<Node, { kind: "text" }>,
  dot: unknown,
  scopes: Scope[],
): void {
  if (node.kind === "action") {
    const value = evalPipe(node.pipe, dot, scopes, true);
    if (node.pipe.decl.length === 0) emit(state, printValue(value));
  } else if (node.kind === "range") range(state, node, dot, scopes);
  else conditional(state, node, dot, scopes);
}

type Block = Extract<Node, { kind: "if" | "with" | "range" }>;

function conditional(state: State, node: Block, dot: unknown, scopes: Scope[]): void {
  const inner = [...scopes, new Map()];
  const value = evalPipe(node.pipe, dot, inner, true);
  if (isTruthy(value)) walk(state, node.body, node.kind === "with" ? value : dot, inner);
  else walk(state, node.elseBody, dot, [...scopes, new Map()]);
}

function range(state: State, node: Block, dot: unknown, scopes: Scope[]): void {
  const value = evalPipe(node.pipe, dot, scopes, false);
  const entries = rangeEntries(value);
  if (entries.length === 0) {
    walk(state, node.elseBody, dot, [...scopes, new Map()]);
    return;
  }
  const [first, second] = node.pipe.decl;
  for (const [key, item] of entries) {
    const scope: Scope = new Map();
    if (first !== undefined && second === undefined) scope.set(first, item);
    if (first !== undefined && second !== undefined) {
      scope.set(first, key);
      scope.set(second, item);
    }
    walk(state, node.body, item, [...scopes, scope]);
  }
}

function rangeEntries(value: unknown): Array<[unknown, unknown]> {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((v, i) => [i, v]);
  if (typeof value === "object" && !isFieldSource(value) && !(value instanceof Date)) {
    return Object.keys(value)
      .sort()
      .map((k) => [k, (value as Record<string, unknown>)[k]]);
  }
  throw new TemplateError(`range can't iterate over ${printValue(value)}`);
}

function evalPipe(pipe: Pipe, dot: unknown, scopes: Scope[], declare: boolean): unknown {
  let value: unknown;
  pipe.commands.forEach((cmd, i) => {
    value = evalCommand(cmd, dot, scopes, i > 0 ? { value } : undefined);
  });
  if (declare) for (const name of pipe.decl) setVariable(scopes, name, value, pipe.assign);
  return value;
}

function setVariable(scopes: Scope[], name: string, value: unknown, assign: boolean): void {
  if (!assign) {
    scopes[scopes.length - 1]?.set(name, value);
    return;
  }
  const owner = [...scopes].reverse().find((s) => s.has(name));
  if (!owner) throw new TemplateError(`undefined variable: ${name}`);
  owner.set(name, value);
}

function lookupVariable(scopes: Scope[], name: string): unknown {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i] as Scope;
    if (scope.has(name)) return scope.get(name);
  }
  throw new TemplateError(`undefined variable: ${name}`);
}

function evalCommand(
  cmd: Command,
  dot: unknown,
  scopes: Scope[],
  piped: { value: unknown } | undefined,
): unknown {
  const [first, ...rest] = cmd.args as [Arg, ...Arg[]];
  const args = rest.map((a) => evalArg(a, dot, scopes));
  if (piped) args.push(piped.value);
  switch (first.kind) {
    case "func":
      return callBuiltin(first.name, args);
    case "field":
      return resolveChain(dot, first.path, args);
    case "var":
      return resolveChain(lookupVariable(scopes, first.name), first.path, args);
    default:
      if (args.length > 0) throw new TemplateError("can't give argument to non-function");
      return evalArg(first, dot, scopes);
  }
}

function evalArg(arg: Arg, dot: unknown, scopes: Scope[]): unknown {
  switch (arg.kind) {
    case "literal":
      return arg.value;
    case "field":
      return resolveChain(dot, arg.path, []);
    case "var":
      return resolveChain(lookupVariable(scopes, arg.name), arg.path, []);
    case "func":
      return callBuiltin(arg.name, []);
    case "pipe":
      return evalPipe(arg.pipe, dot, scopes, true);
  }
}

/** Follows `.A.B.C` from `base`; methods along the way are called, the last one with `args`. */
function resolveChain(base: unknown, path: string[], args: unknown[]): unknown {
  if (path.length === 0 && args.length > 0)
    throw new TemplateError("can't give argument to non-function .");
  let cur = base;
  path.forEach((name, i) => {
    const last = i === path.length - 1;
    const value = lookup(cur, name);
    if (typeof value === "function")
      cur = callMethod(name, value as (...a: unknown[]) => unknown, last ? args : []);
    else if (last && args.length > 0 && value !== undefined)
      throw new TemplateError(`.${name} is not a method but has arguments`);
    else cur = value;
  });
  return cur;
}

function lookup(receiver: unknown, name: string): unknown {
  if (receiver === undefined || receiver === null) return undefined;
  if (isFieldSource(receiver)) return receiver.templateField(name);
  if (typeof receiver !== "object" || Array.isArray(receiver)) return undefined;
  return Object.hasOwn(receiver, name) ? (receiver as Record<string, unknown>)[name] : undefined;
}

function callMethod(name: string, fn: (...args: unknown[]) => unknown, args: unknown[]): unknown {
  if (fn.length !== args.length)
    throw new TemplateError(
      `wrong number of args for ${name}: want ${fn.length} got ${args.length}`,
    );
  return fn(...args);
}
