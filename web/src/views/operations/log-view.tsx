/**
 * An operation's log, streamed with GetLogs: live while the operation runs, whole once it
 * has ended. Keeps the last 1 MiB; follows the end unless the reader scrolled up.
 */
import { useEffect, useRef, useState } from "react";
import { backrest } from "../../api/clients";
import { errorMessage } from "../../api/errors";

const MAX_CHARS = 1024 * 1024;

/** Shows the log `logRef`; `live` restarts it when the operation's state changes. */
export function LogView(props: { logRef: string; running: boolean }) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const pre = useRef<HTMLPreElement>(null);
  const follow = useRef(true);

  useEffect(() => {
    const abort = new AbortController();
    const decoder = new TextDecoder();
    let buffer = "";
    let frame = 0;
    setText("");
    setError(undefined);
    setDone(false);
    const flush = () => {
      frame = 0;
      setText(buffer);
    };
    (async () => {
      try {
        for await (const chunk of backrest.getLogs(
          { ref: props.logRef },
          { signal: abort.signal },
        )) {
          buffer += decoder.decode(chunk.value, { stream: true });
          if (buffer.length > MAX_CHARS) buffer = buffer.slice(buffer.length - MAX_CHARS);
          if (!frame) frame = requestAnimationFrame(flush);
        }
        buffer += decoder.decode();
        setText(buffer);
        setDone(true);
      } catch (err) {
        if (!abort.signal.aborted) setError(errorMessage(err));
      }
    })();
    return () => {
      abort.abort();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [props.logRef]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll whenever the text grows.
  useEffect(() => {
    const el = pre.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [text]);

  return (
    <section aria-labelledby="log-title">
      <h3 id="log-title">
        Log{" "}
        <span className="small muted">
          {error ? "" : done ? "(complete)" : props.running ? "(live)" : "(loading)"}
        </span>
      </h3>
      {error ? <p className="field-error">{error}</p> : null}
      <pre
        ref={pre}
        className="log"
        role="log"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls; keyboard users need to reach it.
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        }}
      >
        {text || (done ? "(empty)" : "")}
      </pre>
    </section>
  );
}
