/**
 * Wires the daemon together: config, operation log, restic, orchestrator, auth and the
 * one-port server. main.ts turns flags and environment into DaemonSettings and calls this;
 * tests call it directly with a port-0 bind address.
 */
import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { ApiKeys, Audit } from "../gen/v1/access_pb.js";
import { Authentication } from "../gen/v1/authentication_pb.js";
import { Hook_Condition } from "../gen/v1/config_pb.js";
import { Backrest } from "../gen/v1/service_pb.js";
import { createApiKeysService } from "./api/api-keys-service.js";
import { createAuditService } from "./api/audit-service.js";
import { createAuthenticationService } from "./api/authentication-service.js";
import { createBackrestService } from "./api/backrest-service.js";
import { registerServerReflection } from "./api/reflection-service.js";
import { createApiKeyService, openSqliteKeyStore } from "./apikeys/index.js";
import { openAuditStore } from "./audit/index.js";
import { createAuthenticator } from "./auth/authenticator.js";
import { createFailureWatch } from "./auth/failure-watch.js";
import { createLinkSigner } from "./auth/link-signer.js";
import { createSessionTokens } from "./auth/session-tokens.js";
import { createConfigService } from "./config/config-service.js";
import { openConfigStore } from "./config/config-store.js";
import { dataFiles } from "./data-files.js";
import { createDatabaseTools } from "./databases/index.js";
import { eventName, hookMatches, runHook } from "./hooks/index.js";
import { loadOrCreateSecret } from "./hooks/secret-file.js";
import { createLogger, type Logger } from "./log.js";
import { openLogStore } from "./logstore/index.js";
import { openSqliteOpStore } from "./oplog/sqlite-store.js";
import { type Clock, systemClock } from "./orchestrator/clock.js";
import type { OrchestratorDeps } from "./orchestrator/deps.js";
import { createDownloads } from "./orchestrator/downloads.js";
import type { FaultHook } from "./orchestrator/faults.js";
import { type HookRuntime, notifyHooks } from "./orchestrator/hook-runner.js";
import { startHousekeeping } from "./orchestrator/housekeeping.js";
import { createOrchestrator } from "./orchestrator/orchestrator.js";
import { createScheduler, type SchedulerClock } from "./orchestrator/scheduler.js";
import { createRestic } from "./restic/index.js";
import { auditDownloads, auditInterceptor } from "./server/audit-interceptor.js";
import { createDocsRoute } from "./server/docs-route.js";
import { createDownloadRoute } from "./server/download-route.js";
import { createHealthRoutes } from "./server/health-routes.js";
import { createHttpHandler, type NodeRequest, type NodeResponse } from "./server/http-handler.js";
import { accessLogInterceptor, authInterceptor, errorInterceptor } from "./server/interceptors.js";
import { listen } from "./server/listener.js";
import { createMetricsRegistry, createMetricsRoute } from "./server/metrics.js";
import { createOpenApiRoute } from "./server/openapi.js";
import {
  addressKey,
  authFailureLimitInterceptor,
  createRequestLimits,
  RATE_LIMIT_DEFAULTS,
  requestRateLimitInterceptor,
} from "./server/rate-limit-interceptor.js";
import { createServiceCatalog } from "./server/service-catalog.js";
import { createStaticUi } from "./server/static-ui.js";
import { auditUploads } from "./server/upload-audit.js";
import { createUploadRoute } from "./server/upload-route.js";
import { openSnapshotTreeStore } from "./snapshot-index/index.js";

export interface DaemonSettings {
  configPath: string;
  dataDir: string;
  /** host:port; port 0 picks a free port. */
  bindAddress: string;
  /** The restic executable (name on PATH or path). */
  resticCommand: string;
  /** Environment restic runs with (repo env entries are added on top). */
  resticEnv: Record<string, string>;
  log?: Logger;
  clock?: Clock;
  /** Keep-alive interval of operation event streams. */
  keepAliveMs?: number;
  /** Test-only pause points (crash tests); none in production. */
  faults?: FaultHook;
}

export interface Daemon {
  /** Base URL, e.g. http://127.0.0.1:9898 */
  url: string;
  port: number;
  /** Cancels running operations (system-cancelled), closes the server and the database. */
  stop(): Promise<void>;
}

