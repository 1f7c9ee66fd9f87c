/**
 * The e-mail action: one message through an SMTP server with nodemailer, which is loaded on
 * the first e-mail (it is a twentieth of the daemon's start-up, and most installs send none).
 */
import type { Hook_Email } from "../../gen/v1/config_pb.js";
import { type ActionContext, hookError, renderOr, requireField } from "./action-context.js";
import { defaultMessage, defaultSubject } from "./default-message.js";

/** The submission port used without implicit TLS. */
export const SMTP_PORT = 587;
/** The port used with implicit TLS (SMTPS). */
export const SMTPS_PORT = 465;

/** The nodemailer transport options for `cfg`: STARTTLS when offered, implicit TLS when set. */
export function smtpOptions(cfg: Hook_Email, timeoutMs: number) {
  // nodemailer's own timeouts only back up the hook deadline, which should fire first.
  const backstopMs = timeoutMs + 1000;
  const port = cfg.port > 0 ? cfg.port : cfg.implicitTls ? SMTPS_PORT : SMTP_PORT;
  return {
    host: cfg.host.trim(),
    port,
    secure: cfg.implicitTls,
    auth: cfg.username ? { user: cfg.username, pass: cfg.password } : undefined,
    connectionTimeout: backstopMs,
    greetingTimeout: backstopMs,
    socketTimeout: backstopMs,
  };
}

/** Sends the message (text = rendered template or the default message); closes the transport after. */
export async function runEmail(cfg: Hook_Email, ctx: ActionContext): Promise<void> {
  requireField(ctx, cfg.host, "SMTP host (host)");
  const to = cfg.to.map((t) => t.trim()).filter(Boolean);
  if (to.length === 0)
    throw hookError(ctx, "email hook has no recipients; add at least one address to `to`");
  const from =
    cfg.from.trim() || (cfg.username.includes("@") ? cfg.username : "restwell@localhost");
  const subject = renderOr(ctx, "subject template", cfg.subjectTemplate, () =>
    defaultSubject(ctx.event),
  );
  const text = renderOr(ctx, "template", cfg.template, () => defaultMessage(ctx.event));
  const options = smtpOptions(cfg, ctx.deadline.timeoutMs);
  const where = `${options.host}:${options.port}`;
  const { default: nodemailer } = await import("nodemailer");
  if (ctx.deadline.signal.aborted) throw ctx.deadline.abortError("email");
  const transport = nodemailer.createTransport(options);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(ctx.deadline.abortError("email", `check that ${where} answers`));
    ctx.deadline.signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const info = await Promise.race([
      transport.sendMail({ from, to, subject: subject.replace(/[\r\n]+/g, " "), text }),
      aborted,
    ]);
    ctx.output(
      ctx.mask(
        `SMTP ${where} -> ${String(info.response ?? "sent")} (${to.length} recipient${to.length === 1 ? "" : "s"})`,
      ),
    );
  } catch (err) {
    if (ctx.deadline.signal.aborted)
      throw ctx.deadline.abortError("email", `check that ${where} answers`);
    const reason = err instanceof Error ? err.message : String(err);
    throw hookError(
      ctx,
      `email hook could not send through ${where}: ${reason}; check host, port, TLS and credentials`,
      { cause: err },
    );
  } finally {
    if (onAbort) ctx.deadline.signal.removeEventListener("abort", onAbort);
    aborted.catch(() => {});
    transport.close();
  }
}
