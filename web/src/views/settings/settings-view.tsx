/** Settings: the instance name, users, and API keys. */
import { type FormEvent, useState } from "react";
import { saveConfig, useConfig } from "../../api/config-store";
import { errorMessage } from "../../api/errors";
import { useCan } from "../../api/principal";
import { TextField } from "../../components/field";
import { ErrorBanner, Loading, PageHeader } from "../../components/ui";
import { ApiKeysSection } from "./api-keys-section";
import { UsersSection } from "./users-section";

function InstanceForm(props: { instance: string }) {
  const [value, setValue] = useState(props.instance);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);
  const problem = /^[A-Za-z0-9_.-]+$/.test(value)
    ? undefined
    : "Use letters, digits, dots, dashes or underscores.";
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    if (problem) return;
    try {
      await saveConfig((cfg) => {
        cfg.instance = value;
      });
      setError(undefined);
      setSaved(true);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="instance-title">
      <h2 id="instance-title">Instance</h2>
      <ErrorBanner error={error} />
      <TextField
        label="Instance name"
        value={value}
        onChange={setValue}
        hint="New snapshots are tagged created-by:<name>; retention applies to this instance's snapshots."
        errors={problem ? [problem] : undefined}
      />
      <div className="actions">
        <button type="submit" className="primary">
          Save
        </button>
        {saved ? (
          <span role="status" className="small">
            Saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}

/** The settings view. */
export default function SettingsView() {
  const { config, error } = useConfig();
  const canWrite = useCan("config:write");
  const canKeys = useCan("keys:manage");
  if (!config) return error ? <ErrorBanner error={error} /> : <Loading what="the config" />;
  return (
    <>
      <PageHeader title="Settings" />
      {!canWrite ? (
        <p className="banner info">You can view the settings; only admins change them.</p>
      ) : null}
      <div className="stack">
        {canWrite ? (
          <>
            <InstanceForm key={config.instance} instance={config.instance} />
            <UsersSection
              users={config.auth?.users ?? []}
              authDisabled={config.auth?.disabled ?? true}
            />
          </>
        ) : (
          <section className="card">
            <h2>Instance</h2>
            <p>{config.instance}</p>
          </section>
        )}
        {canKeys ? <ApiKeysSection /> : null}
      </div>
    </>
  );
}