/** Starts the daemon. Throws (before listening) when the config is invalid or restic is missing. */
export async function startDaemon(settings: DaemonSettings): Promise<Daemon> {
  const log = settings.log ?? createLogger();
  const clock = settings.clock ?? systemClock;
  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  const files = dataFiles(settings.dataDir);
  const configStore = openConfigStore(settings.configPath, { defaultInstance: hostname() });
  const restic = createRestic({
    command: settings.resticCommand,
    env: { RESTIC_CACHE_DIR: files.resticCache, ...settings.resticEnv },
    log: (line) => log.debug(line),
  });
  const version = await restic.version();
  const ops = openSqliteOpStore(files.oplog);
  const logs = openLogStore(files.logs, { now: () => clock.now() });
  const trees = openSnapshotTreeStore(files.snapshotIndex);
  const hooks: HookRuntime = {
    hookMatches,
    eventName,
    runHook,
    defaultSecret: loadOrCreateSecret(files.webhookSecret),
    env: settings.resticEnv,
  };
  const deps: OrchestratorDeps = {
    config: configStore,
    ops,
    restic,
    clock,
    log,
    logs,
    trees,
    hooks,
    hookEnv: settings.resticEnv,
    databases: createDatabaseTools({ env: settings.resticEnv }),
    dataDir: settings.dataDir,
  };
  const orchestrator = createOrchestrator(deps, { keys: restic, faults: settings.faults });
  const downloads = createDownloads(
    deps,
    createLinkSigner(() => clock.now()),
  );

  const scheduler = createScheduler({
    config: configStore,
    ops,
    clock: timerClock(clock),
    log,
    run: (job, pending) => orchestrator.runScheduled(job, pending),
  });
  scheduler.removeStale();
  // Marks interrupted operations synchronously, before anything new is planned or queued.
  void orchestrator.recover().then((recovered) => {
    if (recovered.length > 0)
      log.warn("recovered interrupted operations", { count: recovered.length });
  });
  scheduler.start();

  const audit = openAuditStore(files.audit, { now: () => clock.now() });
  const stopHousekeeping = startHousekeeping({ config: configStore, ops, logs, audit, clock, log });
  // Rate limits read the settings on every request; a saved config applies at once.
  let limitSettings = configStore.get().settings;
  configStore.onChange((cfg) => {
    limitSettings = cfg.settings;
  });
  const limits = createRequestLimits({ settings: () => limitSettings, now: () => clock.now() });

  let state: "ready" | "starting" | "stopping" = "starting";
  const failures = createFailureWatch({
    now: () => clock.now(),
    limit: () => limitSettings?.authFailuresPerMinute || RATE_LIMIT_DEFAULTS.authFailuresPerMinute,
    onFailed: (address) => limits.authFailed(address),
    onAlert: (address, count) => {
      const message = `${count} failed sign-ins from ${address || "an unknown address"} within a minute`;
      log.warn("security alert", { address, failures: count });
      void notifyHooks(deps, Hook_Condition.SECURITY_ALERT, { message });
    },
  });
  const keyStore = openSqliteKeyStore(files.keys);
  const apiKeys = createApiKeyService(keyStore, () => clock.now());
  const sessions = createSessionTokens(loadOrCreateSecret(files.sessionSecret), () => clock.now());
  const authn = createAuthenticator({
    getAuth: () => configStore.snapshot().auth,
    verifyKey: (token) => apiKeys.verify(token),
    sessions,
  });
  configStore.onChange(() => authn.clearCache());
  // The services registered below, for the OpenAPI document and gRPC reflection.
  const served = createServiceCatalog();
  const handler = createHttpHandler({
    interceptors: [
      accessLogInterceptor(log),
      errorInterceptor(log),
      auditInterceptor({ audit, config: () => configStore.get(), log }),
      authFailureLimitInterceptor(limits),
      authInterceptor(authn, (address) => failures.failed(address)),
      requestRateLimitInterceptor(limits),
    ],
    addressLimit: (address, count) =>
      count ? limits.request(addressKey(address)) : limits.peekRequest(addressKey(address)),
    fallback: firstOf(
      createHealthRoutes({
        database: () => ops.checkWritable(),
        restic: async () => (await restic.version()).version,
        state: () => state,
      }),
      createDownloadRoute(downloads, log, auditDownloads(audit, log)),
      createUploadRoute({
        uploads: orchestrator.uploads,
        authenticate: (authorization) => authn.authenticate(authorization),
        signInBudget: (address) => limits.authFailures(address),
        onSignInFailed: (address) => failures.failed(address),
        audit: auditUploads(audit, log),
        log,
      }),
      createMetricsRoute(
        createMetricsRegistry({ ops, config: () => configStore.get(), now: () => clock.now() }),
        (authorization) => authn.authenticate(authorization),
        (err) =>
          log.error("metrics collection failed", {
            error: err instanceof Error ? err.message : String(err),
          }),
      ),
      createOpenApiRoute(served.services),
      createDocsRoute(),
      createStaticUi(),
    ),
    routes: (router) => {
      served.attach(router);
      router.service(
        Backrest,
        createBackrestService({
          config: createConfigService(configStore),
          configWithSecrets: () => configStore.get(),
          ops,
          orchestrator,
          logs,
          downloads,
          now: () => clock.now(),
          nextRuns: () => scheduler.nextRuns(),
          configPath: settings.configPath,
          dataDir: settings.dataDir,
          keepAliveMs: settings.keepAliveMs,
        }),
      );
      router.service(
        Authentication,
        createAuthenticationService({
          authn,
          sessions,
          onFailure: (address) => failures.failed(address),
        }),
      );
      router.service(ApiKeys, createApiKeysService(apiKeys));
      router.service(Audit, createAuditService({ audit }));
      registerServerReflection(router, served.services);
    },
  });
  const listener = await listen(settings.bindAddress, handler);
  const { host, port } = listener.address();
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  log.info("restwell is listening", {
    url,
    config: settings.configPath,
    data: settings.dataDir,
    restic: version.version,
  });

  state = "ready";
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    stop() {
      state = "stopping";
      stopping ??= (async () => {
        stopHousekeeping();
        scheduler.stop();
        await orchestrator.shutdown();
        await listener.close();
        ops.close();
        logs.close();
        trees.close();
        keyStore.close();
        audit.close();
        log.info("restwell stopped");
      })();
      return stopping;
    },
  };
}

/** The clock with real timers (unref'd, so they never keep the process alive). */
function timerClock(clock: Clock): SchedulerClock {
  return {
    now: () => clock.now(),
    setTimeout(fn, ms) {
      const timer = setTimeout(fn, ms);
      timer.unref();
      return () => clearTimeout(timer);
    },
  };
}

/** Combines non-RPC routes: the first that serves the path wins. */
function firstOf(...routes: ((req: NodeRequest, res: NodeResponse) => boolean)[]) {
  return (req: NodeRequest, res: NodeResponse) => routes.some((route) => route(req, res));
}
