import { clone } from "@bufbuild/protobuf";
import { type Config, ConfigSchema } from "../../gen/v1/config_pb.js";
import { ValidationError, type ValidationIssue } from "../errors.js";
import { REDACTED, secretFields } from "./secret-fields.js";

export { REDACTED };

/**
 * Returns a copy of `cfg` safe to show to a client: repo passwords, passwords inside repo
 * URIs and webhook URLs, secret-looking repo env values (`NAME=<redacted>`), hook tokens, chat
 * webhook URLs, database source passwords and users' bcrypt hashes are replaced by
 * {@link REDACTED}. Empty secrets stay
 * empty so a client can tell "unset" from "set". `cfg` is not modified.
 */
export function redactConfig(cfg: Config): Config {
  const out = clone(ConfigSchema, cfg);
  for (const field of secretFields(out)) {
    const value = field.get();
    if (value !== "") field.set(field.redact(value));
  }
  return out;
}

/**
 * Returns a copy of `incoming` (a config a client edited from a redacted one) in which every
 * secret still holding the marker takes its value from `stored`. Counterparts are matched by
 * repo id, plan id + hook index, user name and env NAME, and only when the stored value
 * redacts to exactly the incoming text. Throws ValidationError listing every marker that has
 * no stored counterpart (e.g. a new repo sent with the marker as password).
 */
export function restoreRedacted(incoming: Config, stored: Config): Config {
  const storedValues = new Map<string, { value: string; redacted: string }>();
  for (const field of secretFields(stored)) {
    const value = field.get();
    if (!storedValues.has(field.key)) {
      storedValues.set(field.key, { value, redacted: field.redact(value) });
    }
  }
  const out = clone(ConfigSchema, incoming);
  const issues: ValidationIssue[] = [];
  for (const field of secretFields(out)) {
    const value = field.get();
    if (!value.includes(REDACTED)) continue;
    const prior = storedValues.get(field.key);
    if (prior && prior.value !== "" && prior.redacted === value) {
      field.set(prior.value);
    } else {
      issues.push(markerIssue(field.path));
    }
  }
  if (issues.length > 0) throw new ValidationError(issues, "cannot restore redacted secrets");
  return out;
}

/**
 * Lists every secret field of `cfg` that still contains the redaction marker; such a config
 * must never be saved, since the marker would replace the real secret.
 */
export function findRedactionMarkers(cfg: Config): ValidationIssue[] {
  return secretFields(cfg)
    .filter((field) => field.get().includes(REDACTED))
    .map((field) => markerIssue(field.path));
}

function markerIssue(path: string): ValidationIssue {
  return {
    path,
    message: `holds the redaction marker ${REDACTED} but there is no stored secret to keep; enter the actual value`,
  };
}
