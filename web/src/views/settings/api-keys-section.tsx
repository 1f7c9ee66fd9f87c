/**
 * API keys for scripts: create one with chosen permissions (its token is shown once),
 * disable or enable it, delete it. The permissions offered are the signed-in principal's own.
 */
import { type FormEvent, useState } from "react";
import { apiKeys } from "../../api/clients";
import { errorMessage } from "../../api/errors";
import { usePrincipal } from "../../api/principal";
import { useConfirm } from "../../components/confirm";
import { CheckField, TextField } from "../../components/field";
import { Empty, ErrorBanner, Loading } from "../../components/ui";
import { formatTime } from "../../lib/format";
import { useAsync } from "../../lib/use-async";

/** The API keys section. */
export function ApiKeysSection() {
  const me = usePrincipal();
  const confirm = useConfirm();
  const keys = useAsync(() => apiKeys.listApiKeys({}), []);
  const [name, setName] = useState("");
  const [perms, setPerms] = useState<ReadonlySet<string>>(new Set(["operations:read"]));
  const [days, setDays] = useState("0");
  const [token, setToken] = useState<string>();
  const [error, setError] = useState<string>();
  const [submitted, setSubmitted] = useState(false);
  const nameProblem = name.trim() ? undefined : "Name the key after what uses it.";
  const permProblem = perms.size ? undefined : "Choose at least one permission.";
  const available = [...(me?.permissions ?? [])].sort();

  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      keys.reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const create = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (nameProblem || permProblem) return;
    const d = Number(days) || 0;
    void act(async () => {
      const res = await apiKeys.createApiKey({
        name: name.trim(),
        permissions: [...perms],
        expiresAtMs: d > 0 ? BigInt(Date.now() + d * 86_400_000) : 0n,
      });
      setToken(res.token);
      setName("");
      setSubmitted(false);
    });
  };

  return (
    <section className="card stack" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <ErrorBanner error={error ?? keys.error} />
      {token ? (
        <div className="banner info" role="status">
          New key (shown only now; send it as <code>Authorization: Bearer …</code>):{" "}
          <code className="mono">{token}</code>
        </div>
      ) : null}
      {keys.loading && !keys.value ? <Loading what="keys" /> : null}
      {keys.value && keys.value.keys.length === 0 ? <Empty>No API keys.</Empty> : null}
      {keys.value?.keys.length ? (
        <div className="table-wrap">
          <table aria-label="API keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Permissions</th>
                <th scope="col">Last used</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.value.keys.map((k) => (
                <tr key={k.id}>
                  <td>
                    {k.name} <code className="small">{k.tokenPrefix}…</code>
                    {k.disabled ? <span className="badge tone-warn">disabled</span> : null}
                  </td>
                  <td className="small">{k.permissions.join(", ")}</td>
                  <td className="small">{k.lastUsedAtMs ? formatTime(k.lastUsedAtMs) : "never"}</td>
                  <td>
                    <div className="actions">
                      <button
                        type="button"
                        onClick={() =>
                          act(() => apiKeys.updateApiKey({ id: k.id, disabled: !k.disabled }))
                        }
                      >
                        {k.disabled ? "Enable" : "Disable"}
                      </button>
                      <button
                        type="button"
                        className="danger"
                        onClick={async () => {
                          if (
                            await confirm({
                              title: `Delete key ${k.name}?`,
                              body: "Scripts using it stop working at once.",
                              action: "Delete key",
                              danger: true,
                            })
                          )
                            await act(() => apiKeys.deleteApiKey({ id: k.id }));
                        }}
                      >
                        Delete
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form onSubmit={create} noValidate aria-labelledby="new-key-title">
        <h3 id="new-key-title">Create a key</h3>
        <div className="form-grid">
          <TextField
            label="Name"
            value={name}
            onChange={setName}
            errors={submitted && nameProblem ? [nameProblem] : undefined}
          />
          <TextField
            label="Expires after (days, 0 = never)"
            type="number"
            min={0}
            value={days}
            onChange={setDays}
          />
        </div>
        <fieldset className="plain field">
          <legend>Permissions</legend>
          <div className="row">
            {available.map((p) => (
              <CheckField
                key={p}
                label={p}
                checked={perms.has(p)}
                onChange={(on) =>
                  setPerms((prev) => {
                    const next = new Set(prev);
                    if (on) next.add(p);
                    else next.delete(p);
                    return next;
                  })
                }
              />
            ))}
          </div>
          {submitted && permProblem ? <span className="field-error">{permProblem}</span> : null}
        </fieldset>
        <button type="submit" className="primary">
          Create key
        </button>
      </form>
    </section>
  );
}
