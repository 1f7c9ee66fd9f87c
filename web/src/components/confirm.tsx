/**
 * Confirmation before destructive actions: `const confirm = useConfirm()` then
 * `if (await confirm({...})) ...`. A modal <dialog>: focus moves into it, Escape cancels,
 * focus returns to where it was.
 */
import { createContext, type ReactNode, useCallback, useContext, useRef, useState } from "react";

/** What the dialog asks. */
export interface ConfirmRequest {
  title: string;
  body: ReactNode;
  /** Label of the confirming button, e.g. "Remove repo". */
  action: string;
  danger?: boolean;
}

type Ask = (req: ConfirmRequest) => Promise<boolean>;

const ConfirmContext = createContext<Ask>(async () => window.confirm("Are you sure?"));

/** Provides useConfirm to the app. */
export function ConfirmProvider(props: { children: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [req, setReq] = useState<ConfirmRequest>();
  const resolver = useRef<(ok: boolean) => void>(undefined);

  const ask = useCallback<Ask>((next) => {
    resolver.current?.(false);
    setReq(next);
    // showModal after the content rendered, so focus lands on its first button.
    requestAnimationFrame(() => dialog.current?.showModal());
    return new Promise<boolean>((resolve) => {
      resolver.current = resolve;
    });
  }, []);

  const finish = (ok: boolean) => {
    resolver.current?.(ok);
    resolver.current = undefined;
    dialog.current?.close();
  };

  return (
    <ConfirmContext.Provider value={ask}>
      {props.children}
      <dialog
        ref={dialog}
        aria-labelledby="confirm-title"
        onClose={() => {
          resolver.current?.(false);
          resolver.current = undefined;
        }}
      >
        {req ? (
          <form
            method="dialog"
            onSubmit={(e) => {
              e.preventDefault();
              finish(true);
            }}
          >
            <h2 id="confirm-title">{req.title}</h2>
            <div>{req.body}</div>
            <div className="actions dialog-actions">
              <button type="button" onClick={() => finish(false)}>
                Cancel
              </button>
              <button type="submit" className={req.danger ? "danger" : "primary"}>
                {req.action}
              </button>
            </div>
          </form>
        ) : null}
      </dialog>
    </ConfirmContext.Provider>
  );
}

/** Returns the function that asks for confirmation. */
export function useConfirm(): Ask {
  return useContext(ConfirmContext);
}
