/**
 * A request's headers as web Headers, read straight from Node's header object until something
 * changes or lists them. Interceptors mostly read one or two headers (authorization); building
 * a full Headers object for every call cost more than the rest of a small call's own work.
 */
import type { IncomingHttpHeaders } from "node:http";

type Entries = ReturnType<Headers["entries"]>;
type Keys = ReturnType<Headers["keys"]>;

/** Headers' members as methods (the typings declare them as properties, which cannot be overridden). */
interface HeaderMethods {
  get(name: string): string | null;
  has(name: string): boolean;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
  delete(name: string): void;
  getSetCookie(): string[];
  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void;
  entries(): Entries;
  keys(): Keys;
  values(): Keys;
  [Symbol.iterator](): Entries;
}
const HeadersBase = Headers as unknown as new () => HeaderMethods;

export class NodeRequestHeaders extends HeadersBase {
  /** Node's headers while nothing has been copied; undefined once they are in the Headers. */
  private node: IncomingHttpHeaders | undefined;

  constructor(node: IncomingHttpHeaders) {
    super();
    this.node = node;
  }

  override get(name: string): string | null {
    if (!this.node) return super.get(name);
    const key = name.toLowerCase();
    if (key.startsWith(":")) return null;
    const value = this.node[key];
    if (value === undefined) return null;
    return typeof value === "string" ? value : value.join(", ");
  }

  override has(name: string): boolean {
    return this.get(name) !== null;
  }

  override set(name: string, value: string): void {
    this.copy();
    super.set(name, value);
  }

  override append(name: string, value: string): void {
    this.copy();
    super.append(name, value);
  }

  override delete(name: string): void {
    this.copy();
    super.delete(name);
  }

  override getSetCookie(): string[] {
    this.copy();
    return super.getSetCookie();
  }

  override forEach(
    callback: (value: string, key: string, parent: Headers) => void,
    thisArg?: unknown,
  ): void {
    this.copy();
    super.forEach(callback, thisArg);
  }

  override entries(): Entries {
    this.copy();
    return super.entries();
  }

  override keys(): Keys {
    this.copy();
    return super.keys();
  }

  override values(): Keys {
    this.copy();
    return super.values();
  }

  override [Symbol.iterator](): Entries {
    this.copy();
    return super.entries();
  }

  /** Copies Node's headers in (HTTP/2 pseudo-headers left out), once. */
  private copy(): void {
    const node = this.node;
    if (!node) return;
    this.node = undefined;
    for (const name in node) {
      if (name.startsWith(":")) continue;
      const value = node[name];
      if (typeof value === "string") super.append(name, value);
      else if (value) for (const v of value) super.append(name, v);
    }
  }
}
