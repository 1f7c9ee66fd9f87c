/**
 * The services the daemon serves, read from the Connect router they are registered on, so the
 * OpenAPI document and gRPC reflection describe exactly what daemon.ts wires: a service added
 * there appears in both without another list to update.
 */
import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";

/** Reads the served services; attach it to the router that daemon.ts registers services on. */
export interface ServiceCatalog {
  /** Makes `router` the source of services(). */
  attach(router: ConnectRouter): void;
  /** The services registered on the attached router so far, in registration order. */
  services(): DescService[];
}

/** A catalog with no router yet (services() is empty until attach). */
export function createServiceCatalog(): ServiceCatalog {
  let router: ConnectRouter | undefined;
  return {
    attach(r) {
      router = r;
    },
    services: () => (router ? servicesOf(router) : []),
  };
}

/** The distinct services of a router's handlers, in registration order. */
export function servicesOf(router: ConnectRouter): DescService[] {
  const byName = new Map<string, DescService>();
  for (const handler of router.handlers) {
    if (!byName.has(handler.service.typeName)) {
      byName.set(handler.service.typeName, handler.service);
    }
  }
  return [...byName.values()];
}
